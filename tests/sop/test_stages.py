"""SOPs and customer stages through the API: reaching a stage starts a stage-triggered SOP,
reaching a stop stage stops the run and cancels its pending steps."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from siyu.db.session import Database
from siyu.sop.models import SopRun
from tests.conftest import CorpHandle, wait_for
from tests.sop.test_endpoints import SOP, q, todos


def test_stage_reached_starts_and_won_stage_stops(
    live: CorpHandle, db: Database, api: httpx.Client
) -> None:
    s = {x["name"]: x["id"] for x in api.get("/api/v1/customer-stages").json()}
    body = {
        "name": "意向客户跟进",
        "trigger": {"kind": "stage_reached", "stage_ids": [s["意向客户"]]},
        "steps": [{"text": "给您发一份报价单"}, {"day": 2, "text": "方便到店看看吗？"}],
        "stop": {"stages": [s["成交客户"], s["流失"]]},
    }
    bad = api.post(f"{SOP}/templates", json={**body, "stop": {"stages": [s["意向客户"]]}})
    assert bad.status_code == 422 and "both start" in bad.text
    unknown = api.post(f"{SOP}/templates", json={**body, "stop": {"stages": [999999]}})
    assert unknown.status_code == 422 and "customer stages" in unknown.text
    tpl = api.post(f"{SOP}/templates", json=body)
    assert tpl.status_code == 201, tpl.text
    assert tpl.json()["trigger"] == {"kind": "stage_reached", "stage_ids": [s["意向客户"]]}
    api.post(f"{SOP}/templates/{tpl.json()['id']}/enable", json={})

    one, two = api.get("/api/v1/customers", params={"limit": 2}).json()["items"]
    api.put(f"/api/v1/customers/{one['id']}/stage", json={"stage_id": s["潜在客户"]})
    assert q(db, select(SopRun.id)) == []  # not the trigger stage
    api.put(f"/api/v1/customers/{one['id']}/stage", json={"stage_id": s["意向客户"]})
    first = wait_for(
        lambda: todos(api, external_userid=one["external_userid"]),
        what="the stage SOP's first to-do",
        timeout=60,
    )
    assert first[0]["content"][0]["text"] == "给您发一份报价单"
    assert first[0]["userid"] in one["userids"]

    api.put(f"/api/v1/customers/{one['id']}/stage", json={"stage_id": s["成交客户"]})
    assert todos(api, external_userid=one["external_userid"]) == []
    cancelled = todos(api, external_userid=one["external_userid"], status="cancelled")
    assert len(cancelled) == 2
    assert q(db, select(SopRun.status, SopRun.stop_reason)) == [("stopped", "converted")]

    # a customer already at a stop stage is not started again; the run is once per customer
    api.put(f"/api/v1/customers/{one['id']}/stage", json={"stage_id": s["意向客户"]})
    api.put(f"/api/v1/customers/{two['id']}/stage", json={"stage_id": s["意向客户"]})
    api.put(f"/api/v1/customers/{two['id']}/stage", json={"stage_id": s["流失"]})
    runs = sorted(q(db, select(SopRun.customer_id, SopRun.stop_reason)))
    assert runs == sorted([(one["id"], "converted"), (two["id"], "stage_reached")])

    # a stage an SOP uses cannot be deleted (the SOP would silently never start / stop)
    added = api.post("/api/v1/customer-stages", json={"name": "沉睡客户", "kind": "lost"}).json()
    edited = api.put(
        f"{SOP}/templates/{tpl.json()['id']}", json={**body, "stop": {"stages": [added["id"]]}}
    )
    assert edited.status_code == 200 and edited.json()["stop"]["stages"] == [added["id"]]
    r = api.delete(f"/api/v1/customer-stages/{added['id']}")
    assert r.status_code == 409 and "意向客户跟进" in r.json()["detail"]
