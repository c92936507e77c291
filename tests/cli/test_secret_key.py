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
