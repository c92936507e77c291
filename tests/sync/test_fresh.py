"""A corp's first full sync takes the insert-only path; it must write exactly what the diffing
path writes, fall back to it when rows appear meanwhile, and resume after an interruption."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.customers import ingest
from siyu.customers import service as customers
from siyu.customers.models import (
    Customer,
    CustomerChange,
    FollowRelation,
    RelationTag,
    TimelineEvent,
)
from siyu.db.session import Database
from siyu.sync import fresh, service
from tests.conftest import CorpHandle, Sandbox

SECRET = "test-secret-key"


async def _sync(db: Database, corp: CorpHandle, **kwargs: Any) -> Any:
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        run = await service.start_or_resume(s, c, trigger="test")
    async with corps.wecom_client(c, secret_key=SECRET) as client:
        return await service.run_full_sync(db, corp.id, run.id, client, **kwargs)


async def _snapshot(db: Database, corp_id: int) -> dict[str, Any]:
    """Everything the customers step writes, keyed by WeCom ids (not surrogate ids)."""
    async with db.unit_of_work() as s:
        ext = dict((await s.execute(select(Customer.id, Customer.external_userid))).all())
        customers = {
            c.external_userid: (
                c.seq,
                *(getattr(c, k) for k in ingest.CUSTOMER_FIELDS),
                c.first_added_at,
                c.deleted_at,
            )
            for c in (await s.scalars(select(Customer).where(Customer.corp_id == corp_id))).all()
        }
        relations = {
            (ext[r.customer_id], r.userid): (
                *(getattr(r, k) for k in ingest.RELATION_FIELDS),
                r.added_at,
                r.deleted_at,
                r.synced_run_id is not None,
            )
            for r in (await s.scalars(select(FollowRelation))).all()
        }
        rel_keys = {
            rid: (ext[cid], uid)
            for rid, cid, uid in (
                await s.execute(
                    select(FollowRelation.id, FollowRelation.customer_id, FollowRelation.userid)
                )
            ).all()
        }
        tags = sorted(
            (*rel_keys[rid], tid, ext[cid], cp)
            for rid, tid, cid, cp in (
                await s.execute(
                    select(
                        RelationTag.relation_id,
                        RelationTag.tag_id,
                        RelationTag.customer_id,
                        RelationTag.corp_id,
                    )
                )
            ).all()
        )
        timeline = sorted(
            (ext[e.customer_id], e.kind, e.userid, e.occurred_at, sorted(e.data.items()))
            for e in (await s.scalars(select(TimelineEvent))).all()
        )
        logged = set((await s.scalars(select(CustomerChange.customer_id).distinct())).all())
    return {
        "customers": customers,
        "relations": relations,
        "tags": tags,
        "timeline": timeline,
        "segment_changes": {ext[c] for c in logged},
    }


async def _forget_customers(db: Database, corp_id: int) -> None:
    """Back to a corp that never synced its customers (employees, tags, groups stay)."""
    async with db.unit_of_work() as s:
        for model in (TimelineEvent, RelationTag, CustomerChange):
            await s.execute(delete(model).where(model.corp_id == corp_id))
        await s.execute(delete(FollowRelation).where(FollowRelation.corp_id == corp_id))
        await s.execute(delete(Customer).where(Customer.corp_id == corp_id))
        await s.execute(update(Corp).where(Corp.id == corp_id).values(next_customer_seq=1))


def _count_fast_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = fresh.FreshIngest.apply

    async def counting(self: fresh.FreshIngest, session: Any, pairs: Any, **kw: Any) -> int:
        calls.append(len(pairs))
        return await original(self, session, pairs, **kw)

    monkeypatch.setattr(fresh.FreshIngest, "apply", counting)
    return calls


async def test_first_sync_writes_what_the_diffing_path_writes(
    db: Database, sb: Sandbox, corp: CorpHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "PAGE_LIMIT", 20)
    monkeypatch.setattr(service, "BATCH_RELATIONS", 30)  # customers span several batches
    monkeypatch.setattr(service, "FRESH_PATH", False)
    assert (await _sync(db, corp)).status == "done"
    diffed = await _snapshot(db, corp.id)
    await _forget_customers(db, corp.id)
    monkeypatch.setattr(service, "FRESH_PATH", True)
    fast = _count_fast_batches(monkeypatch)
    assert (await _sync(db, corp)).status == "done"
    assert len(fast) > 1 and sum(fast) == len(diffed["relations"])
    inserted = await _snapshot(db, corp.id)
    for part in diffed:
        assert inserted[part] == diffed[part], part
    info = sb.get("/sandbox/info")["counts"]
    assert len(inserted["customers"]) == info["customers"]
    assert sorted(v[0] for v in inserted["customers"].values()) == list(
        range(1, info["customers"] + 1)
    )
    # A re-sync over what the fast path wrote goes the diffing way and changes nothing.
    fast.clear()
    assert (await _sync(db, corp)).status == "done"
    assert fast == []
    again = await _snapshot(db, corp.id)
    assert {k: again[k] for k in ("customers", "relations", "tags", "timeline")} == {
        k: inserted[k] for k in ("customers", "relations", "tags", "timeline")
    }


async def test_first_sync_falls_back_to_diffing_when_a_callback_wrote_first(
    db: Database,
    sb: Sandbox,
    corp: CorpHandle,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A customer added meanwhile by a callback makes an insert fail; the batch is applied
    again the diffing way, so nothing is duplicated and its ``added`` entry stays single."""
    monkeypatch.setattr(service, "PAGE_LIMIT", 20)
    monkeypatch.setattr(service, "BATCH_RELATIONS", 1)
    fast = _count_fast_batches(monkeypatch)
    caplog.set_level("INFO", logger="siyu.sync.service")
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
    async with corps.wecom_client(c, secret_key=SECRET) as client:
        middle = sorted(await client.get_follow_user_list())[3]  # pages go employee by employee
        late = (await client.list_external_contacts(middle))[-1]
        hooked = 0

        async def callback_meanwhile() -> None:
            nonlocal hooked
            hooked += 1
            if hooked == 1:  # what a change_external_contact callback does
                async with db.unit_of_work() as s:
                    await customers.refresh_from_wecom(s, corp.id, late, client)

        run = await _sync(db, corp, page_hook=callback_meanwhile)
    assert run.status == "done"
    assert run.resume == {}
    info = sb.get("/sandbox/info")["counts"]
    pages = -(-info["follow_relations"] // 20)
    assert 2 <= len(fast) < pages  # fast until the conflicting batch, then diffing
    assert "diffing from here on" in caplog.text
    async with db.unit_of_work() as s:
        customers_n = await s.scalar(select(func.count()).select_from(Customer))
        relations_n = await s.scalar(select(func.count()).select_from(FollowRelation))
        added = await s.scalar(
            select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "added")
        )
        seqs = sorted((await s.scalars(select(Customer.seq))).all())
    assert customers_n == info["customers"]
    assert relations_n == added == info["follow_relations"]
    assert seqs == list(range(1, info["customers"] + 1))


async def test_interrupted_first_sync_resumes_on_the_fast_path(
    db: Database, sb: Sandbox, corp: CorpHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "PAGE_LIMIT", 20)
    monkeypatch.setattr(service, "BATCH_RELATIONS", 1)
    pages = 0

    async def stop_after_three() -> None:
        nonlocal pages
        pages += 1
        if pages == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await _sync(db, corp, page_hook=stop_after_three)
    async with db.unit_of_work() as s:
        run = (await service.latest_runs(s, corp.id))[0]
    assert run.status == "interrupted" and run.resume["customers"]["fresh"] is True
    fast = _count_fast_batches(monkeypatch)
    assert (await _sync(db, corp)).status == "done"
    assert fast  # the resumed part still inserts (customers met before come from the database)
    resumed = await _snapshot(db, corp.id)
    # The same world synced in one go by the diffing path gives the same records.
    await _forget_customers(db, corp.id)
    monkeypatch.setattr(service, "FRESH_PATH", False)
    assert (await _sync(db, corp)).status == "done"
    diffed = await _snapshot(db, corp.id)
    for part in ("customers", "relations", "tags", "timeline"):
        assert resumed[part] == diffed[part], part


async def test_bulk_executemany_stores_values_as_sqlalchemy_does(
    db: Database, corp: CorpHandle
) -> None:
    """Timestamps and JSON written by the driver-level insert read back as Core writes them."""
    from datetime import UTC, datetime

    from siyu.customers import timeline as tl

    async with db.unit_of_work() as s:
        s.add(Customer(corp_id=corp.id, external_userid="wm1", seq=1))
        await s.flush()
        cid = await s.scalar(select(Customer.id))
        at = datetime(2026, 5, 1, 8, 30, 15, 123456, tzinfo=UTC)
        conn = await s.connection()
        table = fresh._TIMELINE
        data = [{"add_way": 1, "state": "ch1"}, {"add_way": 1, "state": "ch1"}, {"n": [1, 2]}]
        rows = [(corp.id, cid, tl.ADDED, "u", at, d) for d in data]
        await fresh.executemany(conn, table, fresh._TIMELINE_COLS, rows)
        await tl.record(s, [tl.entry(corp.id, cid, tl.ADDED, at=at, userid="u", **data[0])])
        got = (
            await s.execute(
                select(TimelineEvent.occurred_at, TimelineEvent.data).order_by(TimelineEvent.id)
            )
        ).all()
        raw = (
            await s.execute(select(func.count(func.distinct(TimelineEvent.occurred_at))))
        ).scalar()
    assert [tuple(r) for r in got] == [(at, d) for d in data] + [(at, data[0])]
    assert raw == 1  # stored identically to the Core insert, so equal values compare equal


async def test_a_customer_met_again_gets_its_changes_and_earliest_add(
    db: Database, corp: CorpHandle
) -> None:
    """A customer's second relation comes in a later batch, with fresher attributes and an
    earlier add: the customer row is updated the way the diffing path would update it."""
    from datetime import UTC, datetime

    now = datetime(2026, 12, 1, tzinfo=UTC)
    late, early = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp()), 1_700_000_000
    ingest_run = fresh.FreshIngest(corp.id, run_id=7)
    async with db.unit_of_work() as s:
        await ingest_run.apply(
            s,
            [(ingest.ContactData("wm1", name="旧名"), ingest.FollowData("u1", createtime=late))],
            now=now,
        )
    async with db.unit_of_work() as s:
        await ingest_run.apply(
            s,
            [
                (
                    ingest.ContactData("wm1", name="新名", corp_name="某公司"),
                    ingest.FollowData("u2", createtime=early, tag_ids=["t1", "t1", "t2"]),
                ),
                (ingest.ContactData("wm2"), ingest.FollowData("u2")),
            ],
            now=now,
        )
    async with db.unit_of_work() as s:
        rows = (await s.scalars(select(Customer).order_by(Customer.seq))).all()
        tags = sorted((await s.scalars(select(RelationTag.tag_id))).all())
        changes = (await s.scalars(select(CustomerChange.customer_id))).all()
        runs = set((await s.scalars(select(FollowRelation.synced_run_id))).all())
    first, second = rows
    assert (first.external_userid, first.seq, first.name, first.corp_name) == (
        "wm1",
        1,
        "新名",
        "某公司",
    )
    assert first.first_added_at == datetime.fromtimestamp(early, UTC)
    assert (second.external_userid, second.seq, second.first_added_at) == ("wm2", 2, now)
    assert tags == ["t1", "t2"]
    assert sorted(changes) == sorted([first.id, first.id, second.id])  # one per batch met
    assert runs == {7}
