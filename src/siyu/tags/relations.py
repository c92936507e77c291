"""Mirror a successful ``mark_tag`` locally: the relation's tags and the customer timeline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers import changelog
from siyu.customers import timeline as tl
from siyu.customers.models import FollowRelation, RelationTag


async def mirror_mark_tag(
    s: AsyncSession,
    corp_id: int,
    rel: FollowRelation,
    *,
    add: Sequence[str],
    remove: Sequence[str],
    now: datetime,
    **data: Any,
) -> None:
    """Apply WeCom's accepted tag change to ``rel``; ``data`` goes on each timeline entry."""
    have = set(
        (await s.scalars(select(RelationTag.tag_id).where(RelationTag.relation_id == rel.id))).all()
    )
    new = [t for t in dict.fromkeys(add) if t not in have]
    if new:
        await s.execute(
            insert(RelationTag),
            [
                {
                    "relation_id": rel.id,
                    "tag_id": t,
                    "corp_id": corp_id,
                    "customer_id": rel.customer_id,
                }
                for t in new
            ],
        )
    gone = [t for t in dict.fromkeys(remove) if t in have]
    if gone:
        await s.execute(
            delete(RelationTag).where(
                RelationTag.relation_id == rel.id, RelationTag.tag_id.in_(gone)
            )
        )
    events = [
        tl.entry(corp_id, rel.customer_id, kind, at=now, userid=rel.userid, tag_id=t, **data)
        for kind, ids in ((tl.TAGGED, new), (tl.UNTAGGED, gone))
        for t in ids
    ]
    await tl.record(s, events)
    if new or gone:
        await changelog.record(s, corp_id, [rel.customer_id])
