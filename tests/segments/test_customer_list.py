"""The customer list is answered by the segment engine: for random corps and random filters its
count equals the segment preview of the same rule, the SQL form of the filter (batch tagging,
broadcasts) selects the same customers, and paging in every sort order returns each member
once, in order. SQLite and PostgreSQL (``--db``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select

from siyu.corps.models import Corp
from siyu.customers import service as customers
from siyu.customers.models import Customer
from siyu.customers.schemas import CustomerFilter
from siyu.customers.stage_models import CustomerStage, CustomerStageState
from siyu.db.session import Database
from siyu.segments import customer_list
from siyu.segments import service as segments
from siyu.segments.rules import Definition
from tests.conftest import _wipe
from tests.segments import world as w

TZ = ZoneInfo("Asia/Shanghai")
SORTS = ("-added_at", "added_at", "-id", "id")

_tags = st.lists(st.sampled_from(w.TAGS), min_size=1, max_size=3, unique=True)
# customers added within five days, so that several share a day (pages end inside days); one
# in six lost, one in six never added
HOURS = 5 * 24
customer = st.tuples(w.customer, st.integers(0, 5), st.integers(0, HOURS)).map(
    lambda t: {**t[0], "deleted": t[1] == 0, "added_hours_ago": None if t[1] == 1 else t[2]}
)
_days = st.dates(date(2026, 11, 17), date(2026, 11, 24))
# on the hours the customers are added at, so bounds cut days and meet adds exactly
_instants = st.integers(0, HOURS + 24).map(lambda h: w.NOW - timedelta(hours=h))
_cut = st.tuples(_instants, _instants).filter(lambda t: t[0] != t[1]).map(sorted)
PARTS: dict[str, st.SearchStrategy[Any]] = {
    "tags_any": _tags,
    "tags_all": _tags,
    "tags_none": _tags,
    "userid": st.sampled_from(w.USERS),
    "add_way": st.integers(0, 2),
    "state": st.sampled_from(w.STATES),
    "stage": st.integers(0, 1),
    "keyword": st.sampled_from(["客户1", "2", "无此人"]),
}
# one to three filters (more select nobody in these small corps), and a date bound most times
filters = st.fixed_dictionaries(
    {
        "include_deleted": st.booleans(),
        "dates": st.one_of(
            st.none(),
            st.none(),
            st.tuples(st.just("days"), st.tuples(_days, _days).map(sorted)),
            st.tuples(st.just("instants"), _cut),
            st.tuples(st.just("instants"), _cut),
        ),
        "parts": st.lists(st.sampled_from(sorted(PARTS)), max_size=3, unique=True).flatmap(
            lambda keys: st.fixed_dictionaries({k: PARTS[k] for k in keys})
        ),
    }
).map(lambda d: {"include_deleted": d["include_deleted"], "dates": d["dates"], **d["parts"]})
scopes = st.none() | st.frozensets(st.sampled_from(w.USERS), max_size=3)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def url(database_url: str) -> Iterator[str]:
    yield database_url
    _wipe(database_url)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TZ)


def to_filter(spec: dict[str, Any], stages: list[int]) -> CustomerFilter:
    f: dict[str, Any] = {k: v for k, v in spec.items() if k not in ("stage", "dates")}
    if "stage" in spec:
        f["stage_id"] = stages[spec["stage"]]
    if spec["dates"] is not None:
        kind, (lo, hi) = spec["dates"]
        if kind == "days":
            lo, hi = midnight(lo), midnight(hi + timedelta(days=1))
        f["added_from"], f["added_to"] = lo, hi
    return CustomerFilter.model_validate(f)


def to_rule(spec: dict[str, Any], stages: list[int]) -> Definition | None:
    """The segment rule of the filter, written out by hand; None when the filter has a part
    that is no rule term (keyword, a bound inside a day)."""
    dates = spec["dates"]
    if "keyword" in spec or (dates is not None and dates[0] == "instants"):
        return None
    terms: list[dict[str, Any]] = []
    for match in ("any", "all", "none"):
        if f"tags_{match}" in spec:
            terms.append({"type": "tags", "match": match, "tag_ids": spec[f"tags_{match}"]})
    if "userid" in spec:
        terms.append({"type": "employee", "userids": [spec["userid"]]})
    if "add_way" in spec:
        terms.append({"type": "add_way", "values": [spec["add_way"]]})
    if "state" in spec:
        terms.append({"type": "channel", "states": [spec["state"]]})
    if "stage" in spec:
        terms.append({"type": "stage", "stage_ids": [stages[spec["stage"]]]})
    if dates is not None:
        first, last = dates[1]
        terms.append({"type": "added", "from_date": str(first), "to_date": str(last)})
    if not terms:  # every candidate
        terms = [{"type": "deleted", "value": True}, {"type": "deleted", "value": False}]
        rule: dict[str, Any] = {"type": "or", "terms": terms}
    else:
        rule = {"type": "and", "terms": terms}
    return Definition.model_validate({"rule": rule, "include_deleted": spec["include_deleted"]})


async def add_stages(db: Database, corp: Corp, ids: list[int], picks: list[int]) -> list[int]:
    """Two stages; customer i is at stage picks[i] (0, 1) or at none (2)."""
    async with db.unit_of_work() as s:
        stages = [CustomerStage(corp_id=corp.id, name=n, position=i) for i, n in enumerate("AB")]
        s.add_all(stages)
        await s.flush()
        rows = [
            {"customer_id": cid, "corp_id": corp.id, "stage_id": stages[p].id}
            for cid, p in zip(ids, picks, strict=False)
            if p < 2
        ]
        if rows:
            await s.execute(insert(CustomerStageState), rows)
        return [st.id for st in stages]


def expected_order(rows: list[tuple[int, datetime | None]], sort: str) -> list[int]:
    """The list's order: by first add (customers without one last, by id) or by id."""
    desc = sort.startswith("-")
    if sort.endswith("id"):
        return sorted((cid for cid, _ in rows), reverse=desc)
    dated = sorted(((a, cid) for cid, a in rows if a is not None), reverse=desc)
    undated = sorted((cid for cid, a in rows if a is None), reverse=desc)
    return [cid for _, cid in dated] + undated


async def _scenario(
    url: str, specs: list[Any], picks: list[int], spec: dict[str, Any], visible: Any
) -> None:
    db = Database.open(url)
    try:
        async with db.unit_of_work() as s:
            corp = await w.make_corp(s)
            ids = await w.add_customers(s, corp, specs)
        stages = await add_stages(db, corp, ids, picks)
        f = to_filter(spec, stages)
        async with db.unit_of_work() as s:
            corp = await s.get_one(Corp, corp.id)
            listed = await customer_list.count(s, corp, f, visible=visible)
            sql = customers.filtered(corp.id, f, visible_userids=visible)
            rows = (
                await s.execute(sql.with_only_columns(Customer.id, Customer.first_added_at))
            ).all()
            assert listed == len(rows), "the list and the SQL form of its filter disagree"
            n = await s.scalar(select(func.count()).select_from(sql.subquery()))
            assert n == listed
            rule = to_rule(spec, stages)
            if rule is not None and visible is None:
                preview = await segments.preview(s, corp, rule)
                assert preview.count == listed, rule.model_dump(mode="json")
            for sort in SORTS:
                got: list[int] = []
                cursor = None
                while True:
                    items, cursor = await customer_list.page(
                        s, corp, f, sort=sort, cursor=cursor, limit=2, visible=visible
                    )
                    got.extend(c.id for c in items)
                    if cursor is None:
                        break
                assert got == expected_order([(r[0], r[1]) for r in rows], sort), sort
    finally:
        await db.dispose()


@SETTINGS
@given(
    specs=st.lists(customer, min_size=6, max_size=24),
    picks=st.lists(st.integers(0, 2), max_size=24),
    spec=filters,
    visible=scopes,
    data=st.data(),
)
def test_list_agrees_with_preview_and_sql(
    url: str, specs: Any, picks: Any, spec: Any, visible: Any, data: st.DataObject
) -> None:
    hours = [c["added_hours_ago"] for c in specs if c["added_hours_ago"] is not None]
    if spec["dates"] is not None and spec["dates"][0] == "instants" and hours:
        # bounds an hour around the customers' own adds: they cut the days those adds are on
        near = st.sampled_from(hours).flatmap(lambda h: st.integers(h - 1, h + 1))
        lo, hi = sorted(data.draw(st.lists(near, min_size=2, max_size=2, unique=True)))
        spec["dates"] = ("instants", (w.NOW - timedelta(hours=hi), w.NOW - timedelta(hours=lo)))
    asyncio.run(_scenario(url, specs, picks, spec, visible))
