"""Run `siyu serve`, `siyu worker` and other commands as separate processes in tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from siyu.core.serving import free_port

if TYPE_CHECKING:
    from tests.conftest import CorpHandle

__all__ = ["Served", "procs", "serve_api", "spawn", "stop", "up"]


def spawn(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "siyu.cli.main", *args],
            env={**os.environ, "COLUMNS": "200", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Served:
    """A running `siyu serve` process: its settings (for workers), URL and an API client."""

    env: dict[str, str]
    url: str
    api: httpx.Client
    procs: list[subprocess.Popen[bytes]]
    tmp_path: Path

    def worker(self, log: str, *, threads: int = 1) -> subprocess.Popen[bytes]:
        """Start a `siyu worker` process on the same database and queue."""
        proc = spawn("worker", "--workers", str(threads), env=self.env, log=self.tmp_path / log)
        self.procs.append(proc)
        return proc

    def create_tag(self, group: str, tag: str) -> str:
        """Create a tag group with one tag through the API (written to WeCom); the tag's id."""
        r = self.api.post("/api/v1/tags/groups", json={"name": group, "tags": [tag]})
        assert r.status_code == 201, r.text
        return str(r.json()["tags"][0]["tag_id"])


def serve_api(
    procs: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    corp: CorpHandle,
    *,
    timeout: float = 60,
    **env: str,
) -> Served:
    """Start `siyu serve --workers 0` on a free port and a SQLite queue in ``tmp_path`` (unless
    ``env`` names another ``SIYU_QUEUE_URL``), wait for ``/healthz`` and return it with a
    client authenticated with the corp's API key (``timeout`` per request)."""
    settings = {
        "SIYU_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        "SIYU_PORT": str(free_port()),
        **env,
    }
    url = f"http://127.0.0.1:{settings['SIYU_PORT']}"
    procs.append(spawn("serve", "--workers", "0", env=settings, log=tmp_path / "serve.log"))
    from tests.conftest import wait_for

    wait_for(lambda: up(f"{url}/healthz"), timeout=120, what="siyu serve")
    headers = {"Authorization": f"Bearer {corp.api_key}"}
    api = httpx.Client(base_url=url, headers=headers, timeout=timeout)
    return Served(settings, url, api, procs, tmp_path)


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; every one still running is stopped afterwards."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        if p.poll() is None:
            stop(p)
