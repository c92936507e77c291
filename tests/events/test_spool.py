"""The callback spool (SQLite): acknowledged callbacks are durable in their own file, reach
``inbound_events`` exactly as WeCom's deliveries would, and survive the API process dying."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from siyu.customers.models import Customer, FollowRelation
from siyu.db.session import Database
from siyu.events import spool, tasks
from siyu.events.models import InboundEvent
from siyu.wecom.callbacks import CallbackEvent
from siyu.wecom.crypto import CallbackCrypto
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import serve_api

EDIT = (
    "<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
    "<CreateTime>{at}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
    "<Event><![CDATA[change_external_contact]]></Event>"
    "<ChangeType><![CDATA[{change}]]></ChangeType>"
    "<UserID><![CDATA[{userid}]]></UserID><ExternalUserID><![CDATA[{ext}]]></ExternalUserID></xml>"
)


def _event(ext: str, change: str = "edit_external_contact") -> CallbackEvent:
    return CallbackEvent(
        "change_external_contact",
        change,
        {"ExternalUserID": ext, "UserID": "zhangsan", "CreateTime": "1700000000"},
    )


def _spooled(path: Path) -> list[tuple[int, str, str]]:
    con = spool.connect(path)
    try:
        q = "SELECT corp_id, change_type, fields FROM spooled_events ORDER BY id"
        return [(int(c), str(t), str(f)) for c, t, f in con.execute(q).fetchall()]
    finally:
        con.close()


async def _inbound(db: Database) -> list[tuple[str, str]]:
    async with db.read() as s:
        rows = await s.execute(
            select(InboundEvent.event_key, InboundEvent.status).order_by(InboundEvent.id)
        )
        return [(str(k), str(st)) for k, st in rows.all()]


@pytest.mark.sqlite_only("the spool is a file of its own; no database is used")
def test_only_sqlite_files_have_a_spool(tmp_path: Path) -> None:
    assert spool.spool_path(f"sqlite:///{tmp_path}/siyu.db") == tmp_path / "siyu.callbacks.db"
    assert spool.spool_path("sqlite:///var/x") == Path("var/x.callbacks.db")
    assert spool.spool_path("sqlite://") is None
    assert spool.spool_path("sqlite:///:memory:") is None
    assert spool.spool_path("postgresql+asyncpg://u:p@127.0.0.1/siyu") is None


@pytest.mark.sqlite_only("the spool is a file of its own; no database is used")
def test_sink_answers_after_the_commit_and_wakes_each_corp_once(tmp_path: Path) -> None:
    asyncio.run(_sink_answers_and_wakes(tmp_path))


async def _sink_answers_and_wakes(tmp_path: Path) -> None:
    woken: list[int] = []
    sink = spool.SpoolSink(tmp_path / "s.callbacks.db", wake=woken.append)
    try:
        events = [(1 + i % 2, _event(f"wm{i}")) for i in range(40)]
        await asyncio.gather(
            *(sink.store(c, e, f"<xml>{i}</xml>") for i, (c, e) in enumerate(events))
        )
        rows = _spooled(tmp_path / "s.callbacks.db")
        assert [c for c, _, _ in rows] == [c for c, _ in events]  # every one, in arrival order
        assert all(t == "edit_external_contact" for _, t, _ in rows)
    finally:
        await sink.close()
    # the writer wakes the drains after answering (closing waits for it): each corp, not more
    # often than once per event
    assert sorted(set(woken)) == [1, 2] and len(woken) <= 40


@pytest.mark.sqlite_only("the spool is a file of its own; no database is used")
def test_a_spool_that_cannot_be_written_fails_the_request(tmp_path: Path) -> None:
    blocked = tmp_path / "s.callbacks.db"
    blocked.mkdir()  # a directory where the file should be
    sink = spool.SpoolSink(blocked, wake=lambda _c: None)
    with pytest.raises(Exception, match="unable to open"):
        asyncio.run(sink.store(1, _event("wmX"), "<xml/>"))
    asyncio.run(sink.close())


def _spool_now(
    db: Database, items: list[tuple[int, CallbackEvent]], at: str = "2026-12-01T08:00:00+00:00"
) -> None:
    path = spool.spool_path(db.url)
    assert path is not None
    con = spool.connect(path)
    try:
        con.executemany(spool.INSERT, [spool.row(c, e, "<xml/>", at) for c, e in items])
    finally:
        con.close()


@pytest.mark.sqlite_only("PostgreSQL deployments store callbacks straight into inbound_events")
def test_moving_twice_changes_nothing(db: Database, corp: CorpHandle) -> None:
    """A drain that died after moving events into inbound_events, before deleting them from
    the spool, moves them again: they count as WeCom's redeliveries, not as new events."""
    edit, add = _event("wmA"), _event("wmB", "add_external_contact")
    _spool_now(db, [(corp.id, edit), (corp.id, add)])
    assert asyncio.run(spool.move(db, corp.id)) == 2
    assert asyncio.run(_inbound(db)) == [(edit.key, "pending"), (add.key, "pending")]
    assert spool.count(db.url) == 0

    _spool_now(db, [(corp.id, edit), (corp.id, add)])  # as if the delete had not happened
    assert asyncio.run(spool.move(db, corp.id)) == 2
    assert asyncio.run(_inbound(db)) == [(edit.key, "pending"), (add.key, "pending")]
    assert spool.count(db.url) == 0
    assert asyncio.run(spool.move(db, corp.id)) == 0


def test_acknowledged_callbacks_survive_a_killed_api_process(
    tmp_path: Path,
    procs: list[subprocess.Popen[bytes]],
    sb: Sandbox,
    corp: CorpHandle,
    db: Database,
) -> None:
    """Callbacks answered 200 by `siyu serve` (no worker) are processed by a worker started
    after the API process was SIGKILLed: none is lost, none is applied twice."""
    asyncio.run(full_sync(db, corp))

    async def pairs() -> list[tuple[str, str]]:
        async with db.read() as s:
            rows = await s.execute(
                select(Customer.external_userid, FollowRelation.userid)
                .join(Customer, Customer.id == FollowRelation.customer_id)
                .order_by(FollowRelation.id)
                .limit(60)
            )
            return [(str(e), str(u)) for e, u in rows.all()]

    served = serve_api(procs, tmp_path, corp)
    cfg = sb.config
    crypto = CallbackCrypto(cfg.token, cfg.aes_key, cfg.corp_id)
    url = f"{served.url}/wecom/callback/{corp.wecom_corp_id}"
    picked = asyncio.run(pairs())
    for i, (ext, userid) in enumerate(picked):
        xml = EDIT.format(
            corp=corp.wecom_corp_id,
            at=1700000000 + i,
            change="edit_external_contact",
            userid=userid,
            ext=ext,
        )
        body, params = crypto.encrypt_envelope(xml)
        assert httpx.post(url, params=params, content=body).status_code == 200
    os.kill(procs[0].pid, signal.SIGKILL)
    procs[0].wait()
    assert spool.count(db.url) + len(asyncio.run(_inbound(db))) >= len(picked)

    served.worker("worker.log")

    async def done() -> int:
        async with db.read() as s:
            stmt = (
                select(func.count()).select_from(InboundEvent).where(InboundEvent.status == "done")
            )
            return int(await s.scalar(stmt) or 0)

    # the sweeper or the drain queued by the API before it died moves and applies them
    wait_for(lambda: asyncio.run(done()) == len(picked), timeout=150, what="every event applied")
    assert spool.count(db.url) == 0
    assert len(asyncio.run(_inbound(db))) == len(picked)


@pytest.mark.sqlite_only("PostgreSQL deployments store callbacks straight into inbound_events")
def test_moving_a_corps_events_leaves_the_other_corps_events_between_them(
    db: Database, corp: CorpHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool, "MOVE_BATCH", 2)  # several rounds, each deleting its id range
    other = corp.id + 1000  # spooled for another corp: only rows here, never moved
    items = [(corp.id if i % 3 else other, _event(f"wm{i}")) for i in range(10)]
    _spool_now(db, items)
    assert asyncio.run(spool.move(db, corp.id)) == 6
    mine = [e.key for c, e in items if c == corp.id]
    assert [k for k, _ in asyncio.run(_inbound(db))] == mine
    path = spool.spool_path(db.url)
    assert path is not None
    left = _spooled(path)
    assert [c for c, _, _ in left] == [other] * 4
    assert [json.loads(f)["ExternalUserID"] for _, _, f in left] == ["wm0", "wm3", "wm6", "wm9"]


@pytest.mark.sqlite_only("PostgreSQL deployments store callbacks straight into inbound_events")
def test_the_sweeper_wakes_the_drain_of_events_left_in_the_spool(
    db: Database, corp: CorpHandle
) -> None:
    """A drain wake-up lost after the spool's commit (the API died in between): the per-minute
    sweeper finds the corp's events spooled over two minutes ago; newer ones are left alone."""
    now = datetime.now(UTC)
    _spool_now(db, [(corp.id, _event("wmNew"))], at=now.isoformat())
    assert asyncio.run(tasks._sweep(db)) == (set(), [])
    old = (now - timedelta(minutes=3)).isoformat()
    _spool_now(db, [(corp.id, _event("wmOld"))], at=old)
    assert asyncio.run(tasks._sweep(db)) == ({corp.id}, [])
