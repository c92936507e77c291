"""Domain-event handlers: a changed customer is re-evaluated against the corp's rule tags
after the change commits (the queue task reads committed state only)."""

from __future__ import annotations

from siyu.messaging import outbox
from siyu.messaging.bus import (
    CUSTOMER_ADDED,
    CUSTOMER_DELETED,
    CUSTOMER_EDITED,
    DomainEvent,
    EventContext,
    subscribe,
)
from siyu.segments import rule_tag_repository as rrepo
from siyu.segments.tasks import evaluate_rule_tags


@subscribe(CUSTOMER_ADDED)
@subscribe(CUSTOMER_EDITED)
@subscribe(CUSTOMER_DELETED)
async def reevaluate_rule_tags(ctx: EventContext, event: DomainEvent) -> None:
    customer_id = event.data.get("customer_id")
    if customer_id is None or not await rrepo.has_active(ctx.session, event.corp_id):
        return
    outbox.enqueue(ctx.session, evaluate_rule_tags, event.corp_id, [int(customer_id)])
