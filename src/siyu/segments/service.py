"""Segments: preview counts, saved segments, members, exports and frozen snapshots."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime

from pyroaring import BitMap
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.core.pagination import decode_cursor, encode_cursor
from siyu.corps.models import Corp
from siyu.customers import service as customers
from siyu.customers.schemas import CustomerOut
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.segments import customer_list, engine
from siyu.segments import repository as repo
from siyu.segments.models import Segment, SegmentSnapshot
from siyu.segments.registry import REGISTRY
from siyu.segments.rules import Definition
from siyu.segments.schemas import PreviewOut, SegmentIn, SegmentPatch, SnapshotIn

MAX_PAGE = 500


async def members_bitmap(
    session: AsyncSession,
    corp: Corp,
    definition: Definition,
    *,
    now: datetime | None = None,
    within: BitMap | None = None,
    visible: frozenset[str] | None = None,
) -> BitMap:
    """The seqs of the customers the definition selects now (optionally among ``within``);
    with a data scope (``visible``), only the customers its employees follow."""
    index = await REGISTRY.get(session, corp)
    plan = await engine.compile_rule(session, corp.id, definition.rule)
    cand = engine.candidates(index, include_deleted=definition.include_deleted)
    if within is not None:
        cand &= within
    if visible is not None:
        cand &= await customer_list.scope_members(
            session, corp, visible, include_deleted=definition.include_deleted, now=now
        )
    return await engine.evaluate(plan, index, session, cand, now or utcnow())


async def preview(
    session: AsyncSession,
    corp: Corp,
    definition: Definition,
    *,
    visible: frozenset[str] | None = None,
) -> PreviewOut:
    """How many customers a draft definition selects (nothing is saved), within a data scope
    when ``visible`` is given."""
    started = time.perf_counter()
    n = len(await members_bitmap(session, corp, definition, visible=visible))
    return PreviewOut(count=n, took_ms=round((time.perf_counter() - started) * 1000, 3))


async def live_count(session: AsyncSession, corp: Corp) -> int:
    """How many of the corp's customers are not lost (the dashboard's total)."""
    return len((await REGISTRY.get(session, corp)).live)


def definition_of(row: Segment | SegmentSnapshot) -> Definition:
    return Definition.model_validate({"rule": row.rule, "include_deleted": row.include_deleted})


# -- saved segments ---------------------------------------------------------------------------


async def list_segments(session: AsyncSession, corp_id: int) -> list[Segment]:
    stmt = scoped(Segment, corp_id).order_by(Segment.id)
    return list((await session.scalars(stmt)).all())


async def get(session: AsyncSession, corp_id: int, segment_id: int) -> Segment:
    row = await session.scalar(scoped(Segment, corp_id).where(Segment.id == segment_id))
    if row is None:
        raise NotFound(f"segment {segment_id} does not exist")
    return row


async def _name_free(
    session: AsyncSession, corp_id: int, name: str, *, but: int | None = None
) -> None:
    stmt = scoped(Segment, corp_id, Segment.id).where(Segment.name == name)
    found = await session.scalar(stmt)
    if found is not None and found != but:
        raise Conflict(f"a segment named {name} already exists")


async def create(session: AsyncSession, corp: Corp, body: SegmentIn) -> Segment:
    """Save a segment after checking its rule against the corp's tags and employees."""
    await engine.compile_rule(session, corp.id, body.rule)
    await _name_free(session, corp.id, body.name)
    row = Segment(
        corp_id=corp.id,
        name=body.name,
        description=body.description,
        owner=body.owner,
        rule=body.rule.model_dump(mode="json"),
        include_deleted=body.include_deleted,
    )
    session.add(row)
    await session.flush()
    return row


async def update(session: AsyncSession, corp: Corp, segment_id: int, body: SegmentPatch) -> Segment:
    row = await get(session, corp.id, segment_id)
    if body.name is not None and body.name != row.name:
        await _name_free(session, corp.id, body.name, but=row.id)
        row.name = body.name
    if body.description is not None:
        row.description = body.description
    if body.owner is not None:
        row.owner = body.owner
    if body.include_deleted is not None:
        row.include_deleted = body.include_deleted
    if body.rule is not None:
        definition = Definition(rule=body.rule, include_deleted=row.include_deleted)
        await engine.compile_rule(session, corp.id, definition.rule)
        row.rule = body.rule.model_dump(mode="json")
    await session.flush()
    return row


async def delete(session: AsyncSession, corp_id: int, segment_id: int) -> None:
    """Delete a segment; its snapshots stay (detached) for the audit trail."""
    row = await get(session, corp_id, segment_id)
    await session.delete(row)
    await session.flush()


async def count(
    session: AsyncSession, corp: Corp, segment_id: int, *, visible: frozenset[str] | None = None
) -> PreviewOut:
    row = await get(session, corp.id, segment_id)
    return await preview(session, corp, definition_of(row), visible=visible)


# -- members ----------------------------------------------------------------------------------


async def _page(
    session: AsyncSession,
    corp_id: int,
    members: BitMap,
    cursor: str | None,
    limit: int,
    *,
    visible: frozenset[str] | None = None,
) -> tuple[list[CustomerOut], str | None]:
    """One keyset page of members in ``seq`` order; the cursor is the last seq."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    start = 0
    if cursor:
        after = decode_cursor(cursor)
        if len(after) != 1 or not isinstance(after[0], int):
            raise InvalidInput("the cursor is not valid; use next_cursor from a previous page")
        start = members.rank(after[0])  # members ≤ the last seq seen
    seqs = list(members[start : start + limit + 1])
    more = len(seqs) > limit
    seqs = seqs[:limit]
    rows = await repo.customers_by_seq(session, corp_id, seqs)
    items = await customers.decorate(session, corp_id, rows, live_only=True, visible=visible)
    return items, encode_cursor([seqs[-1]]) if more and seqs else None


async def members(
    session: AsyncSession,
    corp: Corp,
    segment_id: int,
    *,
    cursor: str | None,
    limit: int,
    visible: frozenset[str] | None = None,
) -> tuple[list[CustomerOut], str | None]:
    """One page of the segment's current members, with the customer list's columns (within a
    data scope: the members its employees follow, with their relations' columns only)."""
    row = await get(session, corp.id, segment_id)
    return await draft_members(
        session, corp, definition_of(row), cursor=cursor, limit=limit, visible=visible
    )


async def draft_members(
    session: AsyncSession,
    corp: Corp,
    definition: Definition,
    *,
    cursor: str | None,
    limit: int,
    visible: frozenset[str] | None = None,
) -> tuple[list[CustomerOut], str | None]:
    """One page of the current members of a definition (saved or draft). The rule is evaluated
    for each page; the keyset cursor (last seq) keeps pages disjoint when members change."""
    bm = await members_bitmap(session, corp, definition, visible=visible)
    return await _page(session, corp.id, bm, cursor, limit, visible=visible)


async def iter_members(
    session: AsyncSession, corp: Corp, segment_id: int, *, visible: frozenset[str] | None = None
) -> AsyncIterator[CustomerOut]:
    """Every current member of a saved segment, page by page (exports); evaluated once."""
    row = await get(session, corp.id, segment_id)
    async for item in iter_draft_members(session, corp, definition_of(row), visible=visible):
        yield item


async def iter_draft_members(
    session: AsyncSession,
    corp: Corp,
    definition: Definition,
    *,
    visible: frozenset[str] | None = None,
) -> AsyncIterator[CustomerOut]:
    """Every current member of a definition, page by page (exports); evaluated once."""
    bm = await members_bitmap(session, corp, definition, visible=visible)
    cursor: str | None = None
    while True:
        items, cursor = await _page(session, corp.id, bm, cursor, MAX_PAGE, visible=visible)
        for item in items:
            yield item
        if cursor is None:
            return


# -- snapshots --------------------------------------------------------------------------------


async def freeze(
    session: AsyncSession, corp: Corp, segment_id: int, body: SnapshotIn
) -> SegmentSnapshot:
    """Keep the exact member list of this moment (for a broadcast or an audit)."""
    row = await get(session, corp.id, segment_id)
    bm = await members_bitmap(session, corp, definition_of(row))
    bm.run_optimize()
    snap = SegmentSnapshot(
        corp_id=corp.id,
        segment_id=row.id,
        name=body.name or row.name,
        purpose=body.purpose,
        rule=row.rule,
        include_deleted=row.include_deleted,
        count=len(bm),
        members=bm.serialize(),
    )
    session.add(snap)
    await session.flush()
    return snap


async def snapshots(session: AsyncSession, corp_id: int, segment_id: int) -> list[SegmentSnapshot]:
    await get(session, corp_id, segment_id)
    stmt = (
        scoped(SegmentSnapshot, corp_id)
        .where(SegmentSnapshot.segment_id == segment_id)
        .order_by(SegmentSnapshot.id.desc())
    )
    return list((await session.scalars(stmt)).all())


async def snapshot(session: AsyncSession, corp_id: int, snapshot_id: int) -> SegmentSnapshot:
    snap = await session.scalar(
        scoped(SegmentSnapshot, corp_id).where(SegmentSnapshot.id == snapshot_id)
    )
    if snap is None:
        raise NotFound(f"snapshot {snapshot_id} does not exist")
    return snap


async def snapshot_members(
    session: AsyncSession, corp_id: int, snapshot_id: int, *, cursor: str | None, limit: int
) -> tuple[list[CustomerOut], str | None]:
    """A page of the frozen members (shown with their current columns)."""
    snap = await snapshot(session, corp_id, snapshot_id)
    return await _page(session, corp_id, BitMap.deserialize(snap.members), cursor, limit)


async def snapshot_customer_ids(session: AsyncSession, corp_id: int, snapshot_id: int) -> list[int]:
    """Customer ids of a snapshot's members (for broadcasts)."""
    snap = await snapshot(session, corp_id, snapshot_id)
    return await repo.ids_by_seq(session, corp_id, list(BitMap.deserialize(snap.members)))
