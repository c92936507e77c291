"""Tags: read the mirror, write through to WeCom first, batch tag many customers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.corps.principal import Principal
from siyu.customers import service as customers
from siyu.customers.models import Customer, FollowRelation, RelationTag, Tag, TagGroup
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.tags import batch, ingest
from siyu.tags.models import BatchTagItem, BatchTagJob
from siyu.tags.schemas import BatchTagIn, TagGroupOut, TagOut
from siyu.wecom.client import WeComClient

MAX_CORP_TAGS = 3000


async def list_groups(session: AsyncSession, corp_id: int) -> list[TagGroupOut]:
    """Live tag groups with their tags (WeCom order: larger ``order`` first) and usage counts."""
    groups = (
        await session.scalars(
            scoped(TagGroup, corp_id)
            .where(TagGroup.deleted_at.is_(None))
            .order_by(TagGroup.order.desc(), TagGroup.id)
        )
    ).all()
    tags = (
        await session.scalars(
            scoped(Tag, corp_id).where(Tag.deleted_at.is_(None)).order_by(Tag.order.desc(), Tag.id)
        )
    ).all()
    usage = dict(
        (
            await session.execute(
                select(RelationTag.tag_id, func.count(func.distinct(RelationTag.customer_id)))
                .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
                .where(RelationTag.corp_id == corp_id, FollowRelation.deleted_at.is_(None))
                .group_by(RelationTag.tag_id)
            )
        ).all()
    )
    by_group: dict[int, list[TagOut]] = defaultdict(list)
    for t in tags:
        by_group[t.group_pk].append(
            TagOut(tag_id=t.tag_id, name=t.name, order=t.order, customers=usage.get(t.tag_id, 0))
        )
    return [
        TagGroupOut(group_id=g.group_id, name=g.name, order=g.order, tags=by_group.get(g.id, []))
        for g in groups
    ]


async def _live_tag_count(session: AsyncSession, corp_id: int) -> int:
    stmt = scoped(Tag, corp_id, func.count()).where(Tag.deleted_at.is_(None))
    return int(await session.scalar(stmt) or 0)


async def _group(session: AsyncSession, corp_id: int, group_id: str) -> TagGroup:
    group = await session.scalar(
        scoped(TagGroup, corp_id).where(
            TagGroup.group_id == group_id, TagGroup.deleted_at.is_(None)
        )
    )
    if group is None:
        raise NotFound(f"tag group {group_id} does not exist")
    return group


async def create_group(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    *,
    name: str,
    tags: Sequence[str],
    order: int = 0,
) -> TagGroupOut:
    """Create a group with its tags in WeCom, then mirror what WeCom returned."""
    existing = await session.scalar(
        scoped(TagGroup, corp_id).where(TagGroup.name == name, TagGroup.deleted_at.is_(None))
    )
    if existing is not None:
        raise InvalidInput(f"a tag group named {name} already exists; add tags to it instead")
    await _check_quota(session, corp_id, len(tags))
    created = await client.add_corp_tag(group_name=name, order=order, tags=[(t, 0) for t in tags])
    await ingest.apply_tag_groups(session, corp_id, [created], now=utcnow(), complete=False)
    return await _group_out(session, corp_id, created.group_id)


async def add_tags(
    session: AsyncSession, corp_id: int, client: WeComClient, *, group_id: str, tags: Sequence[str]
) -> TagGroupOut:
    group = await _group(session, corp_id, group_id)
    names = set(
        (
            await session.scalars(
                scoped(Tag, corp_id, Tag.name).where(
                    Tag.group_pk == group.id, Tag.deleted_at.is_(None)
                )
            )
        ).all()
    )
    dup = [t for t in tags if t in names]
    if dup:
        raise InvalidInput(f"the group already has the tags: {', '.join(dup)}")
    await _check_quota(session, corp_id, len(tags))
    await client.add_corp_tag(group_id=group_id, tags=[(t, 0) for t in tags])
    fresh = await client.get_corp_tag_list(group_ids=[group_id])
    await ingest.apply_tag_groups(session, corp_id, fresh, now=utcnow(), complete=False)
    return await _group_out(session, corp_id, group_id)


async def _check_quota(session: AsyncSession, corp_id: int, adding: int) -> None:
    live = await _live_tag_count(session, corp_id)
    if live + adding > MAX_CORP_TAGS:
        raise InvalidInput(f"WeCom allows at most {MAX_CORP_TAGS} corp tags; the corp has {live}")


async def _group_out(session: AsyncSession, corp_id: int, group_id: str) -> TagGroupOut:
    for g in await list_groups(session, corp_id):
        if g.group_id == group_id:
            return g
    raise NotFound(f"tag group {group_id} does not exist")


async def edit(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    *,
    wecom_id: str,
    name: str | None,
    order: int | None,
) -> None:
    """Rename or reorder a tag or a group (WeCom's edit_corp_tag takes either id)."""
    if name is None and order is None:
        raise InvalidInput("give a new name or order")
    tag = await session.scalar(
        scoped(Tag, corp_id).where(Tag.tag_id == wecom_id, Tag.deleted_at.is_(None))
    )
    group = None if tag else await _group(session, corp_id, wecom_id)
    await client.edit_corp_tag(wecom_id, name=name, order=order)
    target = tag or group
    assert target is not None
    if name is not None:
        target.name = name
    if order is not None:
        target.order = order


async def delete(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    *,
    tag_ids: Sequence[str],
    group_ids: Sequence[str],
) -> None:
    if not tag_ids and not group_ids:
        raise InvalidInput("give tag_ids or group_ids to delete")
    known_tags = set(
        (
            await session.scalars(
                scoped(Tag, corp_id, Tag.tag_id).where(
                    Tag.tag_id.in_(tag_ids), Tag.deleted_at.is_(None)
                )
            )
        ).all()
    )
    unknown = [t for t in tag_ids if t not in known_tags]
    for g in group_ids:
        await _group(session, corp_id, g)
    if unknown:
        raise NotFound(f"unknown tags: {', '.join(unknown)}")
    await client.del_corp_tag(tag_ids=list(tag_ids), group_ids=list(group_ids))
    await ingest.mark_deleted(session, corp_id, tag_ids=tag_ids, group_ids=group_ids, now=utcnow())
    # WeCom deletes a group that has no tag left: mirror that.
    fresh = await client.get_corp_tag_list()
    await ingest.apply_tag_groups(session, corp_id, fresh, now=utcnow(), complete=True)


async def create_batch_job(
    session: AsyncSession, corp_id: int, body: BatchTagIn, *, requested_by: str = ""
) -> BatchTagJob:
    """Record a batch tag job with one pending item per live follow relation to change."""
    if not body.add and not body.remove:
        raise InvalidInput("give tag ids to add or to remove")
    if set(body.add) & set(body.remove):
        raise InvalidInput("a tag cannot be both added and removed")
    wanted = set(body.add) | set(body.remove)
    known = set(
        (
            await session.scalars(
                scoped(Tag, corp_id, Tag.tag_id).where(
                    Tag.tag_id.in_(wanted), Tag.deleted_at.is_(None)
                )
            )
        ).all()
    )
    if wanted - known:
        raise InvalidInput(f"unknown tags: {', '.join(sorted(wanted - known))}")
    if (body.customer_ids is None) == (body.filter is None):
        raise InvalidInput("give either customer_ids or filter")
    rel = select(FollowRelation.id).where(
        FollowRelation.corp_id == corp_id, FollowRelation.deleted_at.is_(None)
    )
    if body.customer_ids is not None:
        found = set(
            (
                await session.scalars(
                    scoped(Customer, corp_id, Customer.id).where(Customer.id.in_(body.customer_ids))
                )
            ).all()
        )
        missing = sorted(set(body.customer_ids) - found)
        if missing:
            raise InvalidInput(f"unknown customers: {', '.join(map(str, missing[:20]))}")
        rel = rel.where(FollowRelation.customer_id.in_(body.customer_ids))
    else:
        assert body.filter is not None
        ids = customers.filtered(corp_id, body.filter).with_only_columns(Customer.id)
        rel = rel.where(FollowRelation.customer_id.in_(ids.scalar_subquery()))
    if body.userid:
        rel = rel.where(FollowRelation.userid == body.userid)
    relation_ids = list((await session.scalars(rel.order_by(FollowRelation.id))).all())
    if not relation_ids:
        raise InvalidInput("no live follow relation matches: nothing to tag")
    job = BatchTagJob(
        corp_id=corp_id,
        add_tag_ids=sorted(body.add),
        remove_tag_ids=sorted(body.remove),
        total=len(relation_ids),
        requested_by=requested_by,
    )
    session.add(job)
    await session.flush()
    await session.execute(
        insert(BatchTagItem),
        [{"corp_id": corp_id, "job_id": job.id, "relation_id": rid} for rid in relation_ids],
    )
    return job


async def get_job(
    session: AsyncSession, corp_id: int, job_id: int, *, principal: Principal | None = None
) -> BatchTagJob:
    """A batch tag job; a manager or staff ``principal`` sees only the jobs they started
    (another user's job reads as unknown: its size and errors name customers out of scope)."""
    job = await session.scalar(scoped(BatchTagJob, corp_id).where(BatchTagJob.id == job_id))
    if job is None or (
        principal is not None and not principal.full_access and job.requested_by != principal.name
    ):
        raise NotFound(f"batch tag job {job_id} does not exist")
    return job


async def job_errors(
    session: AsyncSession, corp_id: int, job_id: int, limit: int = 20
) -> list[str]:
    rows = await session.scalars(
        scoped(BatchTagItem, corp_id, BatchTagItem.error)
        .where(BatchTagItem.job_id == job_id, BatchTagItem.status == "failed")
        .limit(limit)
    )
    return [r or "" for r in rows.all()]


async def cancel_job(session: AsyncSession, principal: Principal, job_id: int) -> BatchTagJob:
    """Stop a batch tag job: a job not started yet at once, a running one after its current
    chunk (its in-flight writes are settled with WeCom first; the rest is never sent)."""
    corp_id = principal.corp_id
    job = await get_job(session, corp_id, job_id, principal=principal)
    if job.requested_by.startswith(batch.RULE_TAG_PREFIX):
        raise Conflict("this job writes a rule tag: pause the rule tag instead")
    live = BatchTagJob.id == job_id, BatchTagJob.corp_id == corp_id
    now = utcnow()
    res = await session.execute(  # not claimed by a worker yet: nothing is in flight
        update(BatchTagJob)
        .where(*live, BatchTagJob.status == "pending", BatchTagJob.lease_token.is_(None))
        .values(status="cancelled", cancelled=BatchTagJob.total, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(res, "rowcount", 0) == 1:
        await session.execute(
            update(BatchTagItem)
            .where(BatchTagItem.job_id == job_id, BatchTagItem.status == "pending")
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        )
    else:
        res = await session.execute(
            update(BatchTagJob)
            .where(*live, BatchTagJob.status.in_(("pending", "running")))
            .values(status="cancelling", updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(res, "rowcount", 0) != 1:
            await session.refresh(job)
            if job.status != "cancelling":
                raise Conflict(f"batch tag job {job_id} is already {job.status}")
    await session.refresh(job)
    return job
