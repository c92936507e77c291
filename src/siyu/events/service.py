"""Inbound WeCom events: store idempotently, then process by fetching fresh state from WeCom."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers import ingest as customers
from siyu.customers import timeline as tl
from siyu.customers.models import Customer, FollowRelation
from siyu.db.base import utcnow
from siyu.events import chats, repository
from siyu.events.models import InboundEvent
from siyu.messaging import bus
from siyu.tags import ingest as tags
from siyu.wecom.callbacks import CallbackEvent, transfer_fail
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError

log = logging.getLogger(__name__)
NO_RELATION = {84061, 40096}  # the relation (or contact) no longer exists in WeCom


# Events whose handler only re-reads WeCom's current state. WeCom's content-based key cannot
# tell a redelivery from a second identical change in the same second, so when such an event
# comes again after the first was processed it is re-armed: re-reading is harmless and catches
# the second change. Other events (adds, deletes, and group member changes that name their
# members: see _rearms) are dropped as redeliveries.
REFRESH_EVENTS = {
    ("change_external_contact", "edit_external_contact"),
    ("change_external_chat", "update"),
    ("change_external_tag", "create"),
    ("change_external_tag", "update"),
    ("change_external_tag", "delete"),
    ("change_external_tag", "shuffle"),
}


async def store(session: AsyncSession, corp_id: int, event: CallbackEvent, xml: str) -> int | None:
    """Persist a raw event; the row id to process, or None for a redelivery to ignore."""
    new_id = await repository.insert_if_new(
        session,
        {
            "corp_id": corp_id,
            "event_key": event.key,
            "event": event.event[:64],
            "change_type": event.change_type[:64],
            "payload": event.fields,
            "xml": xml,
            "received_at": utcnow(),
            "status": "pending",
        },
    )
    if new_id is not None:
        return new_id
    if not _rearms(event):
        return None
    return await repository.rearm_if_processed(session, corp_id, event.key)


async def store_many(
    session: AsyncSession,
    items: list[tuple[int, CallbackEvent, str]],
    *,
    received: list[datetime] | None = None,
) -> list[int | None]:
    """:func:`store` for many (corp_id, event, xml) at once, with the same results in order.

    One INSERT for the whole list; only keys that were already stored take the per-event
    re-arm path (rare: WeCom's redeliveries). ``received``: when each arrived (default now).
    """
    now = utcnow()
    times = received or [now] * len(items)
    new = await repository.insert_many_if_new(
        session,
        [
            {
                "corp_id": corp_id,
                "event_key": event.key,
                "event": event.event[:64],
                "change_type": event.change_type[:64],
                "payload": event.fields,
                "xml": xml,
                "received_at": at,
                "status": "pending",
            }
            for (corp_id, event, xml), at in zip(items, times, strict=True)
        ],
    )
    out: list[int | None] = []
    for corp_id, event, _ in items:
        new_id = new.pop((corp_id, event.key), None)  # a repeat in the same list is a redelivery
        if new_id is None and _rearms(event):
            new_id = await repository.rearm_if_processed(session, corp_id, event.key)
        out.append(new_id)
    return out


@dataclass(frozen=True, slots=True)
class Pending:
    """What a drain needs of a pending event (read with Core: no ORM object per event)."""

    id: int
    corp_id: int
    event: str
    change_type: str
    payload: dict[str, Any]


class Prefetched:
    """WeCom state read before a batch's transaction (so no lock is held during HTTP).

    Values are what the call returned or the WeComError it raised; a missing key is fetched
    when the handler needs it.
    """

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], Any] = {}

    async def get(self, key: tuple[str, ...], fetch: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self.values:
            try:
                self.values[key] = await fetch()
            except WeComError as exc:
                self.values[key] = exc
        value = self.values[key]
        if isinstance(value, WeComError):
            raise value
        return value


def swept_key(external_userid: str, userid: str) -> tuple[str, ...]:
    """The cache key of one relation's (customer, relation) state read by a sweep of the
    employee's customers (``siyu.events.prefetch``)."""
    return ("relation", external_userid, userid)


def fetch_plan(row: Pending, client: WeComClient) -> tuple[tuple[str, ...], Any] | None:
    """The WeCom read an event will need: (cache key, coroutine factory), or None."""
    payload = row.payload or {}
    if row.event == "change_external_contact" and row.change_type in FETCHING_CONTACT_CHANGES:
        ext = payload.get("ExternalUserID", "")
        return ("contact", ext), lambda: client.get_external_contact(ext)
    if row.event == "change_external_chat" and row.change_type != "dismiss":
        chat_id = payload.get("ChatId", "")
        return ("chat", chat_id), lambda: client.get_group_chat(chat_id)
    if row.event == "change_external_tag":
        return ("tags",), client.get_corp_tag_list
    return None


FETCHING_CONTACT_CHANGES = {
    "add_external_contact",
    "add_half_external_contact",
    "edit_external_contact",
}


async def process(
    session: AsyncSession, event_id: int, client: WeComClient, cache: Prefetched | None = None
) -> str:
    """Apply one stored event; returns its final status (done, ignored, failed)."""
    row = await session.get(InboundEvent, event_id)
    if row is None or row.status in ("done", "ignored"):
        return row.status if row else "missing"
    row.attempts += 1
    ev = CallbackEvent(row.event, row.change_type, dict(row.payload))
    now = utcnow()
    handler = _HANDLERS.get(row.event)
    if handler is None:
        row.status, row.processed_at = "ignored", now
        return row.status
    await handler(session, row.corp_id, ev, client, now, cache or Prefetched())
    row.status, row.processed_at, row.error = "done", now, None
    return row.status


async def _contact(
    session: AsyncSession,
    corp_id: int,
    ev: CallbackEvent,
    client: WeComClient,
    now: datetime,
    cache: Prefetched,
) -> None:
    ext, userid, change = ev.get("ExternalUserID"), ev.get("UserID"), ev.change_type
    ctx = bus.EventContext(session, client)
    if not ext:
        return
    events: list[dict[str, Any]] = []
    if change in ("del_external_contact", "del_follow_user"):
        kind = (
            tl.DELETED_BY_EMPLOYEE if change == "del_external_contact" else tl.DELETED_BY_CUSTOMER
        )
        rel = await _relation(session, corp_id, ext, userid)
        if rel is not None and rel.deleted_at is None:
            extra = {"source": ev.get("Source")} if ev.get("Source") else {}
            await customers.mark_relation_deleted(
                session,
                corp_id,
                rel.id,
                kind=kind,
                now=now,
                events=events,
                customer_id=rel.customer_id,
                userid=userid,
                **extra,
            )
            await tl.record(session, events)
            cust = await session.get(Customer, rel.customer_id)
            await customers.refresh_customer_status(session, corp_id, [cust], now=now)
            # data: customer_id, external_userid, userid, relation_id, by, source
            await bus.publish(
                ctx,
                bus.DomainEvent(
                    bus.CUSTOMER_DELETED,
                    corp_id,
                    now,
                    {
                        "customer_id": rel.customer_id,
                        "external_userid": ext,
                        "userid": userid,
                        "relation_id": rel.id,
                        "by": "employee" if change == "del_external_contact" else "customer",
                        "source": ev.get("Source"),
                    },
                ),
            )
        return
    if change == "transfer_fail":
        cust = await session.scalar(
            select(Customer).where(Customer.corp_id == corp_id, Customer.external_userid == ext)
        )
        if cust is not None:
            await tl.record(
                session,
                [
                    tl.entry(
                        corp_id,
                        cust.id,
                        tl.TRANSFER_FAILED,
                        at=now,
                        userid=userid,
                        reason=ev.get("FailReason"),
                    )
                ],
            )
        failed = transfer_fail(ev)
        assert failed is not None
        # data: customer_id (None if Siyu does not know the customer), external_userid,
        #       takeover_userid (WeCom's UserID: the successor), reason
        await bus.publish(
            ctx,
            bus.DomainEvent(
                bus.CUSTOMER_TRANSFER_FAILED,
                corp_id,
                now,
                {
                    "customer_id": cust.id if cust is not None else None,
                    "external_userid": failed.external_userid,
                    "takeover_userid": failed.takeover_userid,
                    "reason": failed.reason,
                },
            ),
        )
        return
    # add_external_contact, add_half_external_contact, edit_external_contact: fetch fresh state
    try:
        detail = await cache.get(("contact", ext), lambda: client.get_external_contact(ext))
    except WeComError as exc:
        if exc.errcode in NO_RELATION:
            log.info("contact %s is gone from WeCom (%s); nothing to apply", ext, exc.errcode)
            return
        raise
    pairs = contact_pairs(detail)
    result = await customers.apply_contacts(session, corp_id, pairs, now=now)
    await _publish_contact(ctx, corp_id, ev, _follows(pairs), result, now)


def _follows(
    pairs: list[tuple[customers.ContactData, customers.FollowData]],
) -> dict[tuple[str, str], customers.FollowData]:
    return {(c.external_userid, f.userid): f for c, f in pairs}


def contact_pairs(detail: Any) -> list[tuple[customers.ContactData, customers.FollowData]]:
    """(customer, relation) pairs of an ``externalcontact/get`` answer."""
    contact = customers.contact_from(detail.external_contact)
    return [(contact, customers.follow_from(f)) for f in detail.follow_user]


async def _publish_contact(
    ctx: bus.EventContext,
    corp_id: int,
    ev: CallbackEvent,
    follows: dict[tuple[str, str], customers.FollowData],
    result: customers.ApplyResult,
    now: datetime,
) -> None:
    """Tell the domains a relation was added (or edited), once its state is applied.
    ``follows``: the applied relations by (external_userid, userid), see :func:`_follows`."""
    ext, userid, change = ev.get("ExternalUserID"), ev.get("UserID"), ev.change_type
    customer_id = result.customer_ids.get(ext)
    if customer_id is None:
        return
    follow = follows.get((ext, userid))
    kind = bus.CUSTOMER_EDITED if change == "edit_external_contact" else bus.CUSTOMER_ADDED
    # data: customer_id, external_userid, userid, change_type, state, welcome_code, add_way,
    #       new_customer (first seen by Siyu in this change), relation_exists
    await bus.publish(
        ctx,
        bus.DomainEvent(
            kind,
            corp_id,
            now,
            {
                "customer_id": customer_id,
                "external_userid": ext,
                "userid": userid,
                "change_type": change,
                "state": ev.get("State") or (follow.state if follow else ""),
                "welcome_code": ev.get("WelcomeCode"),
                "add_way": follow.add_way if follow else 0,
                "new_customer": customer_id in result.new_customer_ids,
                "relation_exists": follow is not None,
            },
        ),
    )


async def process_batch(
    session: AsyncSession, rows: Sequence[Pending], client: WeComClient, cache: Prefetched
) -> None:
    """Apply events in arrival order, as :func:`process` would one by one.

    Consecutive customer adds/edits form a run applied with ONE bulk ``apply_contacts`` of the
    state read for them (applying the same state once or once per event is the same), and
    marked done with one UPDATE; every other event is a barrier handled alone, so the order of
    effects is kept.
    """
    run: list[Pending] = []
    for row in rows:
        if row.event == "change_external_contact" and row.change_type in FETCHING_CONTACT_CHANGES:
            run.append(row)
            continue
        await _apply_run(session, run, client, cache)
        run = []
        await process(session, row.id, client, cache)
    await _apply_run(session, run, client, cache)


async def _apply_run(
    session: AsyncSession, run: list[Pending], client: WeComClient, cache: Prefetched
) -> None:
    if not run:
        return
    now = utcnow()
    corp_id = run[0].corp_id
    # (customer, employee) → state; a customer read whole covers every relation it lists
    states: dict[tuple[str, str], tuple[customers.ContactData, customers.FollowData]] = {}
    read: set[str] = set()
    for row in run:
        ext = (row.payload or {}).get("ExternalUserID", "")
        if not ext or ext in read:
            continue
        swept = cache.values.get(swept_key(ext, (row.payload or {}).get("UserID", "")))
        if row.change_type == "edit_external_contact" and swept is not None:
            states.setdefault((ext, swept[1].userid), swept)
            continue
        read.add(ext)
        try:
            detail = await cache.get(("contact", ext), partial(client.get_external_contact, ext))
        except WeComError as exc:
            if exc.errcode in NO_RELATION:
                continue
            raise
        for contact, follow in contact_pairs(detail):
            states[(ext, follow.userid)] = (contact, follow)
    pairs = list(states.values())
    result = await customers.apply_contacts(session, corp_id, pairs, now=now)
    ctx, follows = bus.EventContext(session, client), _follows(pairs)
    for row in run:
        ev = CallbackEvent(row.event, row.change_type, dict(row.payload))
        if ev.get("ExternalUserID"):
            await _publish_contact(ctx, corp_id, ev, follows, result, now)
    await repository.mark_done(session, [row.id for row in run], now=now)


async def _relation(
    session: AsyncSession, corp_id: int, ext: str, userid: str
) -> FollowRelation | None:
    return await session.scalar(
        select(FollowRelation)
        .join(Customer, Customer.id == FollowRelation.customer_id)
        .where(
            Customer.corp_id == corp_id,
            Customer.external_userid == ext,
            FollowRelation.userid == userid,
        )
    )


def _rearms(event: CallbackEvent) -> bool:
    """Whether a repeat of an already processed event is processed again (see REFRESH_EVENTS).

    A member change counts joins/leaves from its own MemChangeList, so its repeat is a
    redelivery, never a second change."""
    if (event.event, event.change_type) not in REFRESH_EVENTS:
        return False
    return not (
        event.event == "change_external_chat" and chats.member_change_list(event) is not None
    )


async def _tag(
    session: AsyncSession,
    corp_id: int,
    ev: CallbackEvent,
    client: WeComClient,
    now: datetime,
    cache: Prefetched,
) -> None:
    # Any tag change (create, update, delete, shuffle) is repaired by re-reading the full list.
    groups_ = await cache.get(("tags",), client.get_corp_tag_list)
    await tags.apply_tag_groups(session, corp_id, groups_, now=now, complete=True)


_HANDLERS = {
    "change_external_contact": _contact,
    "change_external_chat": chats.handle,
    "change_external_tag": _tag,
}


async def mark_failed(session: AsyncSession, event_id: int, error: str, *, final: bool) -> None:
    row = await session.get(InboundEvent, event_id)
    if row is not None:
        row.error = error[:2000]
        if final:
            row.status = "failed"
