"""`siyu serve` runs its workers in a child `siyu worker` process that lives and dies with it."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx

from siyu.core.serving import free_port
from tests.conftest import CorpHandle, Sandbox, wait_for
from tests.support.processes import spawn, up


def _stat(pid: int) -> list[str] | None:
    """State, ppid, ... of a process (None once it is gone); a zombie counts as gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None if fields[0] in ("Z", "X") else fields


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _serve(tmp_path: Path, name: str) -> tuple[subprocess.Popen[bytes], str, int]:
    """`siyu serve` with its default layout (one worker thread); the process, URL, worker pid."""
    env = {
        "SIYU_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        "SIYU_PORT": str(free_port()),
        "SIYU_WORKERS": "1",
    }
    url = f"http://127.0.0.1:{env['SIYU_PORT']}"
    proc = spawn("serve", env=env, log=tmp_path / f"{name}.log")
    wait_for(lambda: up(f"{url}/healthz"), timeout=120, what="siyu serve")
    kids = wait_for(lambda: _children(proc.pid), timeout=30, what="the worker process")
    assert len(kids) == 1
    cmdline = Path(f"/proc/{kids[0]}/cmdline").read_bytes().split(b"\0")
    assert b"worker" in cmdline and str(proc.pid).encode() in cmdline
    return proc, url, kids[0]


def test_serve_runs_its_workers_in_a_child_process_that_stops_with_it(
    tmp_path: Path, procs: list[subprocess.Popen[bytes]], sb: Sandbox, corp: CorpHandle
) -> None:
    serve, url, worker = _serve(tmp_path, "serve")
    procs.append(serve)
    # callbacks the API acknowledges are applied by the child
    sb.put("/sandbox/config", {"callback_url": f"{url}/wecom/callback/{corp.wecom_corp_id}"})
    userid = sb.get("/sandbox/employees")[0]["userid"]
    sb.act("add_customer", userid=userid, name="子进程客户")
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {corp.api_key}"})
    with api:
        wait_for(
            lambda: api.get("/api/v1/events/counts").json() == {"done": 1},
            timeout=60,
            what="the child worker to apply the callback",
        )
        found = api.get("/api/v1/customers", params={"keyword": "子进程客户"}).json()["items"]
        assert len(found) == 1
    # stopping serve (SIGTERM, as systemd or `kill` does) stops its worker too
    serve.terminate()
    assert serve.wait(timeout=60) == 0
    assert _stat(worker) is None

    # a serve that is killed outright leaves no orphan: the worker notices and stops
    serve, _, worker = _serve(tmp_path, "serve-2")
    procs.append(serve)
    os.kill(serve.pid, signal.SIGKILL)
    serve.wait()
    wait_for(lambda: _stat(worker) is None, timeout=60, what="the orphaned worker to stop")


def test_an_orphaned_worker_stops_even_with_sigint_ignored(
    tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    """Started as a background job (``nohup make test &``), serve and its worker inherit SIGINT
    as ignored. Serve killed right after start, before Huey has installed its handler in the
    worker, must not leave the worker running forever."""
    env = {
        "SIYU_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        "SIYU_PORT": str(free_port()),
        "SIYU_WORKERS": "1",
    }
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited through fork and exec
    try:
        serve = spawn("serve", env=env, log=tmp_path / "serve.log")
    finally:
        signal.signal(signal.SIGINT, before)
    procs.append(serve)
    kids = wait_for(lambda: _children(serve.pid), timeout=60, what="the worker process")
    os.kill(serve.pid, signal.SIGKILL)  # while the worker is still starting
    serve.wait()
    try:
        wait_for(lambda: _stat(kids[0]) is None, timeout=90, what="the orphaned worker to stop")
    finally:
        if _stat(kids[0]) is not None:  # the test failed: leave no orphan behind
            os.kill(kids[0], signal.SIGKILL)
