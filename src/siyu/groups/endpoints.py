"""Group chat routes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from siyu.core.bounds import Id
from siyu.core.pagination import Page
from siyu.corps.deps import PrincipalDep, SessionDep
from siyu.groups import activity, service
from siyu.groups.schemas import GroupActivity, GroupChatDetail, GroupChatOut

router = APIRouter(prefix="/groups", tags=["groups"])


@router.get("", response_model=Page[GroupChatOut])
async def list_groups(
    session: SessionDep,
    principal: PrincipalDep,
    owner: str | None = None,
    keyword: str | None = None,
    include_dismissed: bool = False,
    tag_id: Annotated[Id | None, Query(description="only groups carrying this group tag")] = None,
    sort: Annotated[
        str | None, Query(description="name, owner, member_count or id; - for descending")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[GroupChatOut]:
    items, nxt = await service.list_groups(
        session,
        principal.corp_id,
        owner=owner,
        keyword=keyword,
        include_dismissed=include_dismissed,
        cursor=cursor,
        limit=limit,
        visible=principal.visible_userids,
        sort=sort,
        tag_id=tag_id,
    )
    return Page(items=items, next_cursor=nxt)


@router.get("/{chat_id}", response_model=GroupChatDetail)
async def get_group(
    session: SessionDep, principal: PrincipalDep, chat_id: str, include_left: bool = False
) -> GroupChatDetail:
    return await service.detail(
        session,
        principal.corp_id,
        chat_id,
        include_left=include_left,
        visible=principal.visible_userids,
    )


@router.get("/{chat_id}/activity", response_model=GroupActivity)
async def group_activity(
    session: SessionDep,
    principal: PrincipalDep,
    chat_id: Annotated[str, Path(max_length=64)],
    start: date | None = None,
    end: date | None = None,
) -> GroupActivity:
    """Joins and leaves per day of the corp's calendar (default: the last 30 days), current
    members by kind (employees, customers, lost customers, not customers) and the tags the
    customers in the group carry."""
    return await activity.activity(
        session, principal.corp_id, chat_id, start=start, end=end, visible=principal.visible_userids
    )
