"""`siyu init` prints the first admin's one-time password; `siyu user add` creates more."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import anyio
import httpx

from tests.conftest import CorpHandle, Siyu


def _siyu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "siyu.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )


def _login(base: str, username: str, password: str) -> int:
    with httpx.Client(base_url=base) as c:
        r = c.post("/api/v1/auth/login", json={"username": username, "password": password})
        return r.status_code


async def test_init_creates_first_admin_and_user_add(siyu: Siyu, corp: CorpHandle) -> None:
    init = await anyio.to_thread.run_sync(_siyu, "init")
    assert init.returncode == 0, init.stderr
    found = re.search(r"admin / one-time password (\S+)", init.stdout)
    assert found, init.stdout
    assert await anyio.to_thread.run_sync(_login, siyu.url, "admin", found.group(1)) == 200
    again = await anyio.to_thread.run_sync(_siyu, "init")
    assert "one-time password" not in again.stdout  # only the first time

    add = await anyio.to_thread.run_sync(
        _siyu, "user", "add", "--username", "op1", "--role", "operator"
    )
    assert add.returncode == 0, add.stderr
    password = re.search(r"One-time password: (\S+)", add.stdout)
    assert password, add.stdout
    assert await anyio.to_thread.run_sync(_login, siyu.url, "op1", password.group(1)) == 200
    assert await anyio.to_thread.run_sync(_login, siyu.url, "op1", "wrong-password") == 403

    bad = await anyio.to_thread.run_sync(
        _siyu, "user", "add", "--username", "s1", "--role", "staff"
    )
    assert bad.returncode == 1 and "linked to a WeCom employee" in bad.stderr
