"""The minute's scan: a scheduled task starts at its start time (once), the automatic reminder
goes out before the deadline (once), and the task ends at its deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from siyu.acquisition.models import AppMessage
from siyu.broadcasts.models import Broadcast
from siyu.corps import service as corps
from siyu.corps.principal import Principal
from siyu.db.session import Database
from siyu.frontline import service
from siyu.frontline.launch import Signer
from siyu.frontline.schemas import TaskIn
from siyu.frontline.tasks import remind_now
from tests.conftest import CorpHandle, Sandbox, full_sync

SIGNER = Signer("test-secret-key", "http://siyu.test")


async def test_scheduled_start_auto_reminder_and_end(
    db: Database, sb: Sandbox, corp: CorpHandle
) -> None:
    await full_sync(db, corp)
    userids = [e["userid"] for e in sb.get("/sandbox/employees")[:3]]
    now = datetime.now(UTC)
    start, deadline = now + timedelta(hours=1), now + timedelta(hours=5)
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        admin = Principal(corp=c, role="admin", name="admin")
        data = TaskIn(
            name="周末促销",
            text="周末到店礼",
            userids=userids,
            start_at=start,
            deadline=deadline,
            remind_before_minutes=60,
        )
        task = await service.create(s, admin, data)
        task, out = await service.start(s, admin, task.id, signer=SIGNER, now=now)
        assert task.status == "scheduled" and out.broadcasts == [] and out.messages == []
        task_id = task.id

    async with db.unit_of_work() as s:  # not yet due
        work = await service.due(s, now=start - timedelta(seconds=1), signer=SIGNER)
        assert work["launched"] == [] and work["remind"] == []
    for _ in range(2):  # the second scan finds nothing more to launch
        async with db.unit_of_work() as s:
            work = await service.due(s, now=start + timedelta(seconds=5), signer=SIGNER)
            launched = work["launched"]
            if _ == 0:
                assert [cid for cid, _o in launched] == [corp.id]
                assert len(launched[0][1].broadcasts) == 1 and len(launched[0][1].messages) == 1
            else:
                assert launched == []
    async with db.unit_of_work() as s:
        task = await service.get(s, admin, task_id)
        assert task.status == "running" and task.broadcast_id is not None
        b = await s.get(Broadcast, task.broadcast_id)
        assert b is not None and b.audience["userids"] == sorted(userids)
        assert b.created_by == f"task:{task_id}"
        starts = (await s.scalars(select(AppMessage).where(AppMessage.kind == "task"))).all()
        assert len(starts) == 1 and starts[0].status == "pending"
        assert sorted(starts[0].userids) == sorted(userids)
        assert f"http://siyu.test/tasks/{task_id}" in starts[0].text

    async with db.unit_of_work() as s:  # inside the reminder window: once
        work = await service.due(s, now=deadline - timedelta(minutes=30), signer=SIGNER)
        assert work["remind"] == [(corp.id, task_id)]
    async with db.unit_of_work() as s:
        work = await service.due(s, now=deadline - timedelta(minutes=29), signer=SIGNER)
        assert work["remind"] == []
    assert await remind_now(db, corp.id, task_id) == len(userids)  # nobody has sent yet
    async with db.unit_of_work() as s:
        reminders = (
            await s.scalars(
                select(AppMessage).where(AppMessage.ref.like(f"task:{task_id}:remind%"))
            )
        ).all()
        assert len(reminders) == 1 and "自动提醒" in reminders[0].text
        assert sorted(reminders[0].userids) == sorted(userids)
    async with db.unit_of_work() as s:
        work = await service.due(s, now=deadline + timedelta(seconds=1), signer=SIGNER)
        assert (corp.id, task_id) in work["sync"]
        task = await service.get(s, admin, task_id)
        assert task.status == "ended" and task.ended_at is not None
