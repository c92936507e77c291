"""`siyu sync` and `siyu doctor` say in one sentence that SIYU_SECRET_KEY changed."""

from __future__ import annotations

from tests.cli.test_cli import siyu_cmd
from tests.conftest import CorpHandle, Sandbox

OTHER_KEY = {"SIYU_SECRET_KEY": "not-the-key-the-corp-was-added-with"}


def test_sync_and_doctor_explain_a_changed_secret_key(corp: CorpHandle, sb: Sandbox) -> None:
    sync = siyu_cmd("sync", env=OTHER_KEY)
    assert sync.returncode == 1
    out = " ".join((sync.stdout + sync.stderr).split())
    assert "can't be decrypted" in out and "SIYU_SECRET_KEY changed" in out
    assert "Traceback" not in out
    doctor = siyu_cmd("doctor", env=OTHER_KEY)
    assert doctor.returncode == 1
    out = " ".join(doctor.stdout.split())
    assert "stored secrets" in out and "SIYU_SECRET_KEY changed" in out
    # nothing was left half-done: with the right key the sync runs (no stale "running" run)
    ok = siyu_cmd("sync")
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_serve_and_worker_refuse_a_weak_key_off_loopback() -> None:
    for key in ("siyu-dev-secret-change-me", "only-twenty-chars-ab"):
        served = siyu_cmd(
            "serve", "--host", "0.0.0.0", "--workers", "0", env={"SIYU_SECRET_KEY": key}
        )
        assert served.returncode == 2
        out = " ".join(served.stderr.split())
        assert "SIYU_SECRET_KEY" in out and "0.0.0.0" in out and "Traceback" not in out
        worker = siyu_cmd("worker", env={"SIYU_SECRET_KEY": key, "SIYU_HOST": "0.0.0.0"})
        assert worker.returncode == 2 and "SIYU_SECRET_KEY" in worker.stderr


def test_doctor_checks_the_secret_key(corp: CorpHandle, sb: Sandbox) -> None:
    off_loopback = siyu_cmd("doctor", env={"SIYU_HOST": "0.0.0.0"})
    out = " ".join(off_loopback.stdout.split())
    assert off_loopback.returncode == 1 and "secret key" in out and "shorter than 32" in out
    strong = {"SIYU_HOST": "0.0.0.0", "SIYU_SECRET_KEY": "k" * 40}
    out = " ".join(siyu_cmd("doctor", env=strong).stdout.split())
    assert "at least 32 characters and not the development default" in out
