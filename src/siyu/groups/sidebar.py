"""What the group sidebar shows for the current group chat: owner, members (customers with
their corp tags, staff marked as staff), the join/leave history and the group's tags."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers.models import Customer, FollowRelation, RelationTag, Tag
from siyu.employees import service as employees
from siyu.groups import tags as group_tags
from siyu.groups.models import GroupMember
from siyu.groups.tag_schemas import GroupSidebar, MemberEvent, SidebarMember

HISTORY = 50


async def customer_tags(
    session: AsyncSession, corp_id: int, customer_ids: list[int]
) -> dict[int, list[str]]:
    """customer → the names of the corp tags on its live relations (union, ordered)."""
    out: dict[int, list[str]] = defaultdict(list)
    if not customer_ids:
        return out
    rows = await session.execute(
        select(RelationTag.customer_id, Tag.name)
        .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
        .join(Tag, (Tag.corp_id == corp_id) & (Tag.tag_id == RelationTag.tag_id))
        .where(
            RelationTag.corp_id == corp_id,
            RelationTag.customer_id.in_(customer_ids),
            FollowRelation.deleted_at.is_(None),
            Tag.deleted_at.is_(None),
        )
        .order_by(Tag.order, Tag.id)
    )
    for cid, name in rows.all():
        if name not in out[cid]:
            out[cid].append(name)
    return out


async def sidebar(
    session: AsyncSession, corp_id: int, chat_id: str, *, visible: frozenset[str] | None = None
) -> GroupSidebar:
    group = await group_tags.group_for(session, corp_id, chat_id, visible)
    rows = (
        await session.execute(
            select(GroupMember, Customer.id, Customer.name)
            .outerjoin(
                Customer,
                (Customer.corp_id == corp_id) & (Customer.external_userid == GroupMember.member_id),
            )
            .where(GroupMember.group_pk == group.id)
            .order_by(GroupMember.join_time, GroupMember.id)
        )
    ).all()
    staff_ids = [m.member_id for m, _, _ in rows if m.type == 1]
    names = await employees.display_names(session, corp_id, [group.owner, *staff_ids])
    tags = await customer_tags(session, corp_id, [cid for _, cid, _ in rows if cid is not None])
    members: list[SidebarMember] = []
    history: list[MemberEvent] = []
    for m, cid, customer_name in rows:
        staff = m.type == 1
        name = names.get(m.member_id, "") if staff else ""
        name = name or m.name or (customer_name or "") or m.group_nickname
        if m.join_time is not None:
            history.append(
                MemberEvent(
                    member_id=m.member_id, name=name, is_staff=staff, kind="joined", at=m.join_time
                )
            )
        if m.left_at is not None:
            history.append(
                MemberEvent(
                    member_id=m.member_id, name=name, is_staff=staff, kind="left", at=m.left_at
                )
            )
            continue
        members.append(
            SidebarMember(
                member_id=m.member_id,
                name=name,
                group_nickname=m.group_nickname,
                is_staff=staff,
                is_owner=m.member_id == group.owner,
                customer_id=cid,
                tags=tags.get(cid, []) if cid is not None else [],
                join_time=m.join_time,
                join_scene=m.join_scene,
            )
        )
    history.sort(key=lambda e: e.at, reverse=True)
    # the owner first, then the other staff, then customers by join time
    members.sort(key=lambda m: (not m.is_owner, not m.is_staff))
    return GroupSidebar(
        id=group.id,
        chat_id=group.chat_id,
        name=group.name,
        owner=group.owner,
        owner_name=names.get(group.owner, ""),
        notice=group.notice,
        member_count=len(members),
        staff_count=sum(1 for m in members if m.is_staff),
        customer_count=sum(1 for m in members if not m.is_staff),
        dismissed_at=group.dismissed_at,
        members=members,
        history=history[:HISTORY],
        tags=await group_tags.tags_of(session, corp_id, group.id),
    )
