"""What the tag-writing crash tests count: the batch tag ledger, WeCom's `mark_tag` calls, the
tagged follow relations in Siyu's mirror, and the customers as the API pages them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import create_engine, func, select

from siyu.customers.models import FollowRelation, RelationTag
from siyu.db.engine import sync_url
from siyu.db.session import Database
from siyu.tags.models import BatchTagItem

if TYPE_CHECKING:
    from tests.conftest import Sandbox

MARK_TAG = "externalcontact/mark_tag"


def items(db: Database) -> dict[str, int]:
    """Item counts by status, read without taking SQLite's write lock (Siyu's sessions begin
    IMMEDIATE, which would wait for the worker's chunk to commit and hide the window)."""
    engine = create_engine(sync_url(db.url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(BatchTagItem.status, func.count()).group_by(BatchTagItem.status)
            )
            return {str(k): int(v) for k, v in rows.all()}
    finally:
        engine.dispose()


def mark_tag_calls(sb: Sandbox) -> int:
    """How many `mark_tag` requests the sandbox has answered since its stats were reset."""
    return int(sb.get("/sandbox/stats").get(MARK_TAG, 0))


def live_relations(db: Database, corp_id: int, tag_id: str) -> tuple[int, int]:
    """(live follow relations, those carrying ``tag_id`` in Siyu's mirror)."""

    async def count() -> tuple[int, int]:
        async with db.unit_of_work() as s:
            live = FollowRelation.corp_id == corp_id, FollowRelation.deleted_at.is_(None)
            total = await s.scalar(select(func.count()).select_from(FollowRelation).where(*live))
            tagged = await s.scalar(
                select(func.count())
                .select_from(RelationTag)
                .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
                .where(*live, RelationTag.tag_id == tag_id)
            )
            return int(total or 0), int(tagged or 0)

    return asyncio.run(count())


def customer_pages(api: httpx.Client) -> Iterator[list[dict[str, Any]]]:
    """Every page of Siyu's ``GET /customers``."""
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/api/v1/customers", params=params).json()
        yield body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return


def tag_per_relation(api: httpx.Client, sb: Sandbox, tag_id: str) -> dict[tuple[str, str], int]:
    """In WeCom (the sandbox): how many times each follow relation carries the tag."""
    out: dict[tuple[str, str], int] = {}
    for page in customer_pages(api):
        for c in page:
            truth = sb.get(f"/sandbox/customers/{c['external_userid']}")
            for f in truth["follows"]:
                ids = [t["tag_id"] for t in f.get("tags", [])]
                out[(c["external_userid"], f["userid"])] = ids.count(tag_id)
    return out


def in_the_window(db: Database, sb: Sandbox) -> bool:
    """Well into a tagging job, a chunk is in flight: WeCom has taken a few of its writes that
    Siyu has not recorded yet, and most of the chunk is still to go."""
    now = items(db)
    done, ahead = now.get("done", 0), mark_tag_calls(sb) - now.get("done", 0)
    return done >= 300 and now.get("sending", 0) > 0 and 3 <= ahead <= 10
