"""Property tests: the bitmap engine and the reference evaluator select the same customers for
random rules over random corps, also after random incremental changes read from the log."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from siyu.corps.models import Corp
from siyu.customers import changelog
from siyu.customers.models import Customer, FollowRelation, RelationTag
from siyu.db.session import Database
from siyu.segments import engine, reference
from siyu.segments.index import CorpIndex
from siyu.segments.rules import Definition
from tests.conftest import _wipe
from tests.segments import world as w

op = st.one_of(
    st.tuples(
        st.just("tag"),
        st.integers(0, 20),
        st.sampled_from(w.USERS),
        st.sampled_from(w.TAGS),
        st.booleans(),
    ),
    st.tuples(st.just("drop"), st.integers(0, 20), st.sampled_from(w.USERS)),
    st.tuples(
        st.just("readd"), st.integers(0, 20), st.sampled_from(w.USERS), st.sampled_from(w.STATES)
    ),
    st.tuples(st.just("owner"), st.integers(0, 20), st.sampled_from(w.USERS)),
    st.tuples(st.just("gender"), st.integers(0, 20), st.integers(0, 2)),
    st.tuples(st.just("event"), st.integers(0, 20), st.sampled_from(w.KINDS), st.integers(0, 900)),
    st.tuples(st.just("new"), w.customer),
)
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def url(database_url: str) -> Iterator[str]:
    yield database_url
    _wipe(database_url)


async def _agree(db: Database, corp: Corp, index: CorpIndex, defs: list[Definition]) -> None:
    async with db.unit_of_work() as s:
        world = await reference.load(s, corp.id, corp.timezone)
        for d in defs:
            plan = await engine.compile_rule(s, corp.id, d.rule)
            cand = engine.candidates(index, include_deleted=d.include_deleted)
            got = await engine.evaluate(plan, index, s, cand, w.NOW)
            want = reference.evaluate(world, d, w.NOW)
            assert set(got) == want, d.model_dump(mode="json")


async def _apply(db: Database, corp: Corp, ids: list[int], ops: list[Any]) -> None:
    async with db.unit_of_work() as s:
        for o in ops:
            if o[0] == "new":
                ids.extend(await w.add_customers(s, corp, [o[1]]))
                continue
            if not ids:
                continue
            cid = ids[o[1] % len(ids)]
            rel = None
            if o[0] in ("tag", "drop", "readd"):
                rel = await s.scalar(
                    select(FollowRelation).where(
                        FollowRelation.customer_id == cid, FollowRelation.userid == o[2]
                    )
                )
            if o[0] == "tag" and rel is not None:
                await s.execute(
                    delete(RelationTag).where(
                        RelationTag.relation_id == rel.id, RelationTag.tag_id == o[3]
                    )
                )
                if o[4]:
                    await s.execute(
                        insert(RelationTag),
                        {
                            "relation_id": rel.id,
                            "tag_id": o[3],
                            "corp_id": corp.id,
                            "customer_id": cid,
                        },
                    )
            elif o[0] == "drop" and rel is not None:
                rel.deleted_at = w.NOW
                await s.flush()
                live = await s.scalar(
                    select(FollowRelation.id).where(
                        FollowRelation.customer_id == cid, FollowRelation.deleted_at.is_(None)
                    )
                )
                if live is None:
                    await s.execute(
                        update(Customer).where(Customer.id == cid).values(deleted_at=w.NOW)
                    )
            elif o[0] == "readd":
                if rel is None:
                    s.add(FollowRelation(corp_id=corp.id, customer_id=cid, userid=o[2], state=o[3]))
                else:
                    rel.deleted_at, rel.state = None, o[3]
                await s.execute(update(Customer).where(Customer.id == cid).values(deleted_at=None))
            elif o[0] == "owner":
                await w.set_owner(s, corp.id, cid, o[2], log=False)
            elif o[0] == "gender":
                await s.execute(update(Customer).where(Customer.id == cid).values(gender=o[2]))
            elif o[0] == "event":
                await w.add_event(s, corp.id, cid, o[2], o[3])
                continue  # events are read by SQL: no change to log
            else:
                continue
            await s.flush()
            await changelog.record(s, corp.id, [cid])


async def _scenario(url: str, specs: list[Any], defs: list[Definition], ops: list[Any]) -> None:
    db = Database.open(url)
    try:
        async with db.unit_of_work() as s:
            corp = await w.make_corp(s)
            ids = await w.add_customers(s, corp, specs)
        async with db.unit_of_work() as s:
            index = await engine.build(s, corp)
        await _agree(db, corp, index, defs)
        await _apply(db, corp, ids, ops)
        async with db.unit_of_work() as s:
            assert await engine.catch_up(s, corp.id, index) >= 0
        await _agree(db, corp, index, defs)
        async with db.unit_of_work() as s:
            fresh = await engine.build(s, corp)
        for name in ("universe", "live"):
            assert getattr(fresh, name) == getattr(index, name)
        for name in ("tags", "employees", "owners", "states", "add_ways", "genders", "types"):
            a = {k: v for k, v in getattr(fresh, name).items() if v}
            b = {k: v for k, v in getattr(index, name).items() if v}
            assert a == b, name
    finally:
        await db.dispose()


@SETTINGS
@given(
    specs=w.customers,
    defs=st.lists(w.definitions.map(Definition.model_validate), min_size=1, max_size=4),
    ops=st.lists(op, max_size=8),
)
def test_engine_agrees_with_reference(url: str, specs: Any, defs: Any, ops: Any) -> None:
    asyncio.run(_scenario(url, specs, defs, ops))
