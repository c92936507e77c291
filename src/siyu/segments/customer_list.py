"""The customer list (客户列表) answered by the segment engine: count, keyset pages, exports.

Every filter of the list is a term of the segment rule model (tags any / all / none, employee,
add way, channel state, lifecycle stage, local days of first add), or a leaf that the engine
runs in SQL restricted to the candidates the bitmaps left: the keyword, the hours of a date
bound that does not fall on the corp's midnight, and the ended relations of a data scope that
includes lost customers. So the list counts exactly what the segment preview of the same rule
counts, and a page reads only the rows it shows.

Pages keep the list's orders. ``added_at``: the corp's days of first add are bitmaps, so a page
walks the days from the cursor's day and reads the sort keys of the members of each day until
it has its rows; customers without a first add come last, by id. ``id``: with few members their
sort keys are read at once, otherwise the corp's customers are read in id order and the members
kept (the members are then at least 1 in ``SMALL``/size of the corp).

This lives in ``segments``, above ``customers``, because it composes the corp's bitmaps (see
docs/customers.md, "The list at real sizes").
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pyroaring import BitMap
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import InvalidInput
from siyu.core.pagination import decode_cursor, encode_cursor
from siyu.corps.models import Corp
from siyu.customers import service as customers
from siyu.customers.schemas import CustomerFilter, CustomerOut, Sort
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.segments import engine
from siyu.segments import repository as repo
from siyu.segments import rules as r
from siyu.segments.engine import Plan
from siyu.segments.index import CorpIndex
from siyu.segments.registry import REGISTRY

MAX_PAGE = 500
SMALL = 20_000  # up to this many members, an id-ordered page reads all their sort keys
EXPORT_BATCH = 2000
GATHER = 256  # members of consecutive days read together (sort keys)
_BAD_CURSOR = "the cursor is not valid; use next_cursor from a previous page"
_INT64 = 2**63

Key = tuple[int, int, datetime | None]  # (seq, id, first_added_at)


@dataclass
class Selection:
    """The members (seqs) a filter selects, and the index they were read from."""

    index: CorpIndex
    members: BitMap


# -- the filter as a plan ---------------------------------------------------------------------


def _terms(f: CustomerFilter) -> list[Any]:
    """The filter's segment terms (built without the API's size limits: a list filter may be
    longer than a rule's term)."""
    terms: list[Any] = []
    matches: list[tuple[Literal["any", "all", "none"], list[str]]] = [
        ("any", f.tags_any),
        ("all", f.tags_all),
        ("none", f.tags_none),
    ]
    for match, tags in matches:
        if tags:
            terms.append(
                r.TagsTerm.model_construct(
                    type="tags", match=match, tag_ids=list(tags), userid=None
                )
            )
    if f.userid:
        terms.append(r.EmployeeTerm.model_construct(type="employee", userids=[f.userid]))
    if f.add_way is not None:
        terms.append(r.AddWayTerm.model_construct(type="add_way", values=[f.add_way]))
    if f.state:
        terms.append(r.ChannelTerm.model_construct(type="channel", states=[f.state], groups=[]))
    if f.stage_id is not None:
        # a stage id no database can hold matches nothing (SQLite refuses it with an error)
        ids = [f.stage_id] if -_INT64 <= f.stage_id < _INT64 else []
        terms.append(r.StageTerm.model_construct(type="stage", stage_ids=ids))
    return terms


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _midnight(t: datetime, day: date, tz: ZoneInfo) -> bool:
    """Whether ``t`` is the first instant of the corp's ``day`` (a midnight that exists)."""
    m = datetime.combine(day, time.min, tzinfo=tz)
    return t == m and m.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == m.replace(
        tzinfo=None
    )


def _added(corp_id: int, index: CorpIndex, lo: datetime | None, hi: datetime | None) -> Plan:
    """First added in ``[lo, hi)``: whole local days from the day bitmaps; a day a bound cuts
    in two is read in SQL, restricted to the candidates added that day."""
    tz = index.tz
    first: date | None = None
    last: date | None = None
    cut: set[int] = set()
    if lo is not None:
        day = lo.astimezone(tz).date()
        first = day if _midnight(lo, day, tz) else day + timedelta(days=1)
        if first != day:
            cut.add(day.toordinal())
    if hi is not None:
        day = hi.astimezone(tz).date()
        last = day - timedelta(days=1)
        if not _midnight(hi, day, tz):
            cut.add(day.toordinal())

    async def run(session: AsyncSession, cand: BitMap, now: datetime) -> BitMap:
        whole = BitMap()
        if first is None or last is None or first <= last:
            whole = index.days_between(first, last) & cand
        part = BitMap()
        for day in cut:
            part |= index.union("days", [day]) & cand
        if part:
            whole |= await repo.added_between(session, corp_id, part, lo, hi)
        return whole

    return Plan("sql", sql=run)


def _scope(corp_id: int, visible: frozenset[str], *, include_deleted: bool) -> Plan:
    """Followed by one of ``visible`` (live relations; ended ones too with lost customers)."""
    users = sorted(visible)
    live = Plan("bm", bitmap=lambda ix, now: ix.union("employees", users))
    if not include_deleted:
        return live

    async def ended(session: AsyncSession, cand: BitMap, now: datetime) -> BitMap:
        return await repo.followed_before(session, corp_id, cand, userids=users)

    return Plan("or", (live, Plan("sql", sql=ended)))


async def scope_members(
    session: AsyncSession,
    corp: Corp,
    visible: frozenset[str],
    *,
    include_deleted: bool = False,
    now: datetime | None = None,
) -> BitMap:
    """The seqs of the customers a data scope sees: the union of its employees' bitmaps (and,
    with ``include_deleted``, of the customers they once followed). Segments, and the domains
    acting on them, intersect their members with it."""
    index = await REGISTRY.get(session, corp)
    cand = engine.candidates(index, include_deleted=include_deleted)
    plan = _scope(corp.id, visible, include_deleted=include_deleted)
    return await engine.evaluate(plan, index, session, cand, now or utcnow())


def _keyword(corp_id: int, keyword: str) -> Plan:
    like = f"%{keyword}%"

    async def run(session: AsyncSession, cand: BitMap, now: datetime) -> BitMap:
        return await repo.keyword(session, corp_id, cand, like=like)

    return Plan("sql", sql=run)


async def select_members(
    session: AsyncSession,
    corp: Corp,
    f: CustomerFilter,
    *,
    visible: frozenset[str] | None = None,
    now: datetime | None = None,
) -> Selection:
    """The customers the filter selects (within a data scope when ``visible`` is given)."""
    index = await REGISTRY.get(session, corp)
    kids: list[Plan] = []
    terms = _terms(f)
    if terms:
        group = r.AndGroup.model_construct(type="and", terms=terms)
        kids.extend((await engine.compile_rule(session, corp.id, group, check=False)).kids)
    if visible is not None:
        kids.append(_scope(corp.id, visible, include_deleted=f.include_deleted))
    if f.added_from is not None or f.added_to is not None:
        lo = _aware(f.added_from) if f.added_from is not None else None
        hi = _aware(f.added_to) if f.added_to is not None else None
        kids.append(_added(corp.id, index, lo, hi))
    if f.keyword:
        kids.append(_keyword(corp.id, f.keyword))  # last: it reads the most rows
    cand = engine.candidates(index, include_deleted=f.include_deleted)
    if not kids:
        return Selection(index, cand)
    # bitmap leaves first (``evaluate`` intersects them), then SQL leaves in the order above
    plan = Plan("and", tuple(sorted(kids, key=lambda p: p.uses_sql)))
    return Selection(index, await engine.evaluate(plan, index, session, cand, now or utcnow()))


async def count(
    session: AsyncSession, corp: Corp, f: CustomerFilter, *, visible: frozenset[str] | None = None
) -> int:
    return len((await select_members(session, corp, f, visible=visible)).members)


# -- order ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class After:
    """Where the previous page ended: (first_added_at, id) or (id)."""

    added: datetime | None = None
    id: int = 0
    undated: bool = False  # the previous page ended among customers without a first add


def parse_cursor(cursor: str | None, sort: Sort) -> After | None:
    if not cursor:
        return None
    values = decode_cursor(cursor)
    if not sort.endswith("added_at"):
        if len(values) != 1 or type(values[0]) is not int:
            raise InvalidInput("the cursor does not belong to this sort order")
        return After(id=values[0])
    if len(values) != 2 or type(values[1]) is not int:
        raise InvalidInput("the cursor does not belong to this sort order")
    if values[0] is None:
        return After(id=values[1], undated=True)
    if not isinstance(values[0], str):
        raise InvalidInput(_BAD_CURSOR)
    try:
        added = datetime.fromisoformat(values[0])
    except ValueError as exc:
        raise InvalidInput(_BAD_CURSOR) from exc
    return After(added=_aware(added), id=values[1])


def cursor_of(key: Key, sort: Sort) -> str:
    _, cid, added = key
    if sort.endswith("added_at"):
        return encode_cursor([added.isoformat() if added is not None else None, cid])
    return encode_cursor([cid])


async def ordered(
    session: AsyncSession,
    corp_id: int,
    sel: Selection,
    sort: Sort,
    after: After | None,
    *,
    gather: int = GATHER,
) -> AsyncIterator[list[Key]]:
    """The members' sort keys in the list's order, after the cursor, in batches (of whole days
    of at least ``gather`` members, in the ``added_at`` orders)."""
    desc = sort.startswith("-")
    if sort.endswith("added_at"):
        async for keys in _by_added(session, corp_id, sel, desc, after, gather):
            yield keys
        return
    if len(sel.members) <= SMALL:
        keys = await repo.sort_keys(session, corp_id, list(sel.members))
        keys.sort(key=lambda k: k[1], reverse=desc)
        if after is not None:
            keys = [k for k in keys if (k[1] < after.id if desc else k[1] > after.id)]
        for i in range(0, len(keys), EXPORT_BATCH):
            yield keys[i : i + EXPORT_BATCH]
        return
    members = sel.members
    async for rows in repo.stream_by_id(
        session, corp_id, desc=desc, after=after.id if after else None
    ):
        keys = [(seq, cid, None) for seq, cid in rows if seq in members]
        if keys:
            yield keys


def day_groups(sel: Selection, desc: bool, after: After | None, gather: int) -> Iterator[BitMap]:
    """The members in groups of whole consecutive days (at least ``gather`` members each, but
    the last), in the ``added_at`` order from the cursor's day; then the members without a
    first add (no day) as one last group."""
    index, members = sel.index, sel.members
    with index.lock:
        days = sorted(index.days, reverse=desc)
    if after is None or not after.undated:
        if after is not None:
            assert after.added is not None
            start = after.added.astimezone(index.tz).date().toordinal()
            days = [d for d in days if (d <= start if desc else d >= start)]
        gathered = BitMap()
        for day in days:
            found = members & index.union("days", [day])
            if found:
                gathered |= found
                if len(gathered) >= gather:
                    yield gathered
                    gathered = BitMap()
        if gathered:
            yield gathered
    with index.lock:
        every_day = BitMap.union(*index.days.values()) if index.days else BitMap()
    if rest := members - every_day:
        yield rest


def _dated_order(desc: bool) -> Any:
    """Sort key of (id, first_added_at) pairs in an ``added_at`` order: customers without a
    first add last, by id."""
    low = datetime.min.replace(tzinfo=UTC)

    def key(cid: int, added: datetime | None) -> tuple[bool, datetime, int]:
        first = added is not None
        return (first, added or low, cid) if desc else (not first, added or low, cid)

    return key


async def _by_added(
    session: AsyncSession,
    corp_id: int,
    sel: Selection,
    desc: bool,
    after: After | None,
    gather: int,
) -> AsyncIterator[list[Key]]:
    key = _dated_order(desc)
    mark = None if after is None else key(after.id, None if after.undated else after.added)
    for group in day_groups(sel, desc, after, gather):
        keys = await repo.sort_keys(session, corp_id, list(group))
        keys.sort(key=lambda k: key(k[1], k[2]), reverse=desc)
        if mark is not None:
            keys = [k for k in keys if (key(k[1], k[2]) < mark if desc else key(k[1], k[2]) > mark)]
        for i in range(0, len(keys), EXPORT_BATCH):
            yield keys[i : i + EXPORT_BATCH]


async def _rows(
    session: AsyncSession,
    corp_id: int,
    keys: Sequence[Key],
    *,
    visible: frozenset[str] | None = None,
) -> list[CustomerOut]:
    """The customers of ``keys``, in that order, with the list's columns (within a data scope,
    those of the visible employees' relations only)."""
    found = {c.seq: c for c in await repo.customers_by_seq(session, corp_id, [k[0] for k in keys])}
    rows = [found[k[0]] for k in keys if k[0] in found]
    return await customers.decorate(session, corp_id, rows, visible=visible)


# -- pages and exports ------------------------------------------------------------------------


async def page(
    session: AsyncSession,
    corp: Corp,
    f: CustomerFilter,
    *,
    sort: Sort = "-added_at",
    cursor: str | None = None,
    limit: int = 50,
    visible: frozenset[str] | None = None,
) -> tuple[list[CustomerOut], str | None]:
    """One keyset page of the list and the cursor of the next one (None at the end)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    after = parse_cursor(cursor, sort)
    sel = await select_members(session, corp, f, visible=visible)
    keys: list[Key] = []
    async for batch in ordered(session, corp.id, sel, sort, after):
        keys.extend(batch)
        if len(keys) > limit:
            break
    more = len(keys) > limit
    keys = keys[:limit]
    items = await _rows(session, corp.id, keys, visible=visible)
    return items, cursor_of(keys[-1], sort) if more and keys else None


async def export_rows(
    db: Database,
    corp_id: int,
    sel: Selection,
    sort: Sort,
    *,
    visible: frozenset[str] | None = None,
) -> AsyncIterator[list[list[Any]]]:
    """The export rows of every member, in the list's order, in batches read in a session of its
    own (the file is streamed after the request's unit of work has ended). Within a data scope
    (``visible``) the columns show the visible employees' relations only."""
    desc = sort.startswith("-")
    async with db.read() as session:
        reader = customers.ExportReader(session, corp_id, visible=visible)
        if sort.endswith("added_at"):
            # a group of days is read once, ordered by the database (first add, then id): a
            # task reads the next groups (up to two ahead) while this one becomes rows
            groups = day_groups(sel, desc, None, EXPORT_BATCH)
            order: Literal["asc", "desc"] = "desc" if desc else "asc"
            ahead: asyncio.Queue[Any] = asyncio.Queue(maxsize=2)

            async def read() -> None:
                try:
                    for group in groups:
                        await ahead.put(await reader.facts(seqs=list(group), added=order))
                    await ahead.put(None)
                except Exception as exc:  # handed to the writer, which raises it
                    await ahead.put(exc)

            reading = asyncio.ensure_future(read())
            try:
                while (facts := await ahead.get()) is not None:
                    if isinstance(facts, Exception):
                        raise facts
                    yield reader.assemble(facts)
            finally:
                if not reading.done():
                    reading.cancel()
                    with contextlib.suppress(BaseException):
                        await reading
            return
        pending: list[Key] = []
        async for keys in ordered(session, corp_id, sel, sort, None):
            pending.extend(keys)
            while len(pending) >= EXPORT_BATCH:
                batch, pending = pending[:EXPORT_BATCH], pending[EXPORT_BATCH:]
                yield await reader.rows([k[1] for k in batch])
        if pending:
            yield await reader.rows([k[1] for k in pending])
