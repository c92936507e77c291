"""Unit tests of the rule shape limits, the process registry and the change log retention."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select, update

from siyu.customers import changelog
from siyu.customers.models import CustomerChange
from siyu.db.session import Database
from siyu.segments import engine
from siyu.segments.registry import Registry
from siyu.segments.rules import Definition
from siyu.segments.schemas import RuleTagIn, RuleTagPatch, SegmentPatch
from tests.segments import world as w


def _nested(depth: int) -> dict[str, object]:
    rule: dict[str, object] = {"type": "gender", "values": [1]}
    for _ in range(depth - 1):
        rule = {"type": "not", "term": rule}
    return rule


@pytest.mark.parametrize("model", [Definition, SegmentPatch, RuleTagIn, RuleTagPatch])
def test_rule_depth_and_size_are_bounded(model: type[BaseModel]) -> None:
    """Every schema that takes a rule bounds it, however deep the input (a rule thousands of
    levels deep once reached pydantic's recursion limit, or the engine's, as a 500)."""
    extra = {"name": "n", "tag_id": "t"} if model is RuleTagIn else {}
    model.model_validate({"rule": _nested(8), **extra})
    for depth in (9, 300, 5000):
        with pytest.raises(ValidationError, match="nested more than 8 levels deep"):
            model.model_validate({"rule": _nested(depth), **extra})
    wide = {"type": "or", "terms": [{"type": "gender", "values": [1]}] * 100}
    with pytest.raises(ValidationError, match="more than 100 nodes"):
        model.model_validate({"rule": wide, **extra})


async def test_registry_catches_up_rebuilds_when_idle_and_prunes(db: Database) -> None:
    registry = Registry()
    async with db.unit_of_work() as s:
        corp = await w.make_corp(s)
        ids = await w.add_customers(s, corp, [_spec(), _spec()])
    async with db.unit_of_work() as s:
        first = await registry.get(s, corp)
        assert len(first.live) == 2
    async with db.unit_of_work() as s:
        await w.set_owner(s, corp.id, ids[0], "u1")
    async with db.unit_of_work() as s:
        again = await registry.get(s, corp)
        assert again is first and "u1" in first.owners  # caught up, not rebuilt
    first.caught_up_at -= engine.REBUILD_IDLE_S + 1
    async with db.unit_of_work() as s:
        assert await registry.get(s, corp) is not first  # idle too long: rebuilt
    async with db.unit_of_work() as s:
        old = w.NOW - engine.RETENTION - timedelta(days=1)
        await s.execute(
            update(CustomerChange)
            .where(CustomerChange.customer_id == ids[1])
            .values(created_at=old)
        )
        assert await changelog.prune(s, before=w.NOW - engine.RETENTION) == 1
        left = await s.scalar(select(func.count()).select_from(CustomerChange))
        assert left == 2  # the first customer's two rows


def _spec() -> dict[str, object]:
    return {
        "gender": 1,
        "type": 1,
        "deleted": False,
        "added_hours_ago": 5,
        "owner": None,
        "relations": [
            {"userid": "u2", "state": "s1", "add_way": 1, "tags": {"t1"}, "deleted": False}
        ],
        "events": [],
    }


async def test_warm_builds_every_corp_and_requests_use_it(db: Database) -> None:
    registry = Registry()
    async with db.unit_of_work() as s:
        one = await w.make_corp(s)
        await w.add_customers(s, one, [_spec(), _spec(), _spec()])
        two = await w.make_corp(s)
        await w.add_customers(s, two, [_spec()])
    async with db.unit_of_work() as s:
        assert registry.status(s, one)["state"] == "not_built"
    assert await registry.warm(db) == 2
    assert await registry.warm(db) == 0  # built already: nothing to do
    async with db.unit_of_work() as s:
        for corp, n in ((one, 3), (two, 1)):
            st = registry.status(s, corp)
            assert st["state"] == "built" and st["trigger"] == "startup", st
            assert st["customers"] == st["live_customers"] == n and st["built_at"] is not None
    async with db.unit_of_work() as s:
        added = await w.add_customers(s, one, [_spec()])
    async with db.unit_of_work() as s:
        index = await registry.get(s, one)  # the warmed index, caught up with the log
        assert registry.status(s, one)["trigger"] == "startup"
        assert len(index.live) == 4 and added


async def test_concurrent_first_requests_share_one_build(db: Database) -> None:
    registry = Registry()
    async with db.unit_of_work() as s:
        corp = await w.make_corp(s)
        await w.add_customers(s, corp, [_spec(), _spec()])

    async def ask() -> object:
        async with db.unit_of_work() as s:
            return await registry.get(s, corp)

    got = await asyncio.gather(ask(), ask(), ask())
    assert got[0] is got[1] is got[2]  # one build; the others waited for it
    async with db.unit_of_work() as s:
        assert registry.status(s, corp)["trigger"] == "request"
