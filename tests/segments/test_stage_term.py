"""The ``stage`` term of segment rules over real HTTP: the SQL answer agrees with the
customer list's stage filter and with the reference evaluator, alone and combined."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from siyu.corps import service as corps
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.segments import reference
from siyu.segments.rules import Definition
from tests.conftest import CorpHandle, full_sync


def _reference_count(db: Database, corp: CorpHandle, body: dict[str, Any]) -> int:
    async def go() -> int:
        async with db.unit_of_work() as s:
            c = await corps.get(s, corp.id)
            world = await reference.load(s, corp.id, c.timezone)
        return len(reference.evaluate(world, Definition.model_validate(body), utcnow()))

    return asyncio.run(go())


def test_stage_term_selects_customers_at_the_stages(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    stages = {s["name"]: s["id"] for s in api.get("/api/v1/customer-stages").json()}
    customers = api.get("/api/v1/customers", params={"limit": 6}).json()["items"]
    moves = ["意向客户", "意向客户", "成交客户", "流失", "流失", "流失"]
    for c, name in zip(customers, moves, strict=True):
        r = api.put(f"/api/v1/customers/{c['id']}/stage", json={"stage_id": stages[name]})
        assert r.status_code == 200, r.text
    total = api.get("/api/v1/customers/count").json()["count"]
    gender = customers[0]["gender"]
    cases: list[tuple[dict[str, Any], int]] = [
        ({"type": "stage", "stage_ids": [stages["意向客户"]]}, 2),
        ({"type": "stage", "stage_ids": [stages["成交客户"], stages["流失"]]}, 4),
        ({"type": "not", "term": {"type": "stage", "stage_ids": [stages["流失"]]}}, total - 3),
    ]
    for rule, want in cases:
        body = {"rule": rule}
        r = api.post("/api/v1/segments/preview", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["count"] == want == _reference_count(db, corp, body)
    combined = {
        "rule": {
            "type": "and",
            "terms": [
                {"type": "gender", "values": [gender]},
                {"type": "stage", "stage_ids": [stages["意向客户"], stages["流失"]]},
            ],
        }
    }
    got = api.post("/api/v1/segments/preview", json=combined).json()["count"]
    want = sum(
        1
        for c, name in zip(customers, moves, strict=True)
        if name != "成交客户" and c["gender"] == gender
    )
    assert got == want == _reference_count(db, corp, combined)

    bad = api.post(
        "/api/v1/segments/preview", json={"rule": {"type": "stage", "stage_ids": [999999]}}
    )
    assert bad.status_code == 422 and "unknown customer stage" in bad.text
    empty = api.post("/api/v1/segments/preview", json={"rule": {"type": "stage", "stage_ids": []}})
    assert empty.status_code == 422
