"""Queries of rule tags: relations to write, pending writes, per-rule counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers.models import Customer, FollowRelation, RelationTag
from siyu.db.txmemo import TxMemo
from siyu.segments.models import RuleTag
from siyu.segments.repository import CHUNK
from siyu.tags.models import BatchTagItem, BatchTagJob


async def seqs_of(session: AsyncSession, corp_id: int, customer_ids: Sequence[int]) -> list[int]:
    out: list[int] = []
    ids = sorted(set(customer_ids))
    for i in range(0, len(ids), CHUNK):
        stmt = select(Customer.seq).where(
            Customer.corp_id == corp_id, Customer.id.in_(ids[i : i + CHUNK])
        )
        out.extend((await session.scalars(stmt)).all())
    return out


async def relations_for(
    session: AsyncSession, corp_id: int, seqs: Sequence[int], tag_id: str, *, having: bool
) -> list[int]:
    """Live relations of these customers that have (or lack) the tag."""
    has = exists().where(RelationTag.relation_id == FollowRelation.id, RelationTag.tag_id == tag_id)
    out: list[int] = []
    ordered = sorted(seqs)
    for i in range(0, len(ordered), CHUNK):
        stmt = (
            select(FollowRelation.id)
            .join(Customer, Customer.id == FollowRelation.customer_id)
            .where(
                FollowRelation.corp_id == corp_id,
                FollowRelation.deleted_at.is_(None),
                Customer.seq.in_(ordered[i : i + CHUNK]),
                has if having else ~has,
            )
        )
        out.extend((await session.scalars(stmt)).all())
    return out


async def pending_relations(session: AsyncSession, corp_id: int, name: str) -> set[int]:
    stmt = (
        select(BatchTagItem.relation_id)
        .join(BatchTagJob, BatchTagJob.id == BatchTagItem.job_id)
        .where(
            BatchTagJob.corp_id == corp_id,
            BatchTagJob.requested_by == name,
            BatchTagItem.status.in_(("pending", "sending")),
        )
    )
    return set((await session.scalars(stmt)).all())


async def new_job(
    session: AsyncSession,
    corp_id: int,
    name: str,
    relation_ids: Sequence[int],
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> int:
    job = BatchTagJob(
        corp_id=corp_id,
        add_tag_ids=list(add),
        remove_tag_ids=list(remove),
        total=len(relation_ids),
        requested_by=name,
    )
    session.add(job)
    await session.flush()
    rows = [{"corp_id": corp_id, "job_id": job.id, "relation_id": r} for r in relation_ids]
    for i in range(0, len(rows), 1000):
        await session.execute(insert(BatchTagItem), rows[i : i + 1000])
    return job.id


async def item_counts(
    session: AsyncSession, corp_id: int, names: Sequence[str]
) -> list[tuple[str, str, str | None, int]]:
    """(job name, item status, error, count) over the jobs with these names."""
    stmt = (
        select(BatchTagJob.requested_by, BatchTagItem.status, BatchTagItem.error, func.count())
        .join(BatchTagJob, BatchTagJob.id == BatchTagItem.job_id)
        .where(BatchTagJob.corp_id == corp_id, BatchTagJob.requested_by.in_(names))
        .group_by(BatchTagJob.requested_by, BatchTagItem.status, BatchTagItem.error)
    )
    return [(a, b, c, int(d)) for a, b, c, d in (await session.execute(stmt)).all()]


async def unfinished_jobs(session: AsyncSession, corp_id: int, *, before: Any) -> list[int]:
    """Rule tag jobs still pending or running, last touched before ``before``."""
    stmt = select(BatchTagJob.id).where(
        BatchTagJob.corp_id == corp_id,
        BatchTagJob.requested_by.like("rule_tag:%"),
        BatchTagJob.status.in_(("pending", "running")),
        BatchTagJob.updated_at < before,
    )
    return list((await session.scalars(stmt)).all())


async def corps_with_unfinished_jobs(session: AsyncSession, *, before: Any) -> list[int]:
    stmt = (
        select(BatchTagJob.corp_id)
        .where(
            BatchTagJob.requested_by.like("rule_tag:%"),
            BatchTagJob.status.in_(("pending", "running")),
            BatchTagJob.updated_at < before,
        )
        .distinct()
    )
    return list((await session.scalars(stmt)).all())


async def corps_with_rule_tags(session: AsyncSession) -> list[int]:
    """Corps that have an active rule tag (one periodic evaluation each)."""
    stmt = select(RuleTag.corp_id).where(RuleTag.active.is_(True)).distinct()
    return list((await session.scalars(stmt)).all())


#: has_active's answers per live transaction (gone with it)
_ACTIVE: TxMemo[bool] = TxMemo()


def forget_active(session: AsyncSession) -> None:
    """A rule tag was created, switched or deleted in this transaction: ask again."""
    _ACTIVE.forget(session)


async def has_active(session: AsyncSession, corp_id: int) -> bool:
    """Whether the corp has an active rule tag; asked once per transaction (a callback drain
    asks it for every customer event of its batch)."""

    async def ask() -> bool:
        stmt = select(RuleTag.id).where(RuleTag.corp_id == corp_id, RuleTag.active.is_(True))
        return await session.scalar(stmt.limit(1)) is not None

    return await _ACTIVE.get(session, corp_id, ask)
