"""A throwaway Redis for the queue tests (fails instead of skipping under SIYU_REQUIRE_ALL=1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import need
from tests.support.servers import Redis, ServerMissing


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    try:
        server = Redis.start()
    except ServerMissing as exc:
        need(str(exc))
    try:
        yield server.url
    finally:
        server.stop()
