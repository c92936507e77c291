"""The `siyu` command, run as a user runs it (a subprocess with settings in the environment)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from siyu.core.settings import get_settings
from siyu.db.session import Database
from tests.conftest import Sandbox, Siyu


def siyu_cmd(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "siyu.cli.main", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def add_args(sb: Sandbox, **over: str) -> list[str]:
    cfg = sb.config
    values = {
        "--name": "命令行企业",
        "--corp-id": cfg.corp_id,
        "--secret": cfg.secret,
        "--token": cfg.token,
        "--aes-key": cfg.aes_key,
        "--api-base": sb.url,
        **over,
    }
    return [x for kv in values.items() for x in kv]


def test_init_creates_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    r = siyu_cmd("init", env={"SIYU_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    assert "Database ready" in r.stdout and (tmp_path / "fresh.db").exists()


def test_corp_add_sync_and_status(siyu: Siyu, sb: Sandbox, database_url: str) -> None:
    r = siyu_cmd("corp", "add", *add_args(sb), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["corp_id"] == sb.config.corp_id and out["api_key"].startswith("sy_")
    again = siyu_cmd("corp", "add", *add_args(sb))
    assert again.returncode == 1 and "already registered" in again.stderr
    status = siyu_cmd("sync", "--status")
    assert status.returncode == 0 and "No sync has run yet" in status.stdout
    sync = siyu_cmd("sync", "--corp", sb.config.corp_id)
    assert sync.returncode == 0, sync.stderr
    assert "customers" in sync.stdout and "done" in sync.stdout
    status = siyu_cmd("sync", "--status")
    assert status.returncode == 0 and "done" in status.stdout
    api = httpx.get(
        f"{siyu.url}/api/v1/customers/count", headers={"Authorization": f"Bearer {out['api_key']}"}
    )
    assert api.json()["count"] == sb.get("/sandbox/info")["counts"]["customers"]


def test_corp_add_replace_after_the_secret_key_changed(sb: Sandbox, db: Database) -> None:
    r = siyu_cmd("corp", "add", *add_args(sb), "--json")
    assert r.returncode == 0, r.stderr
    key = json.loads(r.stdout)["api_key"]
    new_key = {"SIYU_SECRET_KEY": "a-new-secret-key-for-this-deployment-0123456789"}
    # the stored credentials were encrypted with the old key: unreadable now
    stuck = siyu_cmd("sync", "--corp", sb.config.corp_id, env=new_key)
    assert stuck.returncode == 1 and "Traceback" not in stuck.stderr
    assert "SIYU_SECRET_KEY" in stuck.stderr
    unknown = siyu_cmd("corp", "add", *add_args(sb, **{"--corp-id": "wwnotthere"}), "--replace")
    assert unknown.returncode == 1 and "not registered" in unknown.stderr
    replaced = siyu_cmd("corp", "add", *add_args(sb), "--replace", "--json", env=new_key)
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(replaced.stdout) | {"id": 0} == {
        "corp_id": sb.config.corp_id,
        "id": 0,
        "api_key": None,
        "replaced": True,
    }
    synced = siyu_cmd("sync", "--corp", sb.config.corp_id, env=new_key)
    assert synced.returncode == 0, synced.stderr
    listed = siyu_cmd("corp", "list", env=new_key)
    assert listed.stdout.count(sb.config.corp_id) == 1  # the same corp, not a second one

    async def authenticates() -> bool:
        from siyu.corps import service as corps

        async with db.read() as s:
            return await corps.authenticate(s, key) is not None

    assert asyncio.run(authenticates())  # its API key still works


def test_bad_input_gets_one_sentence(sb: Sandbox, db: Database) -> None:
    r = siyu_cmd("corp", "add", *add_args(sb, **{"--aes-key": "short"}))
    assert r.returncode == 1
    assert "EncodingAESKey is invalid" in r.stderr and "Traceback" not in r.stderr
    listed = siyu_cmd("corp", "list")
    assert sb.config.corp_id not in listed.stdout
    r = siyu_cmd("sync", "--corp", "wwnosuchcorp")
    assert r.returncode == 1 and "no corp wwnosuchcorp" in r.stderr


def test_doctor(siyu: Siyu, sb: Sandbox, database_url: str) -> None:
    assert siyu_cmd("corp", "add", *add_args(sb)).returncode == 0
    no_app = siyu_cmd("doctor", "--url", siyu.url)
    assert no_app.returncode == 1 and "JS-SDK app" in no_app.stdout
    assert "--agent-id" in no_app.stdout
    agent = str(sb.config.agent_id)
    again = ["corp", "add", *add_args(sb), "--replace", "--agent-id", agent]
    assert siyu_cmd(*again).returncode == 0
    ok = siyu_cmd("doctor", "--url", siyu.url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "All checks passed" in ok.stdout
    for check in (
        "credentials",
        "contact permission",
        "employees",
        "tags",
        "JS-SDK tickets",
        "可信域名",
        "callback config",
        "callback route",
    ):
        assert check in ok.stdout
    assert siyu.url.split("://")[1] in ok.stdout  # the trusted domain to set
    stats = sb.get("/sandbox/stats")
    assert stats["get_jsapi_ticket"] == 1 and stats["ticket/get"] == 1
    sb.put("/sandbox/config", {"secret_of_app": False})  # e.g. the 客户联系 secret
    no_tickets = siyu_cmd("doctor", "--url", siyu.url)
    assert no_tickets.returncode == 1 and "48001" in no_tickets.stdout
    assert "自建" in no_tickets.stdout
    sb.put("/sandbox/config", {"secret_of_app": True})
    sb.put("/sandbox/config", {"contact_permission": False})
    bad = siyu_cmd("doctor", "--url", siyu.url)
    assert bad.returncode == 1
    assert "48002" in bad.stdout and "可调用应用" in bad.stdout
    sb.put("/sandbox/config", {"contact_permission": True})
    unreachable = siyu_cmd("doctor", "--url", "http://127.0.0.1:9")
    assert unreachable.returncode == 1 and "did not answer" in unreachable.stdout
    assert get_settings().secret_key.get_secret_value() == "test-secret-key"
