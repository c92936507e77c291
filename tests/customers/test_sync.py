"""Full sync from the sandbox: complete, re-runnable, resumable, observable."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from siyu.corps import service as corps
from siyu.customers.models import Customer, FollowRelation, RelationTag, Tag, TimelineEvent
from siyu.db.session import Database
from siyu.employees.models import Employee
from siyu.groups.models import GroupChat
from siyu.sync import service
from tests.conftest import CorpHandle, Sandbox

SECRET = "test-secret-key"


async def _sync(db: Database, corp: CorpHandle, **kwargs: Any) -> Any:
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        run = await service.start_or_resume(s, c, trigger="test")
    async with corps.wecom_client(c, secret_key=SECRET) as client:
        return await service.run_full_sync(db, corp.id, run.id, client, **kwargs)


async def _count(db: Database, stmt: Any) -> int:
    async with db.unit_of_work() as s:
        return int(await s.scalar(stmt) or 0)


async def test_full_sync_mirrors_the_world(db: Database, sb: Sandbox, corp: CorpHandle) -> None:
    info = sb.get("/sandbox/info")["counts"]
    run = await _sync(db, corp)
    assert run.status == "done"
    assert await _count(db, select(func.count()).select_from(Customer)) == info["customers"]
    live = (
        select(func.count()).select_from(FollowRelation).where(FollowRelation.deleted_at.is_(None))
    )
    assert await _count(db, live) == info["follow_relations"]
    assert await _count(db, select(func.count()).select_from(Employee)) == info["employees"]
    assert await _count(db, select(func.count()).select_from(GroupChat)) == info["group_chats"]
    assert await _count(db, select(func.count()).select_from(Tag)) > 10
    # One customer, field by field, against what the sandbox holds.
    async with db.unit_of_work() as s:
        cust = await s.scalar(select(Customer).order_by(Customer.id).limit(1))
        assert cust is not None
        rels = (
            await s.scalars(select(FollowRelation).where(FollowRelation.customer_id == cust.id))
        ).all()
        tags = set(
            (
                await s.scalars(
                    select(RelationTag.tag_id).where(RelationTag.customer_id == cust.id)
                )
            ).all()
        )
    truth = sb.get(f"/sandbox/customers/{cust.external_userid}")
    assert cust.name == truth["name"]
    assert {r.userid for r in rels} == {f["userid"] for f in truth["follows"]}
    truth_tags = {t["tag_id"] for f in truth["follows"] for t in f.get("tags", [])}
    assert tags == truth_tags
    # Dense customer numbers 1..N.
    async with db.unit_of_work() as s:
        seqs = sorted((await s.scalars(select(Customer.seq))).all())
    assert seqs == list(range(1, len(seqs) + 1))
    # Each add shows in the timeline.
    added = select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "added")
    assert await _count(db, added) == info["follow_relations"]


async def test_rerun_updates_instead_of_duplicating(
    db: Database, sb: Sandbox, corp: CorpHandle
) -> None:
    await _sync(db, corp)
    before = await _count(db, select(func.count()).select_from(Customer))
    run = await _sync(db, corp)
    assert run.status == "done"
    assert await _count(db, select(func.count()).select_from(Customer)) == before
    added = select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "added")
    assert await _count(db, added) == sb.get("/sandbox/info")["counts"]["follow_relations"]


async def test_interrupted_sync_resumes_where_it_stopped(
    db: Database, sb: Sandbox, corp: CorpHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = 0

    async def stop_after_two() -> None:
        nonlocal pages
        pages += 1
        if pages == 2:
            raise KeyboardInterrupt  # the process is stopped mid-sync

    monkeypatch.setattr(service, "PAGE_LIMIT", 20)
    monkeypatch.setattr(service, "BATCH_RELATIONS", 1)  # one transaction per page
    with pytest.raises(KeyboardInterrupt):
        await _sync(db, corp, page_hook=stop_after_two)
    async with db.unit_of_work() as s:
        runs = await service.latest_runs(s, corp.id)
    assert runs[0].status == "interrupted"
    assert runs[0].steps["customers"]["done"] == 40
    assert runs[0].resume["customers"]["cursor"]
    partial = await _count(db, select(func.count()).select_from(FollowRelation))
    assert 0 < partial < sb.get("/sandbox/info")["counts"]["follow_relations"]
    run = await _sync(db, corp)
    assert run.id == runs[0].id and run.status == "done"
    live = (
        select(func.count()).select_from(FollowRelation).where(FollowRelation.deleted_at.is_(None))
    )
    assert await _count(db, live) == sb.get("/sandbox/info")["counts"]["follow_relations"]


async def test_failed_sync_is_recorded_with_its_error(
    db: Database, sb: Sandbox, corp: CorpHandle
) -> None:
    sb.put("/sandbox/config", {"contact_permission": False})
    from siyu.wecom.errors import WeComError

    with pytest.raises(WeComError):
        await _sync(db, corp)
    async with db.unit_of_work() as s:
        run = (await service.latest_runs(s, corp.id))[0]
    assert run.status == "failed"
    assert "48002" in (run.error or "")
    assert run.steps["employees"]["status"] == "failed"


async def test_sync_marks_relations_lost_while_offline(
    db: Database, sb: Sandbox, corp: CorpHandle
) -> None:
    await _sync(db, corp)
    async with db.unit_of_work() as s:
        rel = await s.scalar(select(FollowRelation).order_by(FollowRelation.id).limit(1))
        cust = await s.get(Customer, rel.customer_id)
    # The customer deletes the employee while Siyu's callback URL is unreachable.
    sb.put("/sandbox/config", {"callback_url": "http://127.0.0.1:9/unreachable"})
    sb.act("customer_delete", userid=rel.userid, external_userid=cust.external_userid)
    await _sync(db, corp)
    async with db.unit_of_work() as s:
        fresh = await s.get(FollowRelation, rel.id)
        kinds = (
            await s.scalars(select(TimelineEvent.kind).where(TimelineEvent.customer_id == cust.id))
        ).all()
    assert fresh.deleted_at is not None and fresh.deleted_by == "sync"
    assert "relation_gone" in kinds
