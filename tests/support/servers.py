"""Throwaway PostgreSQL and Redis servers on 127.0.0.1 for the tests (see shared/SERVICES.md)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from siyu.core.serving import free_port


class ServerMissing(RuntimeError):
    """The server's binaries are not installed."""


def _pg_bindir() -> Path:
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(cand, "initdb").exists():
            return Path(cand)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise ServerMissing("PostgreSQL is not installed (apt-get install postgresql)")


@dataclass
class Postgres:
    dir: Path
    port: int
    bindir: Path
    as_postgres: bool

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://siyu@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    @classmethod
    def start(cls) -> Postgres:
        bindir = _pg_bindir()
        root = os.geteuid() == 0
        base = Path(tempfile.mkdtemp(prefix="siyu-pg-"))
        if root:
            pw = pwd.getpwnam("postgres")
            os.chown(base, pw.pw_uid, pw.pw_gid)
        pg = cls(dir=base, port=free_port(), bindir=bindir, as_postgres=root)
        pg._run("initdb", "-D", str(base / "data"), "-A", "trust", "-U", "siyu")
        opts = f"-p {pg.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        pg._run(
            "pg_ctl", "-D", str(base / "data"), "-o", opts, "-l", str(base / "log"), "-w", "start"
        )
        return pg

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Redis:
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls) -> Redis:
        if not shutil.which("redis-server"):
            raise ServerMissing("Redis is not installed (apt-get install redis-server)")
        port = free_port()
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        for _ in range(100):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(port), "ping"], capture_output=True
                ).returncode
                == 0
            ):
                break
        return cls(port=port)

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True
        )
