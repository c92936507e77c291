"""Domain-event handlers of SOPs (registered on import by ``siyu.worker.tasks``).

Runs whose first step is due at once get a scan of the corp after commit, so a
"day 0 +0 min" step reaches the employee without waiting for the minute tick.
"""

from __future__ import annotations

from siyu.events.bus import (
    CUSTOMER_ADDED,
    CUSTOMER_DELETED,
    CUSTOMER_EDITED,
    CUSTOMER_STAGE_CHANGED,
    GROUP_CHANGED,
    DomainEvent,
    EventContext,
    subscribe,
)
from siyu.sop import repository as repo
from siyu.sop import triggers
from siyu.sop.tasks import sop_scan
from siyu.worker import outbox


async def _scan_if_due(ctx: EventContext, event: DomainEvent, started: int) -> None:
    if started and await repo.has_due(ctx.session, event.corp_id, now=event.occurred_at):
        outbox.enqueue(ctx.session, sop_scan, event.corp_id)


@subscribe(CUSTOMER_ADDED)
async def sop_customer_added(ctx: EventContext, event: DomainEvent) -> None:
    started = await triggers.on_customer_changed(
        ctx.session, event.corp_id, event.data, now=event.occurred_at, added=True
    )
    await _scan_if_due(ctx, event, started)


@subscribe(CUSTOMER_EDITED)
async def sop_customer_edited(ctx: EventContext, event: DomainEvent) -> None:
    started = await triggers.on_customer_changed(
        ctx.session, event.corp_id, event.data, now=event.occurred_at, added=False
    )
    await _scan_if_due(ctx, event, started)


@subscribe(CUSTOMER_DELETED)
async def sop_customer_deleted(ctx: EventContext, event: DomainEvent) -> None:
    await triggers.on_customer_deleted(
        ctx.session, event.corp_id, event.data, now=event.occurred_at
    )


@subscribe(GROUP_CHANGED)
async def sop_group_changed(ctx: EventContext, event: DomainEvent) -> None:
    started = await triggers.on_group_changed(
        ctx.session, event.corp_id, event.data, now=event.occurred_at
    )
    await _scan_if_due(ctx, event, started)


@subscribe(CUSTOMER_STAGE_CHANGED)
async def sop_customer_stage_changed(ctx: EventContext, event: DomainEvent) -> None:
    started = await triggers.on_stage_changed(
        ctx.session, event.corp_id, event.data, now=event.occurred_at
    )
    await _scan_if_due(ctx, event, started)
