"""Moment tasks (one moment per employee, each with their own radar link) and group tasks."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.frontline.conftest import employees, synced, task_body


def test_moment_task_per_employee(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    userids = sorted(e["userid"] for e in sb.get("/sandbox/employees")[:2])
    item = api.post(
        "/api/v1/content",
        json={"kind": "article", "title": "秋冬新品", "body": "新品上市，会员专享价"},
    ).json()
    body = task_body(
        "新品朋友圈", userids, kind="moment", text="秋冬新品", content_ids=[item["id"]]
    )
    task = api.post("/api/v1/tasks", json=body).json()
    assert api.post(f"/api/v1/tasks/{task['id']}/start").json()["status"] == "running"
    synced(api, task["id"], lambda d: d["totals"]["employees_done"] == 2)
    rows = employees(api, task["id"])
    assert all(r["done"] and r["sent"] == 1 and r["completed_at"] for r in rows.values())
    moments = sb.get("/sandbox/moments")
    assert sorted(m["senders"][0] for m in moments) == userids
    assert all(len(m["senders"]) == 1 for m in moments)
    links = {m["senders"][0]: m["attachments"][0]["link"]["url"] for m in moments}
    assert len(set(links.values())) == 2

    anon = httpx.Client(base_url=str(api.base_url), timeout=10)
    path = links[userids[1]][links[userids[1]].index("/r/") :]
    hop = anon.get(path, follow_redirects=False)  # an unknown opener: OAuth names them
    assert hop.status_code == 302
    state = parse_qs(urlsplit(hop.headers["location"]).query)["state"][0]
    reader = api.get("/api/v1/customers", params={"userid": userids[1], "limit": 1}).json()
    code = sb.http.post(
        "/sandbox/oauth/visitor_code",
        json={"external_userid": reader["items"][0]["external_userid"]},
    ).json()["code"]
    page = anon.get(f"{path}/who", params={"code": code, "state": state}, follow_redirects=True)
    assert page.status_code == 200 and "秋冬新品" in page.text  # the article, hosted by Siyu
    anon.close()
    synced(api, task["id"], lambda d: d["totals"]["opened_customers"] == 1)
    board = api.get(f"/api/v1/tasks/{task['id']}/leaderboard").json()
    assert board[0]["userid"] == userids[1] and board[0]["opens"] == 1
    assert board[0]["opened_customers"] == 1


def test_group_task(api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database) -> None:
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": True, "cap_rule": "off"})
    groups = api.get("/api/v1/groups", params={"limit": 200}).json()
    items = groups["items"] if isinstance(groups, dict) else groups
    owners = sorted({g["owner"] for g in items if g.get("owner")})
    assert owners
    body = task_body("群内通知", owners, kind="group", text="本周六群内抽奖")
    preview = api.post("/api/v1/tasks/preview", json=body).json()
    assert preview["targets"] == len(items) and preview["missing_userids"] == []
    task = api.post("/api/v1/tasks", json=body).json()
    assert api.post(f"/api/v1/tasks/{task['id']}/start").status_code == 200
    done = synced(api, task["id"], lambda d: d["totals"]["employees_done"] == len(owners))
    assert done["totals"]["sent"] == len(items) and done["totals"]["completion_rate"] == 1
    wait_for(
        lambda: {m["chat_type"] for m in sb.get("/sandbox/groupmsg/messages")} == {"group"},
        what="group messages",
    )
