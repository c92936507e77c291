"""A burst of edits of one employee's customers is read by pages of that employee's customers;
scattered edits are read customer by customer. Either way every change lands."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select, update

from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.customers.models import Customer, FollowRelation, TimelineEvent
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.events import prefetch, service
from siyu.events.models import InboundEvent
from siyu.events.prefetch import SWEEP_EDITS_PER_PAGE
from siyu.events.tasks import drain_now
from siyu.wecom.callbacks import CallbackEvent
from tests.conftest import CorpHandle, Sandbox, full_sync


async def _relations(db: Database) -> dict[str, list[str]]:
    """userid → the external userids of their live relations, in id order."""
    async with db.read() as s:
        rows = await s.execute(
            select(FollowRelation.userid, Customer.external_userid)
            .join(Customer, Customer.id == FollowRelation.customer_id)
            .where(FollowRelation.deleted_at.is_(None))
            .order_by(FollowRelation.id)
        )
        out: dict[str, list[str]] = {}
        for userid, ext in rows.all():
            out.setdefault(str(userid), []).append(str(ext))
        return out


async def _store_edits(db: Database, corp: CorpHandle, edits: list[tuple[str, str]]) -> None:
    """Store edit callbacks for (userid, external userid) pairs, as the endpoint would."""
    async with db.unit_of_work() as s:
        await service.store_many(
            s,
            [
                (
                    corp.id,
                    CallbackEvent(
                        "change_external_contact",
                        "edit_external_contact",
                        {
                            "Event": "change_external_contact",
                            "ChangeType": "edit_external_contact",
                            "UserID": userid,
                            "ExternalUserID": ext,
                            "CreateTime": str(1_700_000_000 + i),
                        },
                    ),
                    "<xml/>",
                )
                for i, (userid, ext) in enumerate(edits)
            ],
        )


async def _scenario(db: Database, corp: CorpHandle, sb: Sandbox) -> None:
    await full_sync(db, corp)
    rels = await _relations(db)
    (a, mine), (b, theirs) = sorted(rels.items(), key=lambda kv: -len(kv[1]))[:2]
    burst = mine[: SWEEP_EDITS_PER_PAGE * 2]  # a's ≤100 customers fill one page (+1 margin)
    scattered = theirs[:2]
    not_a = next(e for e in theirs[2:] if e not in mine)  # an "edit" of a relation a lacks
    async with db.read() as s:
        c = await corps.get(s, corp.id)
    secret = get_settings().secret_key.get_secret_value()
    async with corps.wecom_client(c, secret_key=secret) as client:
        # like an employee in the WeCom client: changed there, no callback from the API call
        for i, ext in enumerate(burst):
            await client.remark(a, ext, remark=f"批量{i}")
        for i, ext in enumerate(scattered):
            await client.remark(b, ext, remark=f"零散{i}")
    edits = [(a, e) for e in burst] + [(b, e) for e in scattered] + [(a, not_a)]
    await _store_edits(db, corp, edits)
    sb.http.delete("/sandbox/stats")
    assert await drain_now(db, corp.id) == len(edits)

    calls = sb.get("/sandbox/stats")
    assert calls.get("externalcontact/batch/get_by_user") == 1  # a's customers: one page
    # b's two edits and the relation a's page did not hold: one read each
    assert calls.get("externalcontact/get") == len(scattered) + 1
    async with db.read() as s:
        remarks = dict(
            (
                await s.execute(
                    select(
                        Customer.external_userid + "/" + FollowRelation.userid,
                        FollowRelation.remark,
                    ).join(Customer, Customer.id == FollowRelation.customer_id)
                )
            ).all()
        )
        statuses = set((await s.scalars(select(InboundEvent.status))).all())
        changed = (
            await s.scalars(
                select(Customer.external_userid)
                .join(TimelineEvent, TimelineEvent.customer_id == Customer.id)
                .where(TimelineEvent.kind == "remark_changed")
            )
        ).all()
    assert [remarks[f"{e}/{a}"] for e in burst] == [f"批量{i}" for i in range(len(burst))]
    assert [remarks[f"{e}/{b}"] for e in scattered] == ["零散0", "零散1"]
    assert statuses == {"done"}
    assert sorted(changed) == sorted(burst + scattered)


def test_burst_of_one_employees_edits_is_read_by_pages(
    db: Database, corp: CorpHandle, sb: Sandbox
) -> None:
    asyncio.run(_scenario(db, corp, sb))


async def _capped(db: Database, corp: CorpHandle, sb: Sandbox, monkeypatch: Any) -> None:
    """A sweep reads at most the pages the employee's relations known here fill, plus one:
    when that count is stale (here: most of a's relations look ended), what the pages did
    not reach takes the general read instead of paging on through every customer."""
    await full_sync(db, corp)
    a, _ = max((await _relations(db)).items(), key=lambda kv: len(kv[1]))
    monkeypatch.setattr(prefetch, "PAGE", 4)  # small pages: a's customers fill several
    async with db.unit_of_work() as s:  # 4 live relations left here: 1 page + 1 may be read
        await s.execute(
            update(FollowRelation)
            .where(
                FollowRelation.userid == a,
                FollowRelation.id.notin_(
                    select(FollowRelation.id)
                    .where(FollowRelation.userid == a)
                    .order_by(FollowRelation.id)
                    .limit(4)
                ),
            )
            .values(deleted_at=utcnow())
        )
    async with db.read() as s:
        c = await corps.get(s, corp.id)
    secret = get_settings().secret_key.get_secret_value()
    async with corps.wecom_client(c, secret_key=secret) as client:
        order = [
            i.external_contact.external_userid
            async for page in client.iter_batch_get_by_user([a], limit=4)
            for i in page.items
        ]
    edited = order[: SWEEP_EDITS_PER_PAGE * 2] + order[-2:]  # 2 beyond the 2 pages
    assert len(order) > 12 and len(set(edited)) == len(edited)
    await _store_edits(db, corp, [(a, e) for e in edited])
    sb.http.delete("/sandbox/stats")
    assert await drain_now(db, corp.id) == len(edited)
    calls = sb.get("/sandbox/stats")
    assert calls.get("externalcontact/batch/get_by_user") == 2
    assert calls.get("externalcontact/get") == 2  # the two the capped sweep did not reach


def test_a_sweep_reads_no_more_pages_than_planned(
    db: Database, corp: CorpHandle, sb: Sandbox, monkeypatch: Any
) -> None:
    asyncio.run(_capped(db, corp, sb, monkeypatch))
