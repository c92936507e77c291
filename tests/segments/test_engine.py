"""Unit tests of the rule shape limits, the process registry and the change log retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, update

from siyu.db.session import Database
from siyu.segments import changelog, engine
from siyu.segments.models import SegmentChange
from siyu.segments.rules import Definition
from tests.segments import world as w


def test_rule_depth_and_size_are_bounded() -> None:
    rule: dict[str, object] = {"type": "gender", "values": [1]}
    for _ in range(8):
        rule = {"type": "not", "term": rule}
    with pytest.raises(ValidationError, match="nested 9 levels deep"):
        Definition.model_validate({"rule": rule})
    wide = {"type": "or", "terms": [{"type": "gender", "values": [1]}] * 100}
    with pytest.raises(ValidationError, match="at most 100"):
        Definition.model_validate({"rule": wide})


async def test_registry_catches_up_rebuilds_when_idle_and_prunes(db: Database) -> None:
    registry = engine.Registry()
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
            update(SegmentChange).where(SegmentChange.customer_id == ids[1]).values(created_at=old)
        )
        assert await changelog.prune(s, before=w.NOW - engine.RETENTION) == 1
        left = await s.scalar(select(func.count()).select_from(SegmentChange))
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
