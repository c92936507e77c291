"""Shared plumbing of the benchmarks: a throwaway Siyu home, the sandbox in its own process,
a registered corp, and a few measurement helpers.

Import order matters: :func:`prepare_env` must run before anything under ``siyu`` is imported,
because the Huey queue and the settings are built from the environment at import time.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SECRET_KEY = "benchmark-secret-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_env(home: Path | None = None) -> Path:
    """A temporary Siyu home (SQLite database and queue) exported as SIYU_* variables."""
    home = home or Path(tempfile.mkdtemp(prefix="siyu-bench-"))
    os.environ["SIYU_DATABASE_URL"] = f"sqlite:///{home / 'siyu.db'}"
    os.environ["SIYU_QUEUE_URL"] = f"sqlite:///{home / 'queue.db'}"
    os.environ["SIYU_SECRET_KEY"] = SECRET_KEY
    os.environ["SIYU_SYNC_INTERVAL_MINUTES"] = "0"
    os.environ["SIYU_LOG_LEVEL"] = "WARNING"
    return home


def siyu_cli() -> list[str]:
    return [sys.executable, "-m", "siyu.cli.main"]


def get_json(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float) -> Any:
    """Poll ``url`` until it answers 200 JSON (or the process dies / time runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            return get_json(url, timeout=2.0)
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f}s") from None
            time.sleep(0.1)


@dataclass
class SandboxProc:
    proc: subprocess.Popen[bytes]
    url: str
    info: dict[str, Any]


@contextmanager
def sandbox_process(*, customers: int, employees: int, seed: int = 1) -> Any:
    """The WeCom sandbox served by ``siyu sandbox`` in its own process (its own GIL)."""
    port = free_port()
    cmd = [
        *siyu_cli(),
        "sandbox",
        "--port",
        str(port),
        "--customers",
        str(customers),
        "--employees",
        str(employees),
        "--seed",
        str(seed),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        info = wait_http(f"{url}/sandbox/info", proc, timeout=600)
        yield SandboxProc(proc, url, info)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[Any], *, group: bool = False) -> None:
    """Ctrl-C (to its process group with ``group``), then kill after 15 s."""
    if proc.poll() is None:
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def migrate_and_register(sandbox_url: str) -> int:
    """Apply the migrations and register the sandbox as a corp; its Siyu id."""
    import asyncio

    from siyu.accounts import onboard
    from siyu.core.settings import allow_api_base
    from siyu.db import migrate
    from siyu.db.session import Database
    from siyu.wecom.sandbox import SandboxConfig

    url = allow_api_base(sandbox_url).database_url
    migrate.upgrade(url)
    cfg = SandboxConfig()

    async def register() -> int:
        db = Database.open(url)
        try:
            async with db.unit_of_work() as s:
                corp = await onboard.add_corp(
                    s,
                    secret_key=SECRET_KEY,
                    name="基准测试企业",
                    wecom_corp_id=cfg.corp_id,
                    secret=cfg.secret,
                    token=cfg.token,
                    aes_key=cfg.aes_key,
                    api_base=sandbox_url,
                    agent_id=cfg.agent_id,
                )
                return int(corp.id)
        finally:
            await db.dispose()

    return asyncio.run(register())


def maxrss_mb() -> float:
    """Peak resident set size of this process in MB.

    Linux's VmHWM (the high-water mark of this process image); ``ru_maxrss`` is only the
    fallback, because Linux carries it over ``execve`` from the parent that forked us.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine_notes() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, load average {load}"
    )


def cleanup(home: Path, keep: bool) -> None:
    if keep:
        print(f"kept {home}")
    else:
        shutil.rmtree(home, ignore_errors=True)
