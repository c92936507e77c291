"""Domain-event handlers of acquisition (registered on import by ``siyu.worker.tasks``)."""

from __future__ import annotations

from sqlalchemy import select

from siyu.acquisition import attribution, channels, group_codes, ownership, rotation, welcome
from siyu.acquisition.models import AppMessage, ChannelAdd
from siyu.acquisition.tasks import apply_channel_extras, reconcile_channel, send_app_message
from siyu.customers.models import Customer, FollowRelation
from siyu.db.repository import scoped
from siyu.messaging import outbox
from siyu.messaging.bus import (
    CUSTOMER_ADDED,
    CUSTOMER_DELETED,
    GROUP_CHANGED,
    DomainEvent,
    EventContext,
    subscribe,
)


def _send(ctx: EventContext, corp_id: int, messages: list[AppMessage]) -> None:
    for m in messages:
        outbox.enqueue(ctx.session, send_app_message, corp_id, m.id)


@subscribe(CUSTOMER_ADDED)
async def on_customer_added(ctx: EventContext, event: DomainEvent) -> None:
    """Welcome first (its code lives 20 s), then attribution, follow-up jobs and ownership."""
    d, corp_id, s, now = event.data, event.corp_id, ctx.session, event.occurred_at
    if not d.get("relation_exists"):
        return
    cust = await s.get(Customer, d["customer_id"])
    if cust is None:
        return
    userid = str(d["userid"])
    tz = await rotation.corp_tz(s, corp_id)
    code = await channels.by_state(s, corp_id, str(d.get("state") or ""))
    if code is not None:
        if d.get("welcome_code") and code.deleted_at is None:
            await welcome.send(
                s,
                corp_id,
                ctx.client,
                code,
                welcome_code=str(d["welcome_code"]),
                external_userid=cust.external_userid,
                userid=userid,
                nickname=cust.name,
                employee=await attribution.employee_name(s, corp_id, userid),
                tz=tz,
            )
        open_add = await s.scalar(
            scoped(ChannelAdd, corp_id, ChannelAdd.id).where(
                ChannelAdd.customer_id == cust.id,
                ChannelAdd.userid == userid,
                ChannelAdd.channel_id == code.id,
                ChannelAdd.deleted_at.is_(None),
            )
        )
        if open_add is None:  # add_half then add_external for one relation count once
            add = await attribution.record_add(
                s, corp_id, code, customer_id=cust.id, userid=userid, now=now, tz=tz
            )
            if code.tag_ids or code.remark_template:
                outbox.enqueue(s, apply_channel_extras, corp_id, add.id)
            else:
                add.extras_status = "done"
            if code.staff:
                outbox.enqueue(s, reconcile_channel, corp_id, code.id)
    msgs = await ownership.on_added(
        s,
        corp_id,
        customer_id=cust.id,
        userid=userid,
        name=cust.name,
        state=str(d.get("state") or ""),
        channel_id=code.id if code else None,
        now=now,
    )
    await s.flush()
    _send(ctx, corp_id, msgs)


@subscribe(CUSTOMER_DELETED)
async def on_customer_deleted(ctx: EventContext, event: DomainEvent) -> None:
    """Count the channel loss, keep a loss record, alert the employee a customer left."""
    d, corp_id, s, now = event.data, event.corp_id, ctx.session, event.occurred_at
    tz = await rotation.corp_tz(s, corp_id)
    userid, by = str(d["userid"]), str(d.get("by") or "customer")
    add = await attribution.record_loss(
        s, corp_id, customer_id=d["customer_id"], userid=userid, by=by, now=now, tz=tz
    )
    rel = await s.get(FollowRelation, d["relation_id"])
    name = await s.scalar(select(Customer.name).where(Customer.id == d["customer_id"]))
    msgs = await ownership.on_deleted(
        s,
        corp_id,
        customer_id=d["customer_id"],
        userid=userid,
        by=by,
        source=str(d.get("source") or ""),
        name=name or "",
        channel_id=add.channel_id if add else None,
        added_at=rel.added_at if rel else None,
        now=now,
    )
    await s.flush()
    _send(ctx, corp_id, msgs)


@subscribe(GROUP_CHANGED)
async def on_group_changed(ctx: EventContext, event: DomainEvent) -> None:
    d = event.data
    await group_codes.on_group_changed(
        ctx.session,
        event.corp_id,
        chat_id=str(d.get("chat_id") or ""),
        joined=list(d.get("joined") or []),
        left=list(d.get("left") or []),
        now=event.occurred_at,
    )
