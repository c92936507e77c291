"""WeCom reads for a batch of inbound events, made before its write transaction.

A customer event carries no data, so applying it needs the relation's fresh state. The general
read is one ``externalcontact/get`` per customer (several at once). When a burst brings many
*edits* of one employee's customers (an employee re-tagging or re-noting customers in bulk, an
import through WeCom's admin console), reading that employee's customers page by page with
``batch/get_by_user`` (100 a call, stopping once every edited customer was seen) is a fraction
of the calls, of WeCom's API quota and of the CPU: the batch "sweeps" an employee when it
holds at least ``SWEEP_EDITS_PER_PAGE`` of their edits for every page the sweep may read. An
edited relation the sweep does not find (it ended meanwhile) falls back to the general read.
Adds always use the general read: its answer is what the welcome message and attribution
need at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import func, select

from siyu.customers import ingest as customers
from siyu.customers.models import FollowRelation
from siyu.db.session import Database
from siyu.events.service import Pending, Prefetched, fetch_plan, swept_key
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError

log = logging.getLogger(__name__)

FETCHES = 8  # concurrent WeCom reads while preparing a batch
PAGE = 100  # batch/get_by_user's largest page
#: a sweep is worth it from this many edits of the employee per page it may read
SWEEP_EDITS_PER_PAGE = 4
EDIT = "edit_external_contact"


def _edits(rows: Sequence[Pending]) -> dict[str, set[str]]:
    """userid → the external userids of the batch's edit events of that employee."""
    edits: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        p = row.payload or {}
        edit = row.event == "change_external_contact" and row.change_type == EDIT
        if edit and p.get("UserID") and p.get("ExternalUserID"):
            edits[str(p["UserID"])].add(str(p["ExternalUserID"]))
    return edits


async def sweep_plan(db: Database, corp_id: int, edits: dict[str, set[str]]) -> dict[str, int]:
    """The employees worth sweeping, with the pages a sweep may read: the pages their live
    relations here fill, plus one for those added since. Worth it from SWEEP_EDITS_PER_PAGE
    edits per such page."""
    if not edits:
        return {}
    candidates = [u for u, exts in edits.items() if len(exts) >= SWEEP_EDITS_PER_PAGE]
    if not candidates:
        return {}
    async with db.read() as s:
        rows = await s.execute(
            select(FollowRelation.userid, func.count())
            .where(
                FollowRelation.corp_id == corp_id,
                FollowRelation.userid.in_(candidates),
                FollowRelation.deleted_at.is_(None),
            )
            .group_by(FollowRelation.userid)
        )
        counts = {str(u): int(n) for u, n in rows.all()}
    pages = {u: math.ceil(counts.get(u, 0) / PAGE) + 1 for u in candidates}
    return {u: p for u, p in pages.items() if len(edits[u]) >= SWEEP_EDITS_PER_PAGE * p}


async def _sweep(
    client: WeComClient, userid: str, wanted: set[str], pages: int, cache: Prefetched
) -> None:
    """Read the employee's customers until every wanted one was seen, or ``pages`` pages were
    read (what is left takes the general read); cache their pairs."""
    left = set(wanted)
    try:
        read = 0
        async for page in client.iter_batch_get_by_user([userid], limit=PAGE, only=wanted):
            read += 1
            for item in page.items:
                ext = item.external_contact.external_userid
                if ext in left and item.follow_info.userid == userid:
                    left.discard(ext)
                    cache.values[swept_key(ext, userid)] = customers.batch_pair(item)
            if not left or read >= pages:
                return
    except WeComError as exc:  # the general read of each customer follows
        log.warning("sweep of %s's customers failed (%s); reading them one by one", userid, exc)


async def prefetch(
    db: Database, corp_id: int, rows: Sequence[Pending], client: WeComClient
) -> Prefetched:
    """Everything the batch's events will read from WeCom, read now (no lock held)."""
    cache = Prefetched()
    edits = _edits(rows)
    sweeps = await sweep_plan(db, corp_id, edits)
    if sweeps:
        await asyncio.gather(*(_sweep(client, u, edits[u], n, cache) for u, n in sweeps.items()))
    plans: dict[tuple[str, ...], Callable[[], Awaitable[Any]]] = {}
    for row in rows:
        p = row.payload or {}
        if (
            row.change_type == "edit_external_contact"
            and swept_key(str(p.get("ExternalUserID", "")), str(p.get("UserID", "")))
            in cache.values
        ):
            continue
        plan = fetch_plan(row, client)
        if plan is not None:
            plans.setdefault(plan[0], plan[1])
    limit = asyncio.Semaphore(FETCHES)

    async def one(key: tuple[str, ...], fetch: Callable[[], Awaitable[Any]]) -> None:
        async with limit:
            with contextlib.suppress(WeComError):  # kept in the cache: raised where used
                await cache.get(key, fetch)

    await asyncio.gather(*(one(k, f) for k, f in plans.items()))
    return cache
