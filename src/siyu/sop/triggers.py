"""Domain events → SOP runs: start matching templates, stop runs whose conditions hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition import channels
from siyu.acquisition.rotation import corp_tz
from siyu.customers.models import Customer, FollowRelation, RelationTag
from siyu.customers.stage_models import CustomerStage, CustomerStageState
from siyu.db.repository import scoped
from siyu.groups.models import GroupChat
from siyu.sop import repository as repo
from siyu.sop import runs
from siyu.sop.models import SopRun, SopTemplate


async def customer_tags(session: AsyncSession, corp_id: int, customer_id: int) -> set[str]:
    """The union of the customer's tags over their live relations."""
    rows = await session.scalars(
        select(RelationTag.tag_id)
        .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
        .where(
            # through the relations' (corp_id, customer_id, userid) key: relation_tags has
            # no customer index, and filtering it by customer scanned every corp tag row
            FollowRelation.corp_id == corp_id,
            FollowRelation.customer_id == customer_id,
            FollowRelation.deleted_at.is_(None),
        )
    )
    return set(rows.all())


async def tags_of_customers(
    session: AsyncSession, corp_id: int, customer_ids: set[int]
) -> dict[int, set[str]]:
    """:func:`customer_tags` of many customers in one query."""
    out: dict[int, set[str]] = {c: set() for c in customer_ids}
    if not customer_ids:
        return out
    rows = await session.execute(
        select(FollowRelation.customer_id, RelationTag.tag_id)
        .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
        .where(
            FollowRelation.corp_id == corp_id,
            FollowRelation.customer_id.in_(sorted(customer_ids)),
            FollowRelation.deleted_at.is_(None),
        )
    )
    for cid, tid in rows:
        out[cid].add(tid)
    return out


async def stages_of_customers(
    session: AsyncSession, corp_id: int, customer_ids: set[int]
) -> dict[int, tuple[int, str]]:
    """customer id → (current stage id, its kind), for stage stop conditions."""
    if not customer_ids:
        return {}
    rows = await session.execute(
        select(CustomerStageState.customer_id, CustomerStage.id, CustomerStage.kind)
        .join(CustomerStage, CustomerStage.id == CustomerStageState.stage_id)
        .where(
            CustomerStageState.corp_id == corp_id,
            CustomerStageState.customer_id.in_(sorted(customer_ids)),
        )
    )
    return {cid: (sid, kind) for cid, sid, kind in rows.all()}


async def relation_tags(
    session: AsyncSession, corp_id: int, customer_id: int, userid: str
) -> set[str]:
    rows = await session.scalars(
        select(RelationTag.tag_id)
        .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
        .where(
            FollowRelation.corp_id == corp_id,
            FollowRelation.customer_id == customer_id,
            FollowRelation.userid == userid,
            FollowRelation.deleted_at.is_(None),
        )
    )
    return set(rows.all())


async def _start_customer(
    session: AsyncSession,
    tpls: list[SopTemplate],
    *,
    customer_id: int,
    userid: str,
    now: datetime,
    tags: set[str],
    stage: tuple[int, str] | None = None,
) -> int:
    started = 0
    tz = None
    for tpl in tpls:
        if runs.stop_reason(tpl, tags, stage) in ("converted", "stage_reached"):
            continue  # already converted (or at a stop stage): nothing to nurture
        tz = tz or await corp_tz(session, tpl.corp_id)
        run = await runs.start(session, tpl, customer_id=customer_id, userid=userid, at=now, tz=tz)
        started += run is not None
    return started


async def on_customer_changed(
    session: AsyncSession, corp_id: int, data: dict[str, Any], *, now: datetime, added: bool
) -> int:
    """A relation was added or edited: start channel / tag templates, check stop conditions.

    Returns the runs started."""
    if not data.get("relation_exists") or not await repo.in_use(session, corp_id):
        return 0
    customer_id, userid = int(data["customer_id"]), str(data["userid"])
    running = await runs.running_for_customer(session, corp_id, customer_id)
    tpls = await repo.live_templates(session, corp_id, enabled_only=True)
    if not running and not tpls:
        return 0
    tags = await customer_tags(session, corp_id, customer_id)
    stage = (await stages_of_customers(session, corp_id, {customer_id})).get(customer_id)
    for run, tpl in running:
        reason = runs.stop_reason(tpl, tags, stage)
        if reason:
            await runs.stop(session, corp_id, [run.id], reason=reason, now=now)
    if not tpls:
        return 0
    matching: list[SopTemplate] = []
    code = (
        await channels.by_state(session, corp_id, str(data.get("state") or "")) if added else None
    )
    mine = await relation_tags(session, corp_id, customer_id, userid)
    for tpl in tpls:
        if tpl.target != "customer":
            continue
        if tpl.trigger_kind == "channel" and code is not None:
            if code.id in (tpl.trigger.get("channel_ids") or []):
                matching.append(tpl)
        elif tpl.trigger_kind == "tag_added" and set(tpl.trigger.get("tag_ids") or []) & mine:
            matching.append(tpl)
    return await _start_customer(
        session, matching, customer_id=customer_id, userid=userid, now=now, tags=tags, stage=stage
    )


async def on_stage_changed(
    session: AsyncSession, corp_id: int, data: dict[str, Any], *, now: datetime
) -> int:
    """A customer moved to a stage: running runs whose stop stages include it stop; templates
    triggered by it start (with the employee who set it if they follow the customer, else the
    customer's earliest live follower). Returns the runs started."""
    if not await repo.in_use(session, corp_id):
        return 0
    customer_id, stage_id = int(data["customer_id"]), int(data["stage_id"])
    stage = (stage_id, str(data.get("kind") or "open"))
    tags = await customer_tags(session, corp_id, customer_id)
    for run, tpl in await runs.running_for_customer(session, corp_id, customer_id):
        reason = runs.stop_reason(tpl, tags, stage)
        if reason:
            await runs.stop(session, corp_id, [run.id], reason=reason, now=now)
    tpls = [
        t
        for t in await repo.live_templates(session, corp_id, enabled_only=True)
        if t.target == "customer"
        and t.trigger_kind == "stage_reached"
        and stage_id in (t.trigger.get("stage_ids") or [])
    ]
    if not tpls:
        return 0
    followers = (
        await session.scalars(
            scoped(FollowRelation, corp_id, FollowRelation.userid)
            .where(FollowRelation.customer_id == customer_id, FollowRelation.deleted_at.is_(None))
            .order_by(FollowRelation.added_at, FollowRelation.id)
        )
    ).all()
    if not followers:
        return 0  # nobody follows the customer any more: nobody to do the steps
    userid = str(data.get("userid") or "")
    userid = userid if userid in followers else followers[0]
    return await _start_customer(
        session, tpls, customer_id=customer_id, userid=userid, now=now, tags=tags, stage=stage
    )


async def on_customer_deleted(
    session: AsyncSession, corp_id: int, data: dict[str, Any], *, now: datetime
) -> int:
    """The customer and the run's employee parted (either side): the run stops as lost."""
    if not await repo.in_use(session, corp_id):
        return 0
    pairs = await runs.running_for_customer(
        session, corp_id, int(data["customer_id"]), userid=str(data["userid"])
    )
    reason = "lost_by_employee" if data.get("by") == "employee" else "lost_by_customer"
    return await runs.stop(session, corp_id, [r.id for r, _ in pairs], reason=reason, now=now)


async def on_group_changed(
    session: AsyncSession, corp_id: int, data: dict[str, Any], *, now: datetime
) -> int:
    """Group created → group templates; external members joined → joined-group templates;
    dismissed → the group's runs stop."""
    if not await repo.in_use(session, corp_id):
        return 0
    chat_id = str(data.get("chat_id") or "")
    chat = await session.scalar(scoped(GroupChat, corp_id).where(GroupChat.chat_id == chat_id))
    if chat is None:
        return 0
    change = str(data.get("change_type") or "")
    if change == "dismiss":
        ids = (
            await session.scalars(
                scoped(SopRun, corp_id, SopRun.id).where(
                    SopRun.group_pk == chat.id, SopRun.status == "running"
                )
            )
        ).all()
        return await runs.stop(session, corp_id, ids, reason="dismissed", now=now)
    tpls = await repo.live_templates(session, corp_id, enabled_only=True)
    started = 0
    if change == "create":
        tz = await corp_tz(session, corp_id)
        for tpl in tpls:
            if tpl.trigger_kind == "group_created" and chat.owner:
                run = await runs.start(
                    session, tpl, group_pk=chat.id, userid=chat.owner, at=now, tz=tz
                )
                started += run is not None
    joined = [m["member_id"] for m in data.get("joined") or [] if m.get("type") == 2]
    join_tpls = [
        t
        for t in tpls
        if t.trigger_kind == "joined_group"
        and (not t.trigger.get("chat_ids") or chat_id in t.trigger["chat_ids"])
    ]
    if not joined or not join_tpls:
        return started
    rows = await session.execute(
        select(Customer.id, FollowRelation.userid)
        .join(FollowRelation, FollowRelation.customer_id == Customer.id)
        .where(
            Customer.corp_id == corp_id,
            Customer.external_userid.in_(joined),
            FollowRelation.deleted_at.is_(None),
        )
        .order_by(FollowRelation.added_at)
    )
    followers: dict[int, list[str]] = {}
    for cid, uid in rows.all():
        followers.setdefault(cid, []).append(uid)
    for cid, uids in followers.items():
        userid = chat.owner if chat.owner in uids else uids[0]
        tags = await customer_tags(session, corp_id, cid)
        started += await _start_customer(
            session, join_tpls, customer_id=cid, userid=userid, now=now, tags=tags
        )
    return started
