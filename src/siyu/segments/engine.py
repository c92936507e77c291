"""Compile a rule to bitmap algebra and evaluate it; keep each process's indexes current.

A compiled plan is a tree of ``and`` / ``or`` / ``not`` nodes over two kinds of leaves:
``bm`` leaves read the corp's bitmaps; ``sql`` leaves (terms without a bitmap: tags on one
employee's relation, timeline event counts) run a query restricted to the candidates that the
bitmap leaves left. Every node is evaluated *within* a candidate bitmap, so ``and`` narrows
the candidates term by term (bitmap leaves first) and ``not`` is relative to the candidates.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pyroaring import BitMap
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import InvalidInput
from siyu.corps.models import Corp
from siyu.customers import changelog
from siyu.customers import timeline as tl
from siyu.segments import repository as repo
from siyu.segments import rules as r
from siyu.segments.index import CorpIndex

EVENT_KINDS = frozenset(tl.KINDS)
REBUILD_AFTER = 100_000  # a backlog of more changes than this rebuilds the index instead
RETENTION = timedelta(days=7)  # change log rows older than this are pruned
REBUILD_IDLE_S = RETENTION.total_seconds() / 2  # an index idle this long is rebuilt

BitmapFn = Callable[[CorpIndex, datetime], BitMap]
SqlFn = Callable[[AsyncSession, BitMap, datetime], Awaitable[BitMap]]


@dataclass(frozen=True)
class Plan:
    op: Literal["and", "or", "not", "bm", "sql"]
    kids: tuple[Plan, ...] = ()
    bitmap: BitmapFn | None = None
    sql: SqlFn | None = None

    @property
    def uses_sql(self) -> bool:
        return self.op == "sql" or any(k.uses_sql for k in self.kids)


def _bm(fn: BitmapFn) -> Plan:
    return Plan("bm", bitmap=fn)


def today_in(index: CorpIndex, now: datetime) -> date:
    return now.astimezone(index.tz).date()


async def compile_rule(
    session: AsyncSession, corp_id: int, rule: Any, *, check: bool = True
) -> Plan:
    """The plan of ``rule``; with ``check`` unknown tags, employees, departments and event
    kinds are refused with ``InvalidInput`` (HTTP 422)."""
    if check:
        await _check(session, corp_id, rule)
    resolved = await _department_members(session, corp_id, rule)
    resolved.update(await _channel_groups(session, corp_id, rule))
    return _compile(corp_id, rule, resolved)


def _walk(node: Any) -> list[Any]:
    out = [node]
    for kid in r.children(node):
        out.extend(_walk(kid))
    return out


async def _check(session: AsyncSession, corp_id: int, rule: Any) -> None:
    nodes = _walk(rule)
    tags = {t for n in nodes if isinstance(n, r.TagsTerm) for t in n.tag_ids}
    missing = sorted(tags - await repo.known_tags(session, corp_id, tags))
    if missing:
        raise InvalidInput(f"unknown tag id(s): {', '.join(missing)}")
    users = {u for n in nodes if isinstance(n, r.EmployeeTerm | r.OwnerTerm) for u in n.userids}
    users |= {n.userid for n in nodes if isinstance(n, r.TagsTerm) and n.userid}
    missing = sorted(users - await repo.known_employees(session, corp_id, users))
    if missing:
        raise InvalidInput(f"unknown employee(s): {', '.join(missing)}")
    wanted = {d for n in nodes if isinstance(n, r.DepartmentTerm) for d in n.dept_ids}
    if wanted:
        missing_d = sorted(wanted - set(await repo.departments(session, corp_id)))
        if missing_d:
            raise InvalidInput(f"unknown department(s): {', '.join(map(str, missing_d))}")
    groups = {g for n in nodes if isinstance(n, r.ChannelTerm) for g in n.groups}
    if groups:
        found = await repo.channel_group_states(session, corp_id, groups)
        empty = sorted(g for g, states in found.items() if not states)
        if empty:
            raise InvalidInput(f"unknown channel group(s): {', '.join(empty)}")
    stages = {s for n in nodes if isinstance(n, r.StageTerm) for s in n.stage_ids}
    missing_s = sorted(stages - await repo.known_stages(session, corp_id, stages))
    if missing_s:
        raise InvalidInput(f"unknown customer stage(s): {', '.join(map(str, missing_s))}")
    kinds = sorted({n.kind for n in nodes if isinstance(n, r.EventTerm)} - EVENT_KINDS)
    if kinds:
        raise InvalidInput(
            f"unknown event kind(s): {', '.join(kinds)}; known: {', '.join(sorted(EVENT_KINDS))}"
        )


async def _department_members(
    session: AsyncSession, corp_id: int, rule: Any
) -> dict[int, list[str]]:
    """id(term) → the employees of the term's departments."""
    terms = [n for n in _walk(rule) if isinstance(n, r.DepartmentTerm)]
    if not terms:
        return {}
    parents = await repo.departments(session, corp_id)
    members = await repo.employee_departments(session, corp_id)
    kids: dict[int, list[int]] = {}
    for d, p in parents.items():
        if p is not None:
            kids.setdefault(p, []).append(d)
    out = {}
    for term in terms:
        scope, todo = set(), list(term.dept_ids)
        while todo:
            d = todo.pop()
            if d in scope:
                continue
            scope.add(d)
            if term.include_children:
                todo.extend(kids.get(d, []))
        out[id(term)] = sorted(u for u, ds in members.items() if scope.intersection(ds))
    return out


async def _channel_groups(session: AsyncSession, corp_id: int, rule: Any) -> dict[int, list[str]]:
    """id(term) → the states of the term's channel groups."""
    terms = [n for n in _walk(rule) if isinstance(n, r.ChannelTerm) and n.groups]
    if not terms:
        return {}
    found = await repo.channel_group_states(session, corp_id, {g for t in terms for g in t.groups})
    return {id(t): sorted({s for g in t.groups for s in found.get(g, [])}) for t in terms}


def _compile(corp_id: int, node: Any, depts: dict[int, list[str]]) -> Plan:
    if isinstance(node, r.AndGroup | r.OrGroup):
        kids = tuple(_compile(corp_id, k, depts) for k in node.terms)
        # Bitmap-only subtrees first: SQL leaves then see the fewest candidates.
        return Plan(node.type, tuple(sorted(kids, key=lambda p: p.uses_sql)))
    if isinstance(node, r.NotGroup):
        return Plan("not", (_compile(corp_id, node.term, depts),))
    if isinstance(node, r.TagsTerm):
        return _tags(corp_id, node)
    if isinstance(node, r.EmployeeTerm):
        users = list(node.userids)
        return _bm(lambda ix, now: ix.union("employees", users))
    if isinstance(node, r.OwnerTerm):
        owners = list(node.userids)
        return _bm(lambda ix, now: ix.union("owners", owners))
    if isinstance(node, r.DepartmentTerm):
        users = depts[id(node)]
        return _bm(lambda ix, now: ix.union("employees", users))
    if isinstance(node, r.ChannelTerm):
        states = sorted(set(node.states) | set(depts.get(id(node), [])))
        return _bm(lambda ix, now: ix.union("states", states))
    if isinstance(node, r.AddWayTerm):
        ways = list(node.values)
        return _bm(lambda ix, now: ix.union("add_ways", ways))
    if isinstance(node, r.GenderTerm):
        genders = list(node.values)
        return _bm(lambda ix, now: ix.union("genders", genders))
    if isinstance(node, r.CustomerTypeTerm):
        types = list(node.values)
        return _bm(lambda ix, now: ix.union("types", types))
    if isinstance(node, r.DeletedTerm):
        want = node.value
        return _bm(lambda ix, now: ix.copy_of("universe") - ix.live if want else ix.copy_of("live"))
    if isinstance(node, r.AddedTerm):
        return _bm(_added(node))
    if isinstance(node, r.EventTerm):
        return _event(corp_id, node)
    if isinstance(node, r.StageTerm):
        return _stage(corp_id, node)
    raise TypeError(f"unknown rule node {node!r}")


def _added(term: r.AddedTerm) -> BitmapFn:
    def run(ix: CorpIndex, now: datetime) -> BitMap:
        if term.within_days is not None:
            today = today_in(ix, now)
            return ix.days_between(today - timedelta(days=term.within_days - 1), today)
        return ix.days_between(term.from_date, term.to_date)

    return run


def _tags(corp_id: int, term: r.TagsTerm) -> Plan:
    tags = list(term.tag_ids)
    if term.userid is None:
        if term.match == "all":
            return _bm(lambda ix, now: ix.intersection("tags", tags))
        anyp = _bm(lambda ix, now: ix.union("tags", tags))
        return anyp if term.match == "any" else Plan("not", (anyp,))
    userid = term.userid

    async def on_relation(session: AsyncSession, cand: BitMap, now: datetime) -> BitMap:
        return await repo.tags_on_relation(
            session, corp_id, cand, userid=userid, tag_ids=tags, require_all=term.match == "all"
        )

    sqlp = Plan("sql", sql=on_relation)
    return sqlp if term.match != "none" else Plan("not", (sqlp,))


def _event(corp_id: int, term: r.EventTerm) -> Plan:
    # ≥ n: the customers with at least n; ≤ n: the others of "at least n + 1".
    n = term.count if term.op == ">=" else term.count + 1

    async def at_least(session: AsyncSession, cand: BitMap, now: datetime) -> BitMap:
        if n <= 0:
            return BitMap(cand)
        since = now - timedelta(days=term.within_days)
        return await repo.event_at_least(session, corp_id, cand, kind=term.kind, since=since, n=n)

    sqlp = Plan("sql", sql=at_least)
    return sqlp if term.op == ">=" else Plan("not", (sqlp,))


def _stage(corp_id: int, term: r.StageTerm) -> Plan:
    stage_ids = list(term.stage_ids)
    return _bm(lambda ix, now: ix.union("stages", stage_ids))


async def evaluate(
    plan: Plan, index: CorpIndex, session: AsyncSession | None, cand: BitMap, now: datetime
) -> BitMap:
    """The candidates matching ``plan`` (a new bitmap)."""
    if not cand:
        return BitMap()
    if plan.op == "bm":
        assert plan.bitmap is not None
        return plan.bitmap(index, now) & cand
    if plan.op == "and":
        # Leaves first, smallest bitmap first (intersections shrink fastest), then negated
        # leaves as differences, then composite and SQL children on what is left.
        leaves = [k.bitmap(index, now) for k in plan.kids if k.op == "bm" and k.bitmap]
        negated = [k.kids[0] for k in plan.kids if k.op == "not" and k.kids[0].op == "bm"]
        others = [
            k for k in plan.kids if k.op != "bm" and not (k.op == "not" and k.kids[0].op == "bm")
        ]
        cur = cand
        for bm in sorted(leaves, key=len):
            cur = cur & bm
        for kid in negated:
            if not cur:
                break
            assert kid.bitmap is not None
            cur = cur - kid.bitmap(index, now)
        for kid in others:
            if not cur:
                break
            cur = await evaluate(kid, index, session, cur, now)
        return cur if cur is not cand else BitMap(cand)
    if plan.op == "or":
        got, rest = BitMap(), cand
        for kid in plan.kids:
            hit = await evaluate(kid, index, session, rest, now)
            got |= hit
            rest = rest - hit
            if not rest:
                break
        return got
    if plan.op == "not":
        return cand - await evaluate(plan.kids[0], index, session, cand, now)
    assert plan.sql is not None and session is not None, "SQL terms need a session"
    return await plan.sql(session, cand, now)


def candidates(index: CorpIndex, *, include_deleted: bool) -> BitMap:
    return index.copy_of("universe" if include_deleted else "live")


# -- the indexes of this process --------------------------------------------------------------


async def build(session: AsyncSession, corp: Corp) -> CorpIndex:
    """A fresh index of the corp from the database (changes up to the id read first)."""
    last = await changelog.last_id(session, corp.id)
    facts, _ = await repo.load_facts(session, corp.id)
    return CorpIndex.from_facts(facts, timezone=corp.timezone, last_change_id=last)


async def catch_up(session: AsyncSession, corp_id: int, index: CorpIndex) -> int:
    """Apply the changes logged after the index's last one; returns how many were read, or
    -1 when there are more than ``REBUILD_AFTER`` (rebuilding is then cheaper)."""
    started = time.monotonic()
    changes = await changelog.after(session, corp_id, index.last_change_id, limit=REBUILD_AFTER + 1)
    if not changes:
        index.caught_up_at = started
        return 0
    if len(changes) > REBUILD_AFTER:
        return -1
    customer_ids = sorted({c for _, c in changes})
    facts, seqs = await repo.load_facts(session, corp_id, customer_ids)
    index.apply(seqs, facts, change_id=changes[-1][0])
    index.caught_up_at = started
    return len(changes)
