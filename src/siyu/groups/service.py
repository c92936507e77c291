"""Group chat reads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core import sorting
from siyu.core.errors import NotFound
from siyu.customers.models import Customer
from siyu.db.repository import scoped
from siyu.employees import service as employees
from siyu.groups.models import GroupChat, GroupMember
from siyu.groups.schemas import GroupChatDetail, GroupChatOut, GroupMemberOut
from siyu.groups.tag_models import GroupChatTag


async def list_groups(
    session: AsyncSession,
    corp_id: int,
    *,
    owner: str | None = None,
    keyword: str | None = None,
    include_dismissed: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    visible: frozenset[str] | None = None,
    sort: str | None = None,
    tag_id: int | None = None,
) -> tuple[list[GroupChatOut], str | None]:
    """Group chats (within a data scope: those owned by a visible employee), in ``sort`` order."""
    order = sorting.parse(sort, SORTS, "id")
    stmt = scoped(GroupChat, corp_id)
    if visible is not None:
        stmt = stmt.where(GroupChat.owner.in_(sorted(visible)))
    if owner:
        stmt = stmt.where(GroupChat.owner == owner)
    if keyword:
        stmt = stmt.where(GroupChat.name.like(f"%{keyword}%"))
    if not include_dismissed:
        stmt = stmt.where(GroupChat.dismissed_at.is_(None))
    if tag_id is not None:  # a group tag (群标签) on the group
        stmt = stmt.where(
            GroupChat.id.in_(
                select(GroupChatTag.group_pk).where(
                    GroupChatTag.corp_id == corp_id, GroupChatTag.tag_id == tag_id
                )
            )
        )
    stmt = sorting.apply(stmt, order, GroupChat.id, cursor).limit(limit + 1)
    page = sorting.page(list((await session.scalars(stmt)).all()), order, limit)
    names = await employees.display_names(session, corp_id, [g.owner for g in page.items])
    return [
        GroupChatOut.model_validate(g).model_copy(update={"owner_name": names.get(g.owner, "")})
        for g in page.items
    ], page.next_cursor


SORTS = {
    "id": GroupChat.id,
    "name": GroupChat.name,
    "owner": GroupChat.owner,
    "member_count": GroupChat.member_count,
}


async def detail(
    session: AsyncSession,
    corp_id: int,
    chat_id: str,
    *,
    include_left: bool = False,
    visible: frozenset[str] | None = None,
) -> GroupChatDetail:
    group = await session.scalar(scoped(GroupChat, corp_id).where(GroupChat.chat_id == chat_id))
    if group is None or (visible is not None and group.owner not in visible):
        raise NotFound(f"group chat {chat_id} does not exist")
    stmt = (
        select(GroupMember, Customer.id, Customer.name)
        .outerjoin(
            Customer,
            (Customer.corp_id == corp_id) & (Customer.external_userid == GroupMember.member_id),
        )
        .where(GroupMember.group_pk == group.id)
        .order_by(GroupMember.join_time, GroupMember.id)
    )
    if not include_left:
        stmt = stmt.where(GroupMember.left_at.is_(None))
    rows = (await session.execute(stmt)).all()
    names = await employees.display_names(
        session, corp_id, [group.owner] + [m.member_id for m, _, _ in rows if m.type == 1]
    )
    members = []
    for m, cid, customer_name in rows:
        out = GroupMemberOut.model_validate(m)
        out.customer_id = cid
        if not out.name and customer_name:  # WeCom named only the members still in the chat
            out.name = customer_name
        if m.type == 1 and m.member_id in names:  # an employee: the name people know them by
            out.name = names[m.member_id]
        members.append(out)
    head = GroupChatOut.model_validate(group)
    head.owner_name = names.get(group.owner, "")
    return GroupChatDetail(**head.model_dump(), members=members)
