"""Follow-ups follow a customer who changes hands (registered on import by ``siyu.worker.tasks``).

WeCom tells Siyu of a completed on-job or resigned transfer only through the ordinary relation
events: the taker's relation is added (``add_external_contact``, not sent when the taker already
was a friend) and the giver's relation is deleted with ``Source=DELETE_BY_TRANSFER``
(``del_external_contact``). On that delete the giver's follow-ups move to the customer's most
recently added live relation, the taker. The inheritance work calls
:func:`siyu.customers.follow_ups.hand_over` directly where it knows the taker.
"""

from __future__ import annotations

from siyu.customers import follow_ups
from siyu.customers.models import FollowRelation
from siyu.db.repository import scoped
from siyu.messaging.bus import CUSTOMER_DELETED, DomainEvent, EventContext, subscribe

TRANSFER_SOURCE = "DELETE_BY_TRANSFER"


@subscribe(CUSTOMER_DELETED)
async def on_transferred_away(ctx: EventContext, event: DomainEvent) -> None:
    d = event.data
    if d.get("source") != TRANSFER_SOURCE or d.get("by") != "employee":
        return
    giver, customer_id = str(d.get("userid") or ""), int(d["customer_id"])
    taker = await ctx.session.scalar(
        scoped(FollowRelation, event.corp_id, FollowRelation.userid)
        .where(
            FollowRelation.customer_id == customer_id,
            FollowRelation.deleted_at.is_(None),
            FollowRelation.userid != giver,
        )
        .order_by(FollowRelation.added_at.desc().nulls_last(), FollowRelation.id.desc())
        .limit(1)
    )
    if giver and taker:
        await follow_ups.hand_over(
            ctx.session, event.corp_id, [customer_id], giver, taker, now=event.occurred_at
        )
