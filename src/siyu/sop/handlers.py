"""Domain-event handlers of SOPs (registered on import by ``siyu.worker.tasks``).

Runs whose first step is due at once get a scan of the corp after commit, so a
"day 0 +0 min" step reaches the employee without waiting for the minute tick.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict
from siyu.customers import stages
from siyu.customers.stage_models import CustomerStage
from siyu.db.repository import scoped
from siyu.messaging import outbox
from siyu.messaging.bus import (
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
from siyu.sop.models import SopTemplate
from siyu.sop.tasks import sop_scan


@stages.guard_deletion
async def refuse_deleting_a_stage_in_use(
    session: AsyncSession, corp_id: int, stage: CustomerStage
) -> None:
    """A stage that a live SOP starts on or stops at cannot be deleted."""
    tpls = await session.scalars(
        scoped(SopTemplate, corp_id).where(SopTemplate.deleted_at.is_(None))
    )
    for tpl in tpls.all():
        if stage.id in (tpl.trigger.get("stage_ids") or []) + (tpl.stop.get("stages") or []):
            raise Conflict(f"SOP {tpl.name} uses stage {stage.name}; change that SOP first")


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
