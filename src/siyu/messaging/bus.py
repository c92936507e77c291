"""In-process domain events: handlers run inside the unit of work that made the change.

Domains subscribe at import time (``siyu.worker.tasks`` imports every domain's handlers)::

    @subscribe(CUSTOMER_ADDED)
    async def greet(ctx: EventContext, event: DomainEvent) -> None: ...

A handler that needs outbound work to WeCom should record it durably (a row) and enqueue a job
with ``siyu.messaging.outbox.enqueue(ctx.session, task, ...)`` rather than call WeCom inline, unless
the call is short and must happen now (e.g. a welcome message within its 20 s window).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.wecom.client import WeComClient

log = logging.getLogger(__name__)

CUSTOMER_ADDED = "customer.added"  # a follow relation began (or began again)
CUSTOMER_EDITED = "customer.edited"  # remark / tags of a relation changed in WeCom
CUSTOMER_DELETED = "customer.deleted"  # a relation ended (by the customer or the employee)
GROUP_CHANGED = "group.changed"  # a group chat was created / updated / dismissed
CUSTOMER_STAGE_CHANGED = "customer.stage_changed"  # set in the console/API (customers.stages)
CUSTOMER_TRANSFER_FAILED = "customer.transfer_failed"  # WeCom's transfer_fail: a takeover failed

KINDS = (
    CUSTOMER_ADDED,
    CUSTOMER_EDITED,
    CUSTOMER_DELETED,
    GROUP_CHANGED,
    CUSTOMER_STAGE_CHANGED,
    CUSTOMER_TRANSFER_FAILED,
)


@dataclass(frozen=True)
class DomainEvent:
    """``data`` carries the kind's fields, listed with each publish call in events/service.py."""

    kind: str
    corp_id: int
    occurred_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventContext:
    session: AsyncSession
    client: WeComClient


Handler = Callable[[EventContext, DomainEvent], Awaitable[None]]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(kind: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``kind`` (idempotent per function)."""
    if kind not in KINDS:
        raise ValueError(f"unknown domain event {kind}")

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[kind]:
            _handlers[kind].append(handler)
        return handler

    return register


async def publish(ctx: EventContext, event: DomainEvent) -> None:
    """Run every handler of the event's kind, in registration order, in this transaction."""
    for handler in list(_handlers.get(event.kind, [])):
        await handler(ctx, event)


def handlers(kind: str) -> list[Handler]:
    return list(_handlers.get(kind, []))
