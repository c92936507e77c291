"""Long-running commands as separate processes: the sandbox, serve + worker, and the demo."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from siyu.core.serving import free_port
from siyu.db.session import Database
from tests.conftest import Sandbox, wait_for
from tests.support.processes import spawn, up


@pytest.mark.sqlite_only("the sandbox alone, no Siyu database")
def test_standalone_sandbox(tmp_path: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    port = free_port()
    procs.append(
        spawn(
            "sandbox",
            "--port",
            str(port),
            "--seed",
            "5",
            "--employees",
            "4",
            "--customers",
            "25",
            "--corp-id",
            "wwstandalone",
            env={},
            log=tmp_path / "sandbox.log",
        )
    )
    wait_for(lambda: up(f"http://127.0.0.1:{port}/sandbox/info"), timeout=120, what="the sandbox")
    info = httpx.get(f"http://127.0.0.1:{port}/sandbox/info").json()
    assert info["corp_id"] == "wwstandalone" and info["counts"]["customers"] == 25


def test_serve_and_a_separate_worker_process(
    tmp_path: Path, sb: Sandbox, db: Database, procs: list[subprocess.Popen[bytes]]
) -> None:
    """The API process stores callbacks; a `siyu worker` process applies them."""
    env = {"SIYU_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}", "SIYU_PORT": str(free_port())}
    url = f"http://127.0.0.1:{env['SIYU_PORT']}"
    cfg = sb.config
    add = subprocess.run(
        [
            sys.executable,
            "-m",
            "siyu.cli.main",
            "corp",
            "add",
            "--name",
            "进程企业",
            "--corp-id",
            cfg.corp_id,
            "--secret",
            cfg.secret,
            "--token",
            cfg.token,
            "--aes-key",
            cfg.aes_key,
            "--api-base",
            sb.url,
            "--json",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert add.returncode == 0, add.stderr
    key = json.loads(add.stdout)["api_key"]
    procs.append(spawn("serve", "--workers", "0", env=env, log=tmp_path / "serve.log"))
    wait_for(lambda: up(f"{url}/healthz"), timeout=120, what="siyu serve")
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert api.post("/api/v1/sync").status_code == 202  # queued: no worker yet
    sb.put("/sandbox/config", {"callback_url": f"{url}/wecom/callback/{cfg.corp_id}"})
    userid = sb.get("/sandbox/employees")[0]["userid"]
    ext = sb.act("add_customer", userid=userid, name="进程客户")["external_userid"]
    time.sleep(0.5)
    # stored, not processed: in SQLite's callback spool ("received"), else "pending"
    waiting = "received" if db.dialect == "sqlite" else "pending"
    assert api.get("/api/v1/events/counts").json() == {waiting: 1}
    procs.append(spawn("worker", "--workers", "2", env=env, log=tmp_path / "worker.log"))
    wait_for(
        lambda: api.get("/api/v1/events/counts").json() == {"done": 1},
        timeout=60,
        what="the worker process",
    )
    found = api.get("/api/v1/customers", params={"keyword": "进程客户"}).json()["items"]
    assert [c["external_userid"] for c in found] == [ext]
    wait_for(
        lambda: api.get("/api/v1/sync/runs").json()[0]["status"] == "done",
        timeout=60,
        what="the queued sync",
    )
    total = sb.get("/sandbox/info")["counts"]["customers"]
    assert api.get("/api/v1/customers/count").json()["count"] == total
    api.close()


@pytest.mark.sqlite_only("the demo always makes its own SQLite database")
def test_demo_starts_syncs_and_keeps_events_flowing(
    tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    port = free_port()
    env = {
        "SIYU_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "SIYU_QUEUE_URL": f"sqlite:///{tmp_path / 'demo-queue.db'}",
    }
    log = tmp_path / "demo.log"
    procs.append(
        spawn(
            "demo",
            "--port",
            str(port),
            "--customers",
            "300",
            "--employees",
            "8",
            "--interval",
            "0.3",
            env=env,
            log=log,
        )
    )
    wait_for(lambda: "Press Ctrl-C" in log.read_text(errors="replace"), timeout=90, what="the demo")
    wait_for(lambda: up(f"http://127.0.0.1:{port}/healthz"), timeout=120, what="the demo's server")
    text = log.read_text()
    key = re.search(r"API key:\s+(sy_\S+)", text)
    assert key, text
    api = httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {key.group(1)}"},
        timeout=10,
    )
    first = api.get("/api/v1/customers/count").json()["count"]
    assert first == 300
    wait_for(
        lambda: api.get("/api/v1/customers/count").json()["count"] > first,
        timeout=60,
        what="live customers from the trickle",
    )
    assert api.get("/").status_code == 200
    api.close()
