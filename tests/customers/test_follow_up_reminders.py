"""Follow-up reminders (issue 16): the due app message once per setting (across a restart of the
scan, re-armed by a new time), the morning digest once per employee per corp-local day, and
follow-ups handed over with their customers. The clock is a ``now`` parameter."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from siyu.acquisition import ownership
from siyu.acquisition.tasks import message_now
from siyu.corps import service as corps
from siyu.corps.principal import Principal
from siyu.customers import follow_ups
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.profile_models import FollowUp, FollowUpDigest
from siyu.customers.profile_schemas import FollowUpIn
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.frontline import follow_up_reminders as reminders
from siyu.frontline.follow_up_tasks import scan_now
from siyu.messaging import bus
from siyu.wecom.sandbox import Sandbox
from tests.accounts.conftest import Team
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.customers.test_custom_fields_follow_ups import _three_customers


async def set_at(
    db: Database, corp_id: int, cid: int, userid: str, due: datetime | None, note: str = ""
) -> None:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        who = Principal(corp=corp, role="admin", name="测试")
        await follow_ups.set_follow_up(
            s, who, cid, FollowUpIn(userid=userid, due_at=due, note=note)
        )


async def messages(db: Database, corp_id: int, kind: str) -> list[ownership.AppMessage]:
    async with db.unit_of_work() as s:
        return await reminders.sent_messages(s, corp_id, kind)


async def name_of(db: Database, cid: int, userid: str) -> str:
    async with db.unit_of_work() as s:
        c = await s.get(Customer, cid)
        rel = await s.scalar(
            select(FollowRelation.remark).where(
                FollowRelation.customer_id == cid, FollowRelation.userid == userid
            )
        )
        assert c is not None
        return rel or c.name


async def test_due_reminder_once_across_restarts_rearmed_by_a_new_time(
    db: Database, team: Team, sb: Sandbox
) -> None:
    corp_id, staff = team.corp.id, team.staff_userid
    a, b, _ = await _three_customers(db, staff)
    t0 = utcnow().replace(microsecond=0) + timedelta(days=1)
    await set_at(db, corp_id, a, staff, t0 + timedelta(hours=1), "回访试用")
    await set_at(db, corp_id, b, staff, t0 + timedelta(hours=3), "")
    assert (await scan_now(db, now=t0 + timedelta(minutes=30)))["due"] == 0
    assert (await scan_now(db, now=t0 + timedelta(hours=2)))["due"] == 1
    # a restart of the scan (or a second worker) finds nothing left to send
    assert (await scan_now(db, now=t0 + timedelta(hours=2)))["due"] == 0
    [msg] = await messages(db, corp_id, reminders.KIND_DUE)
    assert msg.userids == [staff] and msg.status == "pending"
    assert "回访试用" in msg.text and f"/m/customers/{a}" in msg.text
    assert await name_of(db, a, staff) in msg.text
    # committed before it is sent: a crash here leaves it to the sweeper, never lost
    async with db.unit_of_work() as s:
        stale = await ownership.pending_messages(s, before=utcnow() + timedelta(minutes=1))
    assert (corp_id, msg.id) in stale
    assert await message_now(db, corp_id, msg.id) == "sent"
    assert await message_now(db, corp_id, msg.id) == "sent"  # the job again: not resent
    sent = [m for m in sb.get("/sandbox/app_messages") if "回访试用" in m["text"]["content"]]
    assert len(sent) == 1 and sent[0]["touser"] == [staff]
    # the same time with another note does not re-arm; a new time does
    await set_at(db, corp_id, a, staff, t0 + timedelta(hours=1), "改了事项")
    assert (await scan_now(db, now=t0 + timedelta(hours=2)))["due"] == 0
    await set_at(db, corp_id, a, staff, t0 + timedelta(hours=2, minutes=30), "再约")
    assert (await scan_now(db, now=t0 + timedelta(hours=2, minutes=10)))["due"] == 0
    assert (await scan_now(db, now=t0 + timedelta(hours=4)))["due"] == 2  # a again, and b
    texts = [m.text for m in await messages(db, corp_id, reminders.KIND_DUE)]
    assert len(texts) == 3 and "再约" in texts[1] + texts[2]
    # a time already past when it is set is overdue at once, not reminded
    await set_at(db, corp_id, b, staff, utcnow() - timedelta(hours=1), "补记")
    assert (await scan_now(db, now=t0 + timedelta(hours=5)))["due"] == 0
    # a follow-up cleared is never reminded
    await set_at(db, corp_id, b, staff, None)
    async with db.unit_of_work() as s:
        assert await s.get(FollowUp, (b, staff)) is None


async def test_digest_once_per_employee_per_corp_day(db: Database, team: Team) -> None:
    corp_id, staff = team.corp.id, team.staff_userid
    a, b, c = await _three_customers(db, staff)
    tz = ZoneInfo("Asia/Shanghai")
    day = (utcnow() + timedelta(days=3)).astimezone(tz).date()
    at = lambda d, h: datetime.combine(d, time(h), tzinfo=tz)  # noqa: E731
    await set_at(db, corp_id, a, staff, at(day - timedelta(days=1), 10), "昨天没打")
    await set_at(db, corp_id, b, staff, at(day, 14), "下午送样")
    await set_at(db, corp_id, c, staff, at(day + timedelta(days=1), 9), "明天的")

    async def run(now: datetime, hour: int = 9) -> int:
        async with db.unit_of_work() as s:
            return len(await reminders.digests(s, now=now, hour=hour, base_url="https://siyu.test"))

    assert await run(at(day, 8).replace(minute=59)) == 0  # before the corp's 09:00
    assert await run(at(day, 9).replace(minute=5)) == 1
    assert await run(at(day, 9).replace(minute=6)) == 0  # once a day
    assert await run(at(day, 17)) == 0
    [msg] = await messages(db, corp_id, reminders.KIND_DIGEST)
    assert msg.userids == [staff]
    assert "今日跟进 1 位客户，另有 1 位已逾期" in msg.text and "下午送样" in msg.text
    assert "明天的" not in msg.text and f"https://siyu.test/m/customers/{b}" in msg.text
    # the next corp day: again (one is overdue now, one is due)
    assert await run(at(day + timedelta(days=1), 9)) == 1
    # the corp's zone decides: at 09:30 in Shanghai it is 01:30 in London
    async with db.unit_of_work() as s:
        (await corps.get(s, corp_id)).timezone = "Europe/London"
    london = ZoneInfo("Europe/London")
    d2 = day + timedelta(days=2)
    assert await run(datetime.combine(d2, time(9, 30), tzinfo=tz)) == 0
    assert await run(datetime.combine(d2, time(9, 30), tzinfo=london)) == 1
    async with db.unit_of_work() as s:
        days = (await s.scalars(select(FollowUpDigest.day).order_by(FollowUpDigest.day))).all()
    assert days == [day, day + timedelta(days=1), d2]


async def test_hand_over_moves_follow_ups_and_rearms(db: Database, team: Team) -> None:
    corp_id, staff, taker = team.corp.id, team.staff_userid, team.manager_userid
    a, b, c = await _three_customers(db, staff)
    t0 = utcnow().replace(microsecond=0) + timedelta(days=1)
    await set_at(db, corp_id, a, staff, t0, "甲")
    await set_at(db, corp_id, b, staff, t0 + timedelta(hours=5), "乙")
    assert (await scan_now(db, now=t0 + timedelta(minutes=1)))["due"] == 1  # a, to staff
    async with db.unit_of_work() as s:
        # the taker already planned b earlier: the earlier one wins
        s.add(FollowUp(customer_id=b, userid=taker, corp_id=corp_id, due_at=t0, note="我的"))
    async with db.unit_of_work() as s:
        moved = await follow_ups.hand_over(s, corp_id, [a, b, c], staff, taker)
    assert moved == 2
    async with db.unit_of_work() as s:
        rows = {(f.customer_id, f.userid): f for f in (await s.scalars(select(FollowUp))).all()}
    assert set(rows) == {(a, taker), (b, taker)}
    assert rows[(a, taker)].note == "甲" and rows[(a, taker)].reminded_at is None
    assert rows[(b, taker)].note == "我的"
    async with db.unit_of_work() as s:
        assert await follow_ups.hand_over(s, corp_id, [a], staff, taker) == 0  # idempotent


async def test_transfer_delete_event_hands_over(db: Database, team: Team) -> None:
    """The hook: the giver's relation deleted with Source=DELETE_BY_TRANSFER. The handler is
    called alone (the other domains' handlers of the event need the whole ingest: see
    test_follow_up_transfer.py for the flow through real callbacks)."""
    from siyu.customers.follow_up_handlers import on_transferred_away

    corp_id, staff, taker = team.corp.id, team.staff_userid, team.manager_userid
    a, _, _ = await _three_customers(db, staff)
    t0 = utcnow().replace(microsecond=0) + timedelta(days=1)
    await set_at(db, corp_id, a, staff, t0, "跟着客户走")
    async with db.unit_of_work() as s:  # the taker's relation: the latest added
        rel = await s.scalar(
            select(FollowRelation).where(
                FollowRelation.customer_id == a, FollowRelation.userid == taker
            )
        )
        if rel is None:
            rel = FollowRelation(corp_id=corp_id, customer_id=a, userid=taker)
            s.add(rel)
        rel.added_at, rel.deleted_at = utcnow(), None
    for source, expect in [("", staff), ("DELETE_BY_TRANSFER", taker)]:
        async with db.unit_of_work() as s:
            await on_transferred_away(
                bus.EventContext(s, None),  # type: ignore[arg-type]
                bus.DomainEvent(
                    bus.CUSTOMER_DELETED,
                    corp_id,
                    utcnow(),
                    {"customer_id": a, "userid": staff, "by": "employee", "source": source},
                ),
            )
        async with db.unit_of_work() as s:
            assert [f.userid for f in (await s.scalars(select(FollowUp))).all()] == [expect]


async def test_digest_fits_wecoms_2048_bytes(db: Database, team: Team) -> None:
    corp_id, staff = team.corp.id, team.staff_userid
    async with db.unit_of_work() as s:
        cids = (
            await s.scalars(
                select(FollowRelation.customer_id).where(
                    FollowRelation.userid == staff, FollowRelation.deleted_at.is_(None)
                )
            )
        ).all()
    tz = ZoneInfo("Asia/Shanghai")
    day = (utcnow() + timedelta(days=3)).astimezone(tz).date()
    for i, cid in enumerate(cids[:10]):
        when = datetime.combine(day, time(10, i), tzinfo=tz)
        await set_at(db, corp_id, cid, staff, when, f"{i}" + "长" * 99)
    async with db.unit_of_work() as s:
        now = datetime.combine(day, time(9), tzinfo=tz)
        assert len(await reminders.digests(s, now=now, hour=9, base_url="https://siyu.test")) == 1
    [msg] = await messages(db, corp_id, reminders.KIND_DIGEST)
    assert len(msg.text.encode()) <= 2048
    assert f"今日跟进 {min(len(cids), 10)} 位客户" in msg.text
    if len(cids) >= 5:  # 5 × ~400 bytes do not fit: the rest is counted, not cut mid-line
        assert f"……共 {min(len(cids), 10)} 位" in msg.text
