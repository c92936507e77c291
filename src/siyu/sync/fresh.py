"""The first sync of a corp (no customers yet): inserts only, no existence reads or diffs.

A corp's first full sync writes every customer, relation, relation tag and ``added`` timeline
entry once. :class:`FreshIngest` writes them with plain ``executemany`` inserts (statements
rendered once, rows as tuples, no ORM bookkeeping) and keeps in memory which customers this
run has already written (a customer comes back once per employee who follows them, on other
pages). It produces exactly the rows :func:`siyu.customers.ingest.apply_contacts` would for an
empty corp: same columns, timeline entries, dense ``seq`` numbers, ``first_added_at``,
``synced_run_id`` and segment change-log entries.

If a row it inserts already exists (a callback added the customer or the relation meanwhile),
the insert fails with an ``IntegrityError``; the caller rolls the batch back and applies it
again with the diffing path, which it then keeps for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from siyu.corps.service import allocate_customer_seqs
from siyu.customers import changelog
from siyu.customers import timeline as tl
from siyu.customers.ingest import CUSTOMER_FIELDS, RELATION_FIELDS, ContactData, FollowData
from siyu.customers.models import Customer, FollowRelation, RelationTag, TimelineEvent

_CUSTOMERS = cast(Table, Customer.__table__)
_RELATIONS = cast(Table, FollowRelation.__table__)
_RELATION_TAGS = cast(Table, RelationTag.__table__)
_TIMELINE = cast(Table, TimelineEvent.__table__)
_CUSTOMER_COLS = (
    "corp_id",
    "seq",
    "external_userid",
    *CUSTOMER_FIELDS,
    "first_added_at",
    "created_at",
    "updated_at",
)
_RELATION_COLS = (
    "corp_id",
    "customer_id",
    "userid",
    *RELATION_FIELDS,
    "added_at",
    "synced_run_id",
    "created_at",
    "updated_at",
)
_TAG_COLS = ("relation_id", "tag_id", "corp_id", "customer_id")
_TIMELINE_COLS = ("corp_id", "customer_id", "kind", "userid", "occurred_at", "data")
_SET_FIRST_ADDED = (
    _CUSTOMERS.update()
    .where(_CUSTOMERS.c.id == bindparam("_id"))
    .values(first_added_at=bindparam("_first"), updated_at=bindparam("_now"))
)


@dataclass(slots=True)
class _Known:
    """A customer this run already wrote: its id, a digest of its fields, its first add."""

    id: int
    digest: int
    first_added_at: datetime | None


def _digest(c: Any) -> int:
    return hash(tuple(getattr(c, k) for k in CUSTOMER_FIELDS))


async def executemany(
    conn: AsyncConnection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """``INSERT INTO table (columns) VALUES (...)`` for every row, as one driver executemany.

    Values go through each column type's own bind processor (JSON, UTC timestamps), so they
    are stored exactly as SQLAlchemy would store them.
    """
    if not rows:
        return
    dialect = conn.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    if any(procs):  # column by column: only the columns that need it
        cols: list[Any] = list(zip(*rows, strict=True))
        for i, proc in enumerate(procs):
            if proc is not None:
                cols[i] = _processed(proc, cols[i])
        rows = list(zip(*cols, strict=True))
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = f"({', '.join(mark for _ in columns)})"
    await conn.exec_driver_sql(head + one, rows)


def _processed(proc: Any, values: Sequence[Any]) -> list[Any]:
    """``proc`` over ``values``, once per distinct value: values repeat within a batch
    (``created_at``, the ``added`` entries' data, empty ``remark_mobiles``)."""
    memo: dict[Any, Any] = {}
    out = []
    for v in values:
        try:
            key = _frozen(v)
            got = memo.get(key, _MISSING)
        except TypeError:  # nested lists or dicts: not worth a key
            out.append(proc(v))
            continue
        if got is _MISSING:
            got = memo[key] = proc(v)
        out.append(got)
    return out


_MISSING = object()


def _frozen(v: Any) -> Any:
    """A hashable key equal for equal JSON values of the shapes written here (flat lists and
    dicts of scalars; key order kept, as it is serialized)."""
    if isinstance(v, list):
        return (list, tuple(v), tuple(map(type, v)))
    if isinstance(v, dict):
        return (dict, tuple(v.items()), tuple(map(type, v.values())))
    return (type(v), v)


class FreshIngest:
    """Writes one run's batches into a corp that had no customers when the run started."""

    def __init__(self, corp_id: int, run_id: int) -> None:
        self.corp_id, self.run_id = corp_id, run_id
        self.known: dict[str, _Known] = {}
        self.loaded = False

    async def load(self, session: AsyncSession) -> None:
        """After a resume: the customers the interrupted part of the run already wrote."""
        rows = await session.execute(
            select(
                Customer.id,
                Customer.first_added_at,
                *(getattr(Customer, k) for k in ("external_userid", *CUSTOMER_FIELDS)),
            ).where(Customer.corp_id == self.corp_id)
        )
        self.known = {r.external_userid: _Known(r.id, _digest(r), r.first_added_at) for r in rows}
        self.loaded = True

    async def apply(
        self,
        session: AsyncSession,
        pairs: Sequence[tuple[ContactData, FollowData]],
        *,
        now: datetime,
    ) -> int:
        """Insert one batch; returns the number of new customers. Raises ``IntegrityError``
        when a row exists already (the caller then applies the batch the diffing way)."""
        if not self.loaded:
            await self.load(session)
        corp_id = self.corp_id
        conn = await session.connection()
        known = self.known
        # Each customer of the batch once, with its earliest add among the batch's relations.
        contacts: dict[str, ContactData] = {}
        first: dict[str, datetime] = {}
        for contact, follow in pairs:
            ext = contact.external_userid
            contacts[ext] = contact
            at = datetime.fromtimestamp(follow.createtime, UTC) if follow.createtime else now
            if ext not in first or at < first[ext]:
                first[ext] = at
        new = [c for ext, c in contacts.items() if ext not in known]
        updated: dict[str, _Known] = {}  # applied to ``known`` once the batch is written
        changed_fields: list[dict[str, Any]] = []
        earlier: list[dict[str, Any]] = []
        for ext, c in contacts.items():
            k = known.get(ext)
            if k is None:
                continue
            digest, first_at = _digest(c), k.first_added_at
            if digest != k.digest:
                changed_fields.append({"id": k.id, **{f: getattr(c, f) for f in CUSTOMER_FIELDS}})
            at = first[ext]
            if first_at is None or at < first_at:
                earlier.append({"_id": k.id, "_first": at, "_now": now})
                first_at = at
            updated[ext] = _Known(k.id, digest, first_at)
        if changed_fields:
            await session.execute(update(Customer), changed_fields)
        if earlier:
            await conn.execute(_SET_FIRST_ADDED, earlier)
        if new:
            seq = await allocate_customer_seqs(session, corp_id, len(new))
            rows = [
                (
                    corp_id,
                    seq + i,
                    c.external_userid,
                    *(getattr(c, k) for k in CUSTOMER_FIELDS),
                    first[c.external_userid],
                    now,
                    now,
                )
                for i, c in enumerate(new)
            ]
            await executemany(conn, _CUSTOMERS, _CUSTOMER_COLS, rows)
            got = await conn.execute(
                select(_CUSTOMERS.c.id, _CUSTOMERS.c.external_userid).where(
                    _CUSTOMERS.c.corp_id == corp_id,
                    _CUSTOMERS.c.seq >= seq,
                    _CUSTOMERS.c.seq < seq + len(new),
                )
            )
            for cid, ext in got:
                updated[ext] = _Known(cid, _digest(contacts[ext]), first[ext])
        ids = {ext: k.id for ext, k in updated.items()}
        # Relations (each one appears once in a full sync), then their ids by (customer, user).
        before = await session.scalar(select(func.max(_RELATIONS.c.id)))
        run_id = self.run_id
        relation_rows = []
        for contact, f in pairs:
            relation_rows.append(
                (
                    corp_id,
                    ids[contact.external_userid],
                    f.userid,
                    f.remark,
                    f.description,
                    f.remark_corp_name,
                    f.remark_mobiles,
                    f.add_way,
                    f.state,
                    f.oper_userid,
                    datetime.fromtimestamp(f.createtime, UTC) if f.createtime else now,
                    run_id,
                    now,
                    now,
                )
            )
        await executemany(conn, _RELATIONS, _RELATION_COLS, relation_rows)
        found = await conn.execute(
            select(_RELATIONS.c.id, _RELATIONS.c.customer_id, _RELATIONS.c.userid).where(
                _RELATIONS.c.id > (before or 0),
                _RELATIONS.c.corp_id == corp_id,
                _RELATIONS.c.synced_run_id == run_id,
            )
        )
        relation_ids = {(cid, uid): rid for rid, cid, uid in found}
        tag_rows, timeline_rows = [], []
        added = tl.ADDED
        for row, (_, f) in zip(relation_rows, pairs, strict=True):
            cid = row[1]
            rid = relation_ids[(cid, f.userid)]
            for tid in sorted(set(f.tag_ids)):
                tag_rows.append((rid, tid, corp_id, cid))
            data = {"add_way": f.add_way, "state": f.state}
            timeline_rows.append((corp_id, cid, added, f.userid, row[10], data))
        await executemany(conn, _RELATION_TAGS, _TAG_COLS, tag_rows)
        await executemany(conn, _TIMELINE, _TIMELINE_COLS, timeline_rows)
        await tl.touch(session, [(r[1], r[4]) for r in timeline_rows])
        await changelog.record(session, corp_id, ids.values())
        known.update(updated)
        return len(new)

    def forget(self) -> None:
        """Drop what a rolled-back batch added (the next :meth:`apply` reloads)."""
        self.known, self.loaded = {}, False
