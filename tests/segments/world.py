"""Random small corps written straight to the database, and random rules, for the segment
property tests (hypothesis strategies)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import ChannelCode, CustomerOwner
from siyu.corps.models import Corp
from siyu.customers import changelog
from siyu.customers.models import (
    Customer,
    FollowRelation,
    RelationTag,
    Tag,
    TagGroup,
    TimelineEvent,
)
from siyu.employees.models import Department, Employee

NOW = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai
TAGS = ["t1", "t2", "t3", "t4", "t5"]
USERS = ["u1", "u2", "u3", "u4"]
STATES = ["s1", "s2", "s3"]
KINDS = ["joined_group", "tagged"]
DEPTS = {1: None, 2: 1, 3: 2, 4: 1}
CHANNEL_GROUPS = {"s1": "线下", "s2": "线下", "s3": "线上"}
EMPLOYEE_DEPTS = {"u1": [2], "u2": [3], "u3": [4], "u4": [1, 3]}
_corp_numbers = itertools.count(1)

relation = st.fixed_dictionaries(
    {
        "userid": st.sampled_from(USERS),
        "state": st.sampled_from(["", *STATES]),
        "add_way": st.integers(0, 2),
        "tags": st.sets(st.sampled_from(TAGS), max_size=3),
        "deleted": st.booleans(),
    }
)
customer = st.fixed_dictionaries(
    {
        "gender": st.integers(0, 2),
        "type": st.integers(1, 2),
        "deleted": st.booleans(),
        "added_hours_ago": st.none() | st.integers(0, 40 * 24),
        "owner": st.none() | st.sampled_from(USERS),
        "relations": st.lists(relation, max_size=3, unique_by=lambda r: r["userid"]),
        "events": st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 40 * 24)), max_size=4),
    }
)
customers = st.lists(customer, max_size=14)

_users = st.lists(st.sampled_from(USERS), min_size=1, max_size=3, unique=True)
leaf = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.just("tags"),
            "match": st.sampled_from(["any", "all", "none"]),
            "tag_ids": st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True),
            "userid": st.none() | st.sampled_from(USERS),
        }
    ),
    st.fixed_dictionaries({"type": st.just("employee"), "userids": _users}),
    st.fixed_dictionaries({"type": st.just("owner"), "userids": _users}),
    st.fixed_dictionaries(
        {
            "type": st.just("department"),
            "dept_ids": st.lists(st.sampled_from(list(DEPTS)), min_size=1, max_size=2),
            "include_children": st.booleans(),
        }
    ),
    st.fixed_dictionaries(
        {"type": st.just("channel"), "states": st.lists(st.sampled_from(STATES), min_size=1)}
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("channel"),
            "states": st.lists(st.sampled_from(STATES), max_size=1),
            "groups": st.lists(st.sampled_from(sorted(set(CHANNEL_GROUPS.values()))), min_size=1),
        }
    ),
    st.fixed_dictionaries(
        {"type": st.just("add_way"), "values": st.lists(st.integers(0, 3), min_size=1)}
    ),
    st.fixed_dictionaries({"type": st.just("added"), "within_days": st.integers(1, 45)}),
    st.builds(
        lambda a, b: {"type": "added", "from_date": min(a, b), "to_date": max(a, b)},
        st.dates(date(2026, 10, 10), date(2026, 11, 25)),
        st.dates(date(2026, 10, 10), date(2026, 11, 25)),
    ),
    st.fixed_dictionaries(
        {"type": st.just("gender"), "values": st.lists(st.integers(0, 2), min_size=1)}
    ),
    st.fixed_dictionaries(
        {"type": st.just("customer_type"), "values": st.lists(st.integers(1, 2), min_size=1)}
    ),
    st.fixed_dictionaries({"type": st.just("deleted"), "value": st.booleans()}),
    st.fixed_dictionaries(
        {
            "type": st.just("event"),
            "kind": st.sampled_from(KINDS),
            "op": st.sampled_from([">=", "<="]),
            "count": st.integers(0, 3),
            "within_days": st.integers(1, 45),
        }
    ),
)
rules = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda ts: {"type": "and", "terms": ts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda ts: {"type": "or", "terms": ts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda t: {"type": "not", "term": t}, inner),
    ),
    max_leaves=6,
)
definitions = st.fixed_dictionaries({"rule": rules, "include_deleted": st.booleans()})


async def make_corp(session: AsyncSession) -> Corp:
    """A corp with the fixed employees, departments and tags."""
    n = next(_corp_numbers)
    corp = Corp(
        wecom_corp_id=f"wwprop{n}-{id(session)}",
        name=f"性质测试{n}",
        secret_enc="-",
        token_enc="-",
        aes_key_enc="-",
    )
    session.add(corp)
    await session.flush()
    for d, p in DEPTS.items():
        session.add(Department(corp_id=corp.id, dept_id=d, name=f"部门{d}", parent_id=p))
    for u, ds in EMPLOYEE_DEPTS.items():
        session.add(Employee(corp_id=corp.id, userid=u, name=u, department_ids=ds))
    group = TagGroup(corp_id=corp.id, group_id="g1", name="意向")
    session.add(group)
    await session.flush()
    for t in TAGS:
        session.add(Tag(corp_id=corp.id, tag_id=t, group_pk=group.id, name=t))
    for state, channel_group in CHANNEL_GROUPS.items():
        session.add(
            ChannelCode(corp_id=corp.id, name=f"渠道{state}", group_name=channel_group, state=state)
        )
    await session.flush()
    return corp


async def add_customers(
    session: AsyncSession, corp: Corp, specs: list[dict[str, Any]]
) -> list[int]:
    """Insert customers as described; returns their ids (changes are logged)."""
    ids = []
    for spec in specs:
        corp.next_customer_seq += 1
        seq = corp.next_customer_seq - 1
        hours = spec["added_hours_ago"]
        first = NOW - timedelta(hours=hours) if hours is not None else None
        cid = (
            await session.execute(
                insert(Customer).returning(Customer.id),
                {
                    "corp_id": corp.id,
                    "seq": seq,
                    "external_userid": f"wm{corp.id}x{seq}",
                    "name": f"客户{seq}",
                    "gender": spec["gender"],
                    "type": spec["type"],
                    "first_added_at": first,
                    "deleted_at": NOW if spec["deleted"] else None,
                },
            )
        ).scalar_one()
        ids.append(cid)
        for rel in spec["relations"]:
            rid = (
                await session.execute(
                    insert(FollowRelation).returning(FollowRelation.id),
                    {
                        "corp_id": corp.id,
                        "customer_id": cid,
                        "userid": rel["userid"],
                        "state": rel["state"],
                        "add_way": rel["add_way"],
                        "added_at": first,
                        "deleted_at": NOW if rel["deleted"] else None,
                    },
                )
            ).scalar_one()
            for t in rel["tags"]:
                await session.execute(
                    insert(RelationTag),
                    {"relation_id": rid, "tag_id": t, "corp_id": corp.id, "customer_id": cid},
                )
        if spec["owner"]:
            await set_owner(session, corp.id, cid, spec["owner"], log=False)
        for kind, hours_ago in spec["events"]:
            await add_event(session, corp.id, cid, kind, hours_ago)
    await changelog.record(session, corp.id, ids)
    return ids


async def set_owner(
    session: AsyncSession, corp_id: int, customer_id: int, userid: str, *, log: bool = True
) -> None:
    done = await session.execute(
        update(CustomerOwner)
        .where(CustomerOwner.corp_id == corp_id, CustomerOwner.customer_id == customer_id)
        .values(userid=userid)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        session.add(
            CustomerOwner(corp_id=corp_id, customer_id=customer_id, userid=userid, since=NOW)
        )
        await session.flush()
    if log:
        await changelog.record(session, corp_id, [customer_id])


async def add_event(
    session: AsyncSession, corp_id: int, customer_id: int, kind: str, hours_ago: int
) -> None:
    """Timeline events need no change log entry: their terms are answered by SQL."""
    await session.execute(
        insert(TimelineEvent),
        {
            "corp_id": corp_id,
            "customer_id": customer_id,
            "kind": kind,
            "occurred_at": NOW - timedelta(hours=hours_ago),
            "data": {},
        },
    )
