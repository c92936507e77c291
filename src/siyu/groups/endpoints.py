"""Group chat routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from siyu.api.deps import CorpDep, SessionDep
from siyu.core.pagination import Page
from siyu.groups import service
from siyu.groups.schemas import GroupChatDetail, GroupChatOut

router = APIRouter(prefix="/groups", tags=["groups"])


@router.get("", response_model=Page[GroupChatOut])
async def list_groups(
    session: SessionDep,
    corp: CorpDep,
    owner: str | None = None,
    keyword: str | None = None,
    include_dismissed: bool = False,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[GroupChatOut]:
    items, nxt = await service.list_groups(
        session,
        corp.id,
        owner=owner,
        keyword=keyword,
        include_dismissed=include_dismissed,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=items, next_cursor=nxt)


@router.get("/{chat_id}", response_model=GroupChatDetail)
async def get_group(
    session: SessionDep, corp: CorpDep, chat_id: str, include_left: bool = False
) -> GroupChatDetail:
    return await service.detail(session, corp.id, chat_id, include_left=include_left)
