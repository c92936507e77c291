"""Helpers to run `siyu serve` and `siyu worker` processes against the test database."""

from __future__ import annotations

from tests.cli.test_processes import spawn, stop, up

__all__ = ["spawn", "stop", "up"]
