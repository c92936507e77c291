"""Backfill at enable time: start a template for customers who already match its trigger
(a live relation carrying one of its tags, or added through one of its channel codes).

Steps count from the backfill, not from the old add. Chunks of relations commit one by one
and show progress on the template; a crash resumes from the start harmlessly (a customer
runs a template once, so customers already started are skipped).
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import ChannelCode
from siyu.acquisition.rotation import corp_tz
from siyu.customers.models import FollowRelation, RelationTag
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.sop import repository as repo
from siyu.sop import runs, triggers
from siyu.sop.models import SopRun, SopTemplate

CHUNK = 500


async def pending(session: AsyncSession) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(SopTemplate.corp_id, SopTemplate.id).where(
            SopTemplate.backfill_status.in_(("pending", "running")),
            SopTemplate.enabled.is_(True),
            SopTemplate.deleted_at.is_(None),
        )
    )
    return [(c, i) for c, i in rows.all()]


async def _candidates(session: AsyncSession, tpl: SopTemplate) -> Select[int, int, str]:
    base = select(FollowRelation.id, FollowRelation.customer_id, FollowRelation.userid).where(
        FollowRelation.corp_id == tpl.corp_id, FollowRelation.deleted_at.is_(None)
    )
    if tpl.trigger_kind == "tag_added":
        tagged = select(RelationTag.relation_id).where(
            RelationTag.corp_id == tpl.corp_id,
            RelationTag.tag_id.in_(tpl.trigger.get("tag_ids") or []),
        )
        return base.where(FollowRelation.id.in_(tagged))
    states = select(ChannelCode.state).where(
        ChannelCode.corp_id == tpl.corp_id,
        ChannelCode.id.in_(tpl.trigger.get("channel_ids") or []),
    )
    return base.where(FollowRelation.state.in_(states))


async def preview(session: AsyncSession, tpl: SopTemplate) -> tuple[int, int]:
    """What a backfill would start now: (customers matching the trigger, of them those who
    have not run this SOP yet). Converted customers are skipped at run time, not here."""
    if tpl.target != "customer" or tpl.trigger_kind not in ("channel", "tag_added"):
        return 0, 0
    matching = (await _candidates(session, tpl)).subquery()
    customers = select(matching.c.customer_id).distinct().subquery()
    total = int(await session.scalar(select(func.count()).select_from(customers)) or 0)
    ran = select(SopRun.customer_id).where(
        SopRun.corp_id == tpl.corp_id, SopRun.template_id == tpl.id
    )
    new = int(
        await session.scalar(
            select(func.count()).select_from(customers).where(customers.c.customer_id.not_in(ran))
        )
        or 0
    )
    return total, new


async def run(db: Database, corp_id: int, template_id: int) -> int:
    started, after = 0, 0
    async with db.unit_of_work() as s:
        tpl = await repo.template(s, corp_id, template_id)
        if tpl is None or tpl.backfill_status not in ("pending", "running") or not tpl.enabled:
            return 0
        stmt = await _candidates(s, tpl)
        tpl.backfill_total = int(
            await s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        )
        tpl.backfill_status, tpl.backfill_done = "running", 0
    while True:
        async with db.unit_of_work() as s:
            tpl = await repo.template(s, corp_id, template_id)
            if tpl is None or tpl.backfill_status != "running" or not tpl.enabled:
                return started
            stmt = await _candidates(s, tpl)
            rows = (
                await s.execute(
                    stmt.where(FollowRelation.id > after).order_by(FollowRelation.id).limit(CHUNK)
                )
            ).all()
            if not rows:
                tpl.backfill_status = "done"
                return started
            tz, now = await corp_tz(s, corp_id), utcnow()
            for rel_id, customer_id, userid in rows:
                after = rel_id
                tags = await triggers.customer_tags(s, corp_id, customer_id)
                if runs.stop_reason(tpl, tags) == "converted":
                    continue
                r = await runs.start(s, tpl, customer_id=customer_id, userid=userid, at=now, tz=tz)
                started += r is not None
            tpl.backfill_done += len(rows)
