"""Tags over the REST API: written through to WeCom first, batch tagging per follow relation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for


def wecom_tags(sb: Sandbox) -> dict[str, dict[str, Any]]:
    """The sandbox's corp tag groups by name, as WeCom holds them."""
    token = sb.http.get(
        "/cgi-bin/gettoken", params={"corpid": sb.config.corp_id, "corpsecret": sb.config.secret}
    ).json()
    data = sb.http.post(
        "/cgi-bin/externalcontact/get_corp_tag_list",
        params={"access_token": token["access_token"]},
        json={},
    ).json()
    return {g["group_name"]: g for g in data["tag_group"]}


def test_tag_groups_write_through(
    api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox
) -> None:
    asyncio.run(full_sync(db, corp))
    r = api.post(
        "/api/v1/tags/groups", json={"name": "门店", "tags": ["静安店", "徐汇店"], "order": 5}
    )
    assert r.status_code == 201, r.text
    group = r.json()
    assert [t["name"] for t in group["tags"]] and {t["name"] for t in group["tags"]} == {
        "静安店",
        "徐汇店",
    }
    assert {t["name"] for t in wecom_tags(sb)["门店"]["tag"]} == {"静安店", "徐汇店"}
    r = api.post(f"/api/v1/tags/groups/{group['group_id']}/tags", json={"tags": ["浦东店"]})
    assert r.status_code == 201 and len(r.json()["tags"]) == 3
    jingan = next(t for t in group["tags"] if t["name"] == "静安店")
    assert (
        api.patch(f"/api/v1/tags/{jingan['tag_id']}", json={"name": "静安寺店"}).status_code == 204
    )
    assert "静安寺店" in {t["name"] for t in wecom_tags(sb)["门店"]["tag"]}
    assert api.post("/api/v1/tags/delete", json={"tag_ids": [jingan["tag_id"]]}).status_code == 204
    listed = {g["name"]: g for g in api.get("/api/v1/tags/groups").json()}
    assert "静安寺店" not in {t["name"] for t in listed["门店"]["tags"]}
    assert (
        api.post("/api/v1/tags/delete", json={"group_ids": [group["group_id"]]}).status_code == 204
    )
    assert "门店" not in {g["name"] for g in api.get("/api/v1/tags/groups").json()}
    assert "门店" not in wecom_tags(sb)
    # Bad input is refused before WeCom is called.
    assert api.post("/api/v1/tags/groups", json={"name": "空组", "tags": []}).status_code == 422
    assert (
        api.post("/api/v1/tags/groups", json={"name": "x", "tags": ["a" * 31]}).status_code == 422
    )
    assert (
        api.post("/api/v1/tags/groups", json={"name": "x", "tags": ["a", "a"]}).status_code == 422
    )
    assert api.post("/api/v1/tags/delete", json={"tag_ids": ["nope"]}).status_code == 404
    assert "空组" not in wecom_tags(sb)


def test_batch_tag_writes_every_relation(
    api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox
) -> None:
    asyncio.run(full_sync(db, corp))
    group = api.post("/api/v1/tags/groups", json={"name": "活动", "tags": ["双十一"]}).json()
    tag = group["tags"][0]["tag_id"]
    customers = api.get("/api/v1/customers", params={"limit": 8}).json()["items"]
    ids = [c["id"] for c in customers]
    relations = sum(len(c["userids"]) for c in customers)
    sb.put("/sandbox/faults", {"rate_limit": 2})  # WeCom pushes back; the job waits and goes on
    r = api.post("/api/v1/tags/batch", json={"add": [tag], "customer_ids": ids})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["total"] == relations
    done = wait_for(
        lambda: (j := api.get(f"/api/v1/tags/batch/{job['id']}").json())["status"] == "done" and j,
        what="the batch tag job",
    )
    assert done["done"] == relations and done["failed"] == 0
    for c in customers:
        truth = sb.get(f"/sandbox/customers/{c['external_userid']}")
        for f in truth["follows"]:
            assert tag in {t["tag_id"] for t in f["tags"]}
    tagged = api.get("/api/v1/customers/count", params={"tags_all": [tag]}).json()["count"]
    assert tagged == len(ids)
    detail = api.get(f"/api/v1/customers/{ids[0]}").json()
    assert any(e["kind"] == "tagged" and e["data"]["tag_id"] == tag for e in detail["timeline"])
    # Untag by filter.
    r = api.post("/api/v1/tags/batch", json={"remove": [tag], "filter": {"tags_all": [tag]}})
    job2 = r.json()
    wait_for(lambda: api.get(f"/api/v1/tags/batch/{job2['id']}").json()["status"] == "done")
    assert api.get("/api/v1/customers/count", params={"tags_all": [tag]}).json()["count"] == 0
    # Bad requests.
    assert (
        api.post("/api/v1/tags/batch", json={"add": ["nope"], "customer_ids": ids}).status_code
        == 422
    )
    assert api.post("/api/v1/tags/batch", json={"add": [tag]}).status_code == 422
    assert (
        api.post("/api/v1/tags/batch", json={"add": [tag], "customer_ids": [999999]}).status_code
        == 422
    )
