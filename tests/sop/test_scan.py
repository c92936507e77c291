"""The timer scan: rows with a due time, read in batches through the (corp, status, due) index;
delivery checks stop conditions; edits keep running timers; nothing is delivered twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select, update

from siyu.acquisition.models import AppMessage
from siyu.content import service as content
from siyu.content.schemas import ContentIn
from siyu.corps.models import Corp
from siyu.customers.models import FollowRelation
from siyu.db.session import Database
from siyu.sop import delivery, runs, service
from siyu.sop.models import SopRun, SopStep, SopTask
from siyu.sop.schemas import TemplateIn
from tests.sop import world

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def count(db: Database, stmt: Any) -> int:
    async def go() -> int:
        async with db.unit_of_work() as s:
            return int(await s.scalar(stmt) or 0)

    return asyncio.run(go())


async def start_all(db: Database, w: world.World, tpl_id: int, customer_ids: list[int]) -> None:
    async with db.unit_of_work() as s:
        tpl = await service.get(s, w.corp_id, tpl_id)
        for cid in customer_ids:
            await runs.start(s, tpl, customer_id=cid, userid=world.userid_of(w, cid), at=T0, tz=SH)


def test_scan_reads_only_due_timers_in_batches(db: Database) -> None:
    w = asyncio.run(world.build(db, 1000))
    steps = [{"day": d, "text": f"第{d}天的问候"} for d in range(20)]
    tpl = asyncio.run(world.template(db, w.corp_id, steps))
    asyncio.run(start_all(db, w, tpl.id, w.customer_ids))
    assert count(db, select(func.count()).select_from(SopTask)) == 20_000

    statements: list[str] = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731  (conn, cursor, statement, ...)
    event.listen(db.engine.sync_engine, "before_cursor_execute", listener)
    try:
        # 2.5 days later: steps of day 0, 1 and 2 are due for each customer (3,000 rows)
        now = T0 + timedelta(days=2, hours=12)
        result = asyncio.run(delivery.scan_due(db, w.corp_id, now=now, batch=400))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", listener)
    assert result.selected == 3000 and result.delivered == 3000
    assert result.rounds == 8  # 7 full batches of 400 + the last 200 (fewer than a batch: done)
    # statements per round are a constant: none per timer, none per employee messaged
    assert len(statements) <= result.rounds * 20
    # the 17,000 timers not due were not touched
    assert count(db, select(func.count()).where(SopTask.status == "open")) == 3000
    assert (
        count(
            db,
            select(func.count()).where(
                SopTask.status == "scheduled", SopTask.delivered_at.is_(None)
            ),
        )
        == 17_000
    )
    # one app message per employee per round, not one per to-do
    assert count(db, select(func.count()).select_from(AppMessage)) == 3 * result.rounds

    # the next scan at the same moment finds nothing: one round, no rows
    again = asyncio.run(delivery.scan_due(db, w.corp_id, now=now, batch=400))
    assert (again.rounds, again.selected, again.delivered) == (1, 0, 0)


def test_a_claimed_timer_is_never_delivered_twice(db: Database) -> None:
    w = asyncio.run(world.build(db, 3))
    tpl = asyncio.run(world.template(db, w.corp_id, [{"text": "欢迎"}]))
    asyncio.run(start_all(db, w, tpl.id, w.customer_ids))

    async def twice() -> tuple[int, int]:
        async with db.unit_of_work() as s:
            corp = await s.get(Corp, w.corp_id)
            assert corp is not None
            ids = list((await s.scalars(select(SopTask.id))).all())
            first = await delivery.deliver(s, corp, ids, now=T0)
            second = await delivery.deliver(s, corp, ids, now=T0)
            return first[0], second[0]

    assert asyncio.run(twice()) == (3, 0)
    assert count(db, select(func.count()).select_from(AppMessage)) == 3


def test_stop_conditions_hold_at_delivery(db: Database) -> None:
    w = asyncio.run(world.build(db, 3))
    a, b, c = w.customer_ids
    tpl = asyncio.run(
        world.template(
            db,
            w.corp_id,
            [{"text": "第一步"}, {"day": 1, "text": "第二步"}],
            stop={"converted_tags": ["won"], "tags_removed": ["tagA"]},
        )
    )
    for cid in (a, b, c):
        asyncio.run(world.tag(db, w.corp_id, cid, "tagA"))
    asyncio.run(start_all(db, w, tpl.id, w.customer_ids))
    asyncio.run(world.tag(db, w.corp_id, b, "won"))  # b converted

    async def lose(cid: int) -> None:
        async with db.unit_of_work() as s:
            await s.execute(
                update(FollowRelation)
                .where(FollowRelation.customer_id == cid)
                .values(deleted_at=T0)
            )

    asyncio.run(lose(c))  # c deleted the employee
    result = asyncio.run(delivery.scan_due(db, w.corp_id, now=T0 + timedelta(minutes=1)))
    assert result.delivered == 1 and result.cancelled == 2
    reasons = dict(
        asyncio.run(
            _rows(
                db, select(SopRun.customer_id, SopRun.stop_reason).where(SopRun.status == "stopped")
            )
        )
    )
    assert reasons == {b: "converted", c: "lost"}
    # the stopped runs' later steps are cancelled too: nothing left to fire for them
    assert (
        count(
            db,
            select(func.count()).where(
                SopTask.status == "scheduled", SopTask.customer_id.in_([b, c])
            ),
        )
        == 0
    )


async def _rows(db: Database, stmt: Any) -> list[Any]:
    async with db.unit_of_work() as s:
        return list((await s.execute(stmt)).all())


def test_editing_steps_keeps_running_timers(db: Database) -> None:
    w = asyncio.run(world.build(db, 2))
    a, b = w.customer_ids
    tpl = asyncio.run(
        world.template(
            db,
            w.corp_id,
            [{"text": "旧版欢迎"}, {"day": 3, "at_time": "20:00", "text": "旧版回访"}],
        )
    )
    asyncio.run(start_all(db, w, tpl.id, [a]))
    before = asyncio.run(
        _rows(
            db,
            select(SopTask.step_id, SopTask.due_at)
            .where(SopTask.customer_id == a)
            .order_by(SopTask.position),
        )
    )

    edited = TemplateIn.model_validate(
        {
            "name": "新客7天培育",
            "trigger": {"kind": "tag_added", "tag_ids": ["tagA"]},
            "steps": [
                {"text": "新版欢迎"},
                {"day": 1, "minutes": 30, "text": "新版回访"},
                {"day": 7, "text": "第七天"},
            ],
        }
    )

    async def edit() -> int:
        async with db.unit_of_work() as s:
            return (await service.update(s, w.corp_id, tpl.id, edited)).version

    assert asyncio.run(edit()) == 2
    after = asyncio.run(
        _rows(
            db,
            select(SopTask.step_id, SopTask.due_at)
            .where(SopTask.customer_id == a)
            .order_by(SopTask.position),
        )
    )
    assert after == before  # a keeps version 1: same steps, same due times
    assert before[1][1] == datetime(2026, 3, 5, 12, 0, tzinfo=UTC)  # day 3 at 20:00 Shanghai
    asyncio.run(start_all(db, w, tpl.id, [b]))
    texts = asyncio.run(
        _rows(
            db,
            select(SopStep.text)
            .join(SopTask, SopTask.step_id == SopStep.id)
            .where(SopTask.customer_id == b)
            .order_by(SopTask.position),
        )
    )
    assert [t for (t,) in texts] == ["新版欢迎", "新版回访", "第七天"]

    # an edit that changes only the name keeps the version
    async def rename() -> int:
        async with db.unit_of_work() as s:
            return (
                await service.update(
                    s, w.corp_id, tpl.id, edited.model_copy(update={"name": "改名"})
                )
            ).version

    assert asyncio.run(rename()) == 2


def test_a_customer_runs_a_template_once(db: Database) -> None:
    w = asyncio.run(world.build(db, 1))
    tpl = asyncio.run(world.template(db, w.corp_id, [{"text": "欢迎"}]))
    asyncio.run(start_all(db, w, tpl.id, w.customer_ids))
    asyncio.run(start_all(db, w, tpl.id, w.customer_ids))
    assert count(db, select(func.count()).select_from(SopRun)) == 1
    assert count(db, select(func.count()).select_from(SopTask)) == 1


def test_an_item_archived_after_the_step_was_written_is_left_out(db: Database) -> None:
    w = asyncio.run(world.build(db, 1))

    async def item() -> int:
        async with db.unit_of_work() as s:
            corp = await s.get(Corp, w.corp_id)
            assert corp is not None
            made = await content.create(
                s, corp, ContentIn(kind="link", title="旧活动", url="https://example.com/old")
            )
            return made.id

    item_id = asyncio.run(item())
    tpl = asyncio.run(world.template(db, w.corp_id, [{"text": "看看这个", "item_ids": [item_id]}]))
    asyncio.run(start_all(db, w, tpl.id, w.customer_ids))

    async def archive() -> None:
        async with db.unit_of_work() as s:
            corp = await s.get(Corp, w.corp_id)
            assert corp is not None
            await content.archive(s, corp, item_id)

    asyncio.run(archive())
    result = asyncio.run(delivery.scan_due(db, w.corp_id, now=T0 + timedelta(minutes=1)))
    assert result.delivered == 1
    pieces = asyncio.run(_rows(db, select(SopTask.content)))[0][0]["pieces"]
    assert pieces == [{"kind": "text", "text": "看看这个"}]
