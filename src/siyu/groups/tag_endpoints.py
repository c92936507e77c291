"""Routes of group tags and the group sidebar (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from siyu.core.bounds import Id
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep
from siyu.groups import sidebar, tags
from siyu.groups.tag_schemas import (
    GroupSidebar,
    GroupTagIn,
    GroupTagOut,
    GroupTagRef,
    GroupTagsIn,
)

router = APIRouter(prefix="/group-tags", tags=["groups"])
group_router = APIRouter(prefix="/groups", tags=["groups"])

ChatId = Annotated[str, Path(max_length=64)]


@router.get("", response_model=list[GroupTagOut])
async def list_group_tags(session: SessionDep, principal: PrincipalDep) -> list[GroupTagOut]:
    return await tags.list_tags(session, principal.corp_id)


@router.post("", response_model=GroupTagOut, status_code=201)
async def create_group_tag(session: SessionDep, corp: CorpDep, body: GroupTagIn) -> GroupTagOut:
    return GroupTagOut.model_validate(await tags.create_tag(session, corp.id, body.name))


@router.patch("/{tag_id}", response_model=GroupTagOut)
async def rename_group_tag(
    session: SessionDep, corp: CorpDep, tag_id: Id, body: GroupTagIn
) -> GroupTagOut:
    return GroupTagOut.model_validate(await tags.rename_tag(session, corp.id, tag_id, body.name))


@router.delete("/{tag_id}", status_code=204)
async def delete_group_tag(session: SessionDep, corp: CorpDep, tag_id: Id) -> Response:
    await tags.delete_tag(session, corp.id, tag_id)
    return Response(status_code=204)


@group_router.put("/{chat_id}/tags", response_model=list[GroupTagRef])
async def set_group_tags(
    session: SessionDep, principal: PrincipalDep, chat_id: ChatId, body: GroupTagsIn
) -> list[GroupTagRef]:
    """Replace the group chat's tags (any role that sees the group)."""
    return await tags.set_group_tags(
        session, principal.corp_id, chat_id, body.tag_ids, visible=principal.visible_userids
    )


@group_router.get("/{chat_id}/sidebar", response_model=GroupSidebar)
async def group_sidebar(
    session: SessionDep, principal: PrincipalDep, chat_id: ChatId
) -> GroupSidebar:
    """The group sidebar: owner, members (customers with tags, staff), joins and leaves, tags."""
    return await sidebar.sidebar(
        session, principal.corp_id, chat_id, visible=principal.visible_userids
    )
