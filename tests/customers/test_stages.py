"""Customer lifecycle stages over real HTTP: the corp's stage list (seeded defaults, rename,
reorder, add, delete), moving a customer between stages (timeline, list filter, export) and
the staff data scope."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from siyu.db.session import Database
from tests.accounts.conftest import Team, sign_in
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import CorpHandle, Siyu, full_sync

STAGES = "/api/v1/customer-stages"


def stages(api: httpx.Client) -> list[dict[str, Any]]:
    r = api.get(STAGES)
    assert r.status_code == 200, r.text
    return list(r.json())


def by_name(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in stages(api)}


def test_stage_list_is_seeded_and_editable(api: httpx.Client, corp: CorpHandle) -> None:
    first = stages(api)
    assert [(s["name"], s["kind"]) for s in first] == [
        ("潜在客户", "open"),
        ("意向客户", "open"),
        ("成交客户", "won"),
        ("复购客户", "won"),
        ("流失", "lost"),
    ]
    assert [s["id"] for s in stages(api)] == [s["id"] for s in first]  # seeded once
    ids = [s["id"] for s in first]

    r = api.patch(f"{STAGES}/{ids[1]}", json={"name": " 高意向 "})
    assert r.status_code == 200 and r.json()["name"] == "高意向"
    assert api.patch(f"{STAGES}/{ids[1]}", json={"name": "流失"}).status_code == 409
    assert api.patch(f"{STAGES}/{ids[1]}", json={"name": "  "}).status_code == 422
    assert api.patch(f"{STAGES}/{ids[1]}", json={"kind": "maybe"}).status_code == 422
    assert api.patch(f"{STAGES}/999999", json={"name": "x"}).status_code == 404

    added = api.post(STAGES, json={"name": "沉睡客户", "kind": "lost"})
    assert added.status_code == 201 and added.json()["position"] == 6
    assert api.post(STAGES, json={"name": "沉睡客户"}).status_code == 409

    new_order = [ids[0], ids[1], added.json()["id"], ids[2], ids[3], ids[4]]
    r = api.put(f"{STAGES}/order", json={"ids": new_order})
    assert r.status_code == 200 and [s["id"] for s in r.json()] == new_order
    assert [s["id"] for s in stages(api)] == new_order
    bad = api.put(f"{STAGES}/order", json={"ids": new_order[:-1]})
    assert bad.status_code == 422 and "every stage" in bad.json()["detail"]
    assert api.put(f"{STAGES}/order", json={"ids": [*new_order, ids[0]]}).status_code == 422

    assert api.delete(f"{STAGES}/{added.json()['id']}").status_code == 204
    assert "沉睡客户" not in by_name(api)
    # a corp that deletes every stage keeps none (the defaults are given once, at registration)
    for stage_id in ids:
        assert api.delete(f"{STAGES}/{stage_id}").status_code == 204
    assert stages(api) == []


def test_moving_a_customer_writes_the_timeline_and_filters(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    s = by_name(api)
    customers = api.get("/api/v1/customers", params={"limit": 3}).json()["items"]
    one, two = customers[0]["id"], customers[1]["id"]
    assert customers[0]["stage_id"] is None

    r = api.put(f"/api/v1/customers/{one}/stage", json={"stage_id": s["意向客户"]["id"]})
    assert r.status_code == 200, r.text
    assert (r.json()["stage_id"], r.json()["stage_name"]) == (s["意向客户"]["id"], "意向客户")
    r = api.put(
        f"/api/v1/customers/{one}/stage",
        json={"stage_id": s["成交客户"]["id"], "note": "签了年卡"},
    )
    detail = r.json()
    assert detail["stage_name"] == "成交客户" and detail["stage_kind"] == "won"
    changes = [e for e in detail["timeline"] if e["kind"] == "stage_changed"]
    assert [(e["data"]["from_name"], e["data"]["to_name"]) for e in changes] == [
        ("意向客户", "成交客户"),
        ("", "意向客户"),
    ]
    assert changes[0]["data"]["note"] == "签了年卡" and changes[0]["data"]["by"]
    # the same stage again changes nothing
    again = api.put(f"/api/v1/customers/{one}/stage", json={"stage_id": s["成交客户"]["id"]})
    assert len([e for e in again.json()["timeline"] if e["kind"] == "stage_changed"]) == 2

    api.put(f"/api/v1/customers/{two}/stage", json={"stage_id": s["流失"]["id"]})
    won = api.get("/api/v1/customers", params={"stage_id": s["成交客户"]["id"]}).json()["items"]
    assert [c["id"] for c in won] == [one]
    count = api.get("/api/v1/customers/count", params={"stage_id": s["流失"]["id"]}).json()
    assert count == {"count": 1}
    counts = {x["name"]: x["customers"] for x in stages(api)}
    assert (counts["成交客户"], counts["流失"], counts["潜在客户"]) == (1, 1, 0)

    export = api.get(
        "/api/v1/customers/export",
        params={"format": "csv", "stage_id": s["成交客户"]["id"]},
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "客户阶段" and len(rows) == 2 and rows[1][-1] == "成交客户"

    # bad input: unknown stage / customer, and a stage still in use cannot be deleted
    assert api.put(f"/api/v1/customers/{one}/stage", json={"stage_id": 999999}).status_code == 404
    r = api.put("/api/v1/customers/999999/stage", json={"stage_id": s["流失"]["id"]})
    assert r.status_code == 404
    r = api.delete(f"{STAGES}/{s['流失']['id']}")
    assert r.status_code == 409 and "move them" in r.json()["detail"]
    assert api.get(f"/api/v1/customers/{two}").json()["stage_name"] == "流失"


@pytest.fixture
def roles(siyu: Siyu, team: Team) -> Iterator[dict[str, httpx.Client]]:
    clients = {n: sign_in(siyu, n) for n in ("operator", "staff")}
    yield clients
    for c in clients.values():
        c.close()


async def test_staff_moves_only_customers_they_follow(
    roles: dict[str, httpx.Client], team: Team
) -> None:
    op, staff = roles["operator"], roles["staff"]
    s = by_name(staff)  # every role reads the stage list (the drawer's picker)
    assert staff.post(STAGES, json={"name": "VIP"}).status_code == 403
    assert staff.patch(f"{STAGES}/{s['流失']['id']}", json={"name": "x"}).status_code == 403
    mine = staff.get("/api/v1/customers", params={"limit": 500}).json()["items"]
    assert mine and all(team.staff_userid in c["userids"] for c in mine)
    everyone = op.get("/api/v1/customers", params={"limit": 500}).json()["items"]
    other = next(c for c in everyone if team.staff_userid not in c["userids"])

    r = staff.put(
        f"/api/v1/customers/{mine[0]['id']}/stage", json={"stage_id": s["意向客户"]["id"]}
    )
    assert r.status_code == 200 and r.json()["stage_name"] == "意向客户"
    change = next(e for e in r.json()["timeline"] if e["kind"] == "stage_changed")
    assert change["userid"] == team.staff_userid
    r = staff.put(f"/api/v1/customers/{other['id']}/stage", json={"stage_id": s["流失"]["id"]})
    assert r.status_code == 404
    assert op.get(f"/api/v1/customers/{other['id']}").json()["stage_id"] is None
