"""The reference evaluator: the rule read literally, customer by customer, in plain Python
over rows loaded from the database. Slow and obviously right; the engine must agree with it
(tests/segments/test_properties.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import ChannelCode, CustomerOwner
from siyu.customers.models import Customer, FollowRelation, RelationTag, TimelineEvent
from siyu.customers.stage_models import CustomerStageState
from siyu.employees.models import Department, Employee
from siyu.segments import rules as r


@dataclass
class _Rel:
    userid: str
    state: str
    add_way: int
    tags: set[str] = field(default_factory=set)


@dataclass
class _Cust:
    seq: int
    gender: int
    type: int
    deleted: bool
    first_added_at: datetime | None
    owner: str | None = None
    stage_id: int | None = None
    relations: list[_Rel] = field(default_factory=list)
    events: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass
class World:
    customers: list[_Cust]
    parents: dict[int, int | None]
    departments_of: dict[str, list[int]]
    tz: ZoneInfo
    channel_groups: dict[str, set[str]] = field(default_factory=dict)


async def load(session: AsyncSession, corp_id: int, timezone: str) -> World:
    """Every fact of the corp the rules can look at."""
    by_id: dict[int, _Cust] = {}
    for c in (await session.scalars(select(Customer).where(Customer.corp_id == corp_id))).all():
        by_id[c.id] = _Cust(c.seq, c.gender, c.type, c.deleted_at is not None, c.first_added_at)
    rels: dict[int, _Rel] = {}
    live = select(FollowRelation).where(
        FollowRelation.corp_id == corp_id, FollowRelation.deleted_at.is_(None)
    )
    for f in (await session.scalars(live)).all():
        rels[f.id] = _Rel(f.userid, f.state, f.add_way)
        by_id[f.customer_id].relations.append(rels[f.id])
    tags = select(RelationTag.relation_id, RelationTag.tag_id).where(RelationTag.corp_id == corp_id)
    for rid, tid in (await session.execute(tags)).all():
        if rid in rels:
            rels[rid].tags.add(tid)
    owners = select(CustomerOwner.customer_id, CustomerOwner.userid).where(
        CustomerOwner.corp_id == corp_id
    )
    for cid, userid in (await session.execute(owners)).all():
        by_id[cid].owner = userid
    stages = select(CustomerStageState.customer_id, CustomerStageState.stage_id).where(
        CustomerStageState.corp_id == corp_id
    )
    for cid, stage_id in (await session.execute(stages)).all():
        by_id[cid].stage_id = stage_id
    events = select(TimelineEvent.customer_id, TimelineEvent.kind, TimelineEvent.occurred_at).where(
        TimelineEvent.corp_id == corp_id
    )
    for cid, kind, at in (await session.execute(events)).all():
        by_id[cid].events.append((kind, at))
    depts = select(Department.dept_id, Department.parent_id).where(Department.corp_id == corp_id)
    emps = select(Employee.userid, Employee.department_ids).where(Employee.corp_id == corp_id)
    groups: dict[str, set[str]] = {}
    codes = select(ChannelCode.group_name, ChannelCode.state).where(ChannelCode.corp_id == corp_id)
    for group, state in (await session.execute(codes)).all():
        groups.setdefault(group, set()).add(state)
    return World(
        channel_groups=groups,
        customers=list(by_id.values()),
        parents={d: p for d, p in (await session.execute(depts)).all()},
        departments_of={u: list(ds or []) for u, ds in (await session.execute(emps)).all()},
        tz=ZoneInfo(timezone),
    )


def evaluate(world: World, definition: r.Definition, now: datetime) -> set[int]:
    """The seqs of the customers the definition selects."""
    return {
        c.seq
        for c in world.customers
        if (definition.include_deleted or not c.deleted) and _match(world, c, definition.rule, now)
    }


def _in_subtree(world: World, dept: int, roots: set[int], children: bool) -> bool:
    seen: set[int] = set()
    cur: int | None = dept
    while cur is not None and cur not in seen:
        if cur in roots:
            return True
        if not children:
            return False
        seen.add(cur)
        cur = world.parents.get(cur)
    return False


def _match(world: World, c: _Cust, node: Any, now: datetime) -> bool:
    if isinstance(node, r.AndGroup):
        return all(_match(world, c, k, now) for k in node.terms)
    if isinstance(node, r.OrGroup):
        return any(_match(world, c, k, now) for k in node.terms)
    if isinstance(node, r.NotGroup):
        return not _match(world, c, node.term, now)
    if isinstance(node, r.TagsTerm):
        rels = [x for x in c.relations if node.userid is None or x.userid == node.userid]
        if node.userid is not None:
            held = set().union(*(x.tags for x in rels)) if rels else set()
        else:
            held = set().union(*(x.tags for x in c.relations)) if c.relations else set()
        if node.match == "any":
            return bool(held & set(node.tag_ids))
        if node.match == "all":
            return set(node.tag_ids) <= held
        return not held & set(node.tag_ids)
    if isinstance(node, r.EmployeeTerm):
        return any(x.userid in node.userids for x in c.relations)
    if isinstance(node, r.OwnerTerm):
        return c.owner in node.userids
    if isinstance(node, r.DepartmentTerm):
        roots = set(node.dept_ids)
        return any(
            _in_subtree(world, d, roots, node.include_children)
            for x in c.relations
            for d in world.departments_of.get(x.userid, [])
        )
    if isinstance(node, r.ChannelTerm):
        states = set(node.states).union(*(world.channel_groups.get(g, set()) for g in node.groups))
        return any(x.state in states for x in c.relations if x.state)
    if isinstance(node, r.AddWayTerm):
        return any(x.add_way in node.values for x in c.relations)
    if isinstance(node, r.GenderTerm):
        return c.gender in node.values
    if isinstance(node, r.CustomerTypeTerm):
        return c.type in node.values
    if isinstance(node, r.DeletedTerm):
        return c.deleted == node.value
    if isinstance(node, r.AddedTerm):
        if c.first_added_at is None:
            return False
        day = c.first_added_at.astimezone(world.tz).date()
        if node.within_days is not None:
            today = now.astimezone(world.tz).date()
            return today - timedelta(days=node.within_days - 1) <= day <= today
        return (node.from_date is None or day >= node.from_date) and (
            node.to_date is None or day <= node.to_date
        )
    if isinstance(node, r.EventTerm):
        since = now - timedelta(days=node.within_days)
        n = sum(1 for kind, at in c.events if kind == node.kind and at >= since)
        return n >= node.count if node.op == ">=" else n <= node.count
    if isinstance(node, r.StageTerm):
        return c.stage_id in node.stage_ids
    raise TypeError(f"unknown rule node {node!r}")
