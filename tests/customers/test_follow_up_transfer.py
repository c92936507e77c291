"""A follow-up follows its customer through a transfer seen as WeCom callbacks (issue 16): the
taker's relation added, then the giver's deleted with ``Source=DELETE_BY_TRANSFER``; a plain
delete by the employee moves nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from siyu.customers.models import Customer
from siyu.customers.profile_models import FollowUp
from siyu.db.base import utcnow
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, events_settled
from tests.customers.test_follow_up_reminders import set_at


def follow_ups_of(db: Database, cid: int) -> list[tuple[str, str]]:
    async def go() -> list[tuple[str, str]]:
        async with db.unit_of_work() as s:
            rows = await s.scalars(select(FollowUp).where(FollowUp.customer_id == cid))
            return [(f.userid, f.note) for f in rows.all()]

    return asyncio.run(go())


def customer_id(db: Database, ext: str) -> int:
    async def go() -> int:
        async with db.unit_of_work() as s:
            cid = await s.scalar(select(Customer.id).where(Customer.external_userid == ext))
            assert cid is not None
            return int(cid)

    return asyncio.run(go())


def test_follow_up_moves_on_delete_by_transfer(live: CorpHandle, sb: Sandbox, db: Database) -> None:
    a, b, c = (e["userid"] for e in sb.get("/sandbox/employees")[:3])
    due = utcnow().replace(microsecond=0) + timedelta(days=2)
    # a plain delete by the employee: the follow-up stays with the employee (relation ended)
    ext0 = sb.act("add_customer", userid=a)["external_userid"]
    sb.act("add_customer", userid=c, external_userid=ext0)
    events_settled(db)
    cid0 = customer_id(db, ext0)
    asyncio.run(set_at(db, live.id, cid0, a, due, "不转"))
    sb.act("employee_delete", userid=a, external_userid=ext0)
    events_settled(db)
    assert follow_ups_of(db, cid0) == [(a, "不转")]
    # a transfer: b takes the customer over, then WeCom deletes a's relation
    ext = sb.act("add_customer", userid=a)["external_userid"]
    events_settled(db)
    cid = customer_id(db, ext)
    asyncio.run(set_at(db, live.id, cid, a, due, "交接后继续跟"))
    sb.act("add_customer", userid=b, external_userid=ext)
    sb.act("employee_delete", userid=a, external_userid=ext, source="DELETE_BY_TRANSFER")
    events_settled(db)
    assert follow_ups_of(db, cid) == [(b, "交接后继续跟")]
