"""A group chat's activity for its console page: joins and leaves per day of the corp's
calendar, what kind of people its members are (our customers, lost customers, WeChat users
nobody in the corp follows, employees) and the corp tags its customers carry.

Joins and leaves come from the stored members (``join_time``, ``left_at``: a member who left
stays as history); a member who left and joined again counts once, on the last join.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import InvalidInput, NotFound
from siyu.core.times import local, zone
from siyu.corps.models import Corp
from siyu.customers.models import Customer, FollowRelation, RelationTag, Tag, TagGroup
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.groups.models import GroupChat, GroupMember
from siyu.groups.schemas import ActivityDay, GroupActivity, MemberFlags, MemberTags, TagCount

MAX_DAYS = 366
#: what a member is to the corp
EMPLOYEE, CUSTOMER, LOST, STRANGER = "employee", "customer", "lost_customer", "not_a_customer"


async def activity(
    session: AsyncSession,
    corp_id: int,
    chat_id: str,
    *,
    start: date | None = None,
    end: date | None = None,
    visible: frozenset[str] | None = None,
) -> GroupActivity:
    group = await session.scalar(scoped(GroupChat, corp_id).where(GroupChat.chat_id == chat_id))
    if group is None or (visible is not None and group.owner not in visible):
        raise NotFound(f"group chat {chat_id} does not exist")
    tz = zone(await session.scalar(select(Corp.timezone).where(Corp.id == corp_id)))
    end = end or local(utcnow(), tz).date()
    start = start or end - timedelta(days=29)
    if start > end:
        raise InvalidInput("start must not be after end")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"the date range may span at most {MAX_DAYS} days")

    members = list(
        (await session.scalars(select(GroupMember).where(GroupMember.group_pk == group.id))).all()
    )
    joins: Counter[date] = Counter()
    leaves: Counter[date] = Counter()
    for m in members:
        if m.join_time is not None:
            joins[local(m.join_time, tz).date()] += 1
        if m.left_at is not None:
            leaves[local(m.left_at, tz).date()] += 1
    days = [
        ActivityDay(day=d, joins=joins[d], leaves=leaves[d])
        for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
    ]

    current = [m for m in members if m.left_at is None]
    externals = [m.member_id for m in current if m.type != 1]
    customers: dict[str, tuple[int, bool]] = {}  # external_userid -> (customer id, lost)
    if externals:
        rows = await session.execute(
            scoped(
                Customer, corp_id, Customer.external_userid, Customer.id, Customer.deleted_at
            ).where(Customer.external_userid.in_(externals))
        )
        customers = {e: (cid, gone is not None) for e, cid, gone in rows.all()}
    flags = Counter(
        EMPLOYEE
        if m.type == 1
        else (LOST if customers[m.member_id][1] else CUSTOMER)
        if m.member_id in customers
        else STRANGER
        for m in current
    )

    # corp tags on the live relations of the customers among the members
    ids = {cid: ext for ext, (cid, _) in customers.items()}
    per_customer: dict[int, set[str]] = {}
    if ids:
        rows = await session.execute(
            select(RelationTag.customer_id, RelationTag.tag_id)
            .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
            .where(
                RelationTag.corp_id == corp_id,
                RelationTag.customer_id.in_(sorted(ids)),
                FollowRelation.deleted_at.is_(None),
            )
        )
        for cid, tag_id in rows.all():
            per_customer.setdefault(cid, set()).add(tag_id)
    tag_ids = sorted({t for ts in per_customer.values() for t in ts})
    names: dict[str, tuple[str, str]] = {}
    if tag_ids:
        rows = await session.execute(
            select(Tag.tag_id, Tag.name, TagGroup.name)
            .join(TagGroup, TagGroup.id == Tag.group_pk)
            .where(Tag.corp_id == corp_id, Tag.tag_id.in_(tag_ids), Tag.deleted_at.is_(None))
        )
        names = {t: (n, g) for t, n, g in rows.all()}
    counts: Counter[str] = Counter(t for ts in per_customer.values() for t in ts if t in names)
    return GroupActivity(
        chat_id=chat_id,
        start=start,
        end=end,
        timezone=tz.key,
        days=days,
        joins=sum(d.joins for d in days),
        leaves=sum(d.leaves for d in days),
        members=MemberFlags(
            employees=flags[EMPLOYEE],
            customers=flags[CUSTOMER],
            lost_customers=flags[LOST],
            not_customers=flags[STRANGER],
        ),
        tags=[
            TagCount(tag_id=t, name=names[t][0], group_name=names[t][1], customers=n)
            for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]][0]))
        ],
        member_tags=[
            MemberTags(
                member_id=ids[cid],
                flag=LOST if customers[ids[cid]][1] else CUSTOMER,
                tags=sorted(names[t][0] for t in ts if t in names),
            )
            for cid, ts in sorted(per_customer.items())
        ]
        + [
            MemberTags(member_id=ext, flag=LOST if lost else CUSTOMER, tags=[])
            for ext, (cid, lost) in customers.items()
            if cid not in per_customer
        ]
        + [
            MemberTags(member_id=e, flag=STRANGER, tags=[]) for e in externals if e not in customers
        ],
    )
