"""No secret reaches the logs: not the corp secret, not an access token, not an API key."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest

from siyu.core import logs
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level = root.level
    noisy = {name: logging.getLogger(name).level for name in logs.NOISY}
    buf = io.StringIO()
    handler = logs.configure("DEBUG", stream=buf)
    try:
        yield buf
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for name, lvl in noisy.items():
            logging.getLogger(name).setLevel(lvl)


async def test_a_sync_logs_no_secret(
    captured: io.StringIO, db: Database, corp: CorpHandle, sb: Sandbox
) -> None:
    await full_sync(db, corp)  # gettoken with the corp secret, then calls with access_token
    logging.getLogger("siyu.test").info("synced with key %s", corp.api_key)
    out = captured.getvalue()
    assert "synced with key sy_***" in out  # the log is there, the key is not
    assert sb.config.secret not in out and corp.api_key not in out
    assert not re.search(r"access_token=(?!\*\*\*)", out)
    assert not re.search(r"corpsecret=(?!\*\*\*)", out)


def test_urls_bearer_and_tracebacks_are_masked(captured: io.StringIO) -> None:
    log = logging.getLogger("siyu.test")
    url = "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=S3cr3t-v4lue"
    log.warning("GET %s", url)
    log.warning("headers %s", {"Authorization": "Bearer sy_abcdefghijklmnop"})
    log.warning('settings {"secret": "plain-secret-1", "token": "tok-123"}')
    try:
        raise RuntimeError(f"Client error '400' for url '{url}&access_token=AT-987'")
    except RuntimeError:
        log.exception("WeCom call failed")
    out = captured.getvalue()
    for secret in ("S3cr3t-v4lue", "sy_abcdefghijklmnop", "plain-secret-1", "tok-123", "AT-987"):
        assert secret not in out
    assert "corpid=ww1&corpsecret=***" in out and "RuntimeError" in out
