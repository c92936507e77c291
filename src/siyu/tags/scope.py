"""Data scope of batch tag jobs: managers and staff tag only customers they may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Forbidden, InvalidInput
from siyu.corps.principal import Principal
from siyu.customers.models import FollowRelation
from siyu.tags.schemas import BatchTagIn


async def check_batch(session: AsyncSession, principal: Principal, body: BatchTagIn) -> BatchTagIn:
    """The job as the principal may run it (unchanged for full access); Forbidden otherwise."""
    visible = principal.visible_userids
    if visible is None:
        return body
    if body.customer_ids is None:
        raise Forbidden("your role tags customers by id only (not by a filter over the corp)")
    userid = body.userid or principal.userid
    if not userid:
        raise InvalidInput("choose the employee whose relations carry the tags (userid)")
    if userid not in visible:
        raise Forbidden(f"you may not tag through employee {userid}'s relations")
    ids = set(body.customer_ids)
    found = set(
        (
            await session.scalars(
                select(FollowRelation.customer_id).where(
                    FollowRelation.corp_id == principal.corp_id,
                    FollowRelation.userid == userid,
                    FollowRelation.deleted_at.is_(None),
                    FollowRelation.customer_id.in_(sorted(ids)),
                )
            )
        ).all()
    )
    if ids - found:
        raise Forbidden(f"customers {sorted(ids - found)[:10]} are not followed by {userid}")
    return body.model_copy(update={"userid": userid})
