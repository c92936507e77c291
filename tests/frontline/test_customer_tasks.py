"""Customer tasks end to end: Siyu's API and worker against the sandbox over HTTP — notify,
employee confirms, sync, per-employee completion, radar effect, remind, leaderboard, export."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.frontline.conftest import employees, synced, task_body


def _two_senders(api: httpx.Client) -> list[str]:
    """Two employees who both have customers to send to."""
    preview = api.post("/api/v1/broadcasts/preview", json={}).json()
    return sorted(e["userid"] for e in preview["by_employee"][:2])


def test_customer_task_completion_effect_remind_and_leaderboard(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": False, "cap_rule": "off"})
    first, second = _two_senders(api)
    item = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "会员日活动", "url": "https://example.com/vip-day"},
    ).json()
    body = task_body("会员日群发", [first, second], content_ids=[item["id"]])

    preview = api.post("/api/v1/tasks/preview", json=body).json()
    same = api.post("/api/v1/broadcasts/preview", json={"userids": [first, second]}).json()
    assert preview["employees"] == 2 and preview["targets"] == same["total"] > 0

    created = api.post("/api/v1/tasks", json=body)
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["status"] == "draft" and task["userids"] == [first, second]
    started = api.post(f"/api/v1/tasks/{task['id']}/start").json()
    assert started["status"] == "running" and started["broadcast_id"]
    assert api.post(f"/api/v1/tasks/{task['id']}/start").status_code == 409  # never twice

    # the employees are told (once), and WeCom holds one message per sender, each with its
    # own radar link
    def notified() -> bool:
        sent = [m for m in sb.get("/sandbox/app_messages") if "会员日群发" in str(m.get("text"))]
        return len(sent) == 1 and sorted(sent[0]["touser"]) == [first, second]

    wait_for(notified, timeout=60, what="the task's app message")

    def messages() -> dict[str, dict[str, object]] | None:
        got = {m["sender"]: m for m in sb.get("/sandbox/groupmsg/messages")}
        return got if len(got) == 2 else None

    msgs = wait_for(messages, timeout=60, what="the mass messages")
    urls = {u: m["attachments"][0]["link"]["url"] for u, m in msgs.items()}  # type: ignore[index]
    assert urls[first] != urls[second] and all("/r/" in u for u in urls.values())

    # the first employee confirms; one of their customers opens the link, named by OAuth
    r = sb.http.post(f"/sandbox/groupmsg/messages/{msgs[first]['msgid']}/employee", json={})
    assert r.status_code == 200
    anon = httpx.Client(base_url=str(api.base_url), timeout=10)
    path = urls[first][urls[first].index("/r/") :]
    hop = anon.get(path, follow_redirects=False)
    assert hop.status_code == 302
    state = parse_qs(urlsplit(hop.headers["location"]).query)["state"][0]
    ledger = api.get(
        f"/api/v1/broadcasts/{started['broadcast_id']}/recipients", params={"userid": first}
    ).json()["items"]
    code = sb.http.post(
        "/sandbox/oauth/visitor_code", json={"external_userid": ledger[0]["external_userid"]}
    ).json()["code"]
    anon.get(f"{path}/who", params={"code": code, "state": state}, follow_redirects=False)
    anon.close()

    detail = synced(api, task["id"], lambda d: d["totals"]["employees_done"] == 1)
    rows = employees(api, task["id"])
    mine, other = rows[first], rows[second]
    assert mine["done"] and mine["sent"] == mine["assigned"] > 0 and mine["completion_rate"] == 1
    assert mine["completed_at"] and not mine["late"]
    assert mine["opens"] == 1 and mine["opened_customers"] == 1
    assert not other["done"] and other["sent"] == 0 and other["pending"] == other["assigned"]
    totals = detail["totals"]
    assert totals["assigned"] == preview["targets"] and totals["sent"] == mine["assigned"]
    assert totals["opens"] == 1 and totals["opened_customers"] == 1
    assert totals["employee_rate"] == 0.5
    assert list(employees(api, task["id"], done="false")) == [second]
    page = api.get(f"/api/v1/tasks/{task['id']}/employees", params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]

    # remind the laggard: WeCom's reminder for their message, and an app message
    reminded = api.post(f"/api/v1/tasks/{task['id']}/remind").json()
    assert reminded == {"employees": 1, "wecom_ok": 1, "errors": []}
    assert sb.get("/sandbox/groupmsg/messages", sender=second)[0]["reminds"] == 1

    def remind_sent() -> bool:
        return any(
            "任务提醒" in str(m.get("text")) and m["touser"] == [second]
            for m in sb.get("/sandbox/app_messages")
        )

    wait_for(remind_sent, timeout=60, what="the reminder app message")
    assert employees(api, task["id"])[second]["reminds"] == 1
    # WeCom allows 3 reminders per message per 24 h: the 4th is refused, with the reason
    for _ in range(2):
        assert api.post(f"/api/v1/tasks/{task['id']}/remind").json()["wecom_ok"] == 1
    refused = api.post(f"/api/v1/tasks/{task['id']}/remind").json()
    assert refused["wecom_ok"] == 0 and len(refused["errors"]) == 1
    assert refused["errors"][0].startswith(f"{second}: ") and "errcode" in refused["errors"][0]
    assert sb.get("/sandbox/groupmsg/messages", sender=second)[0]["reminds"] == 3

    board = api.get(f"/api/v1/tasks/{task['id']}/leaderboard").json()
    assert [(b["rank"], b["userid"]) for b in board] == [(1, first), (2, second)]
    period = api.get("/api/v1/tasks/leaderboard").json()
    assert period[0]["userid"] == first and period[0]["tasks"] == 1
    csv = api.get(f"/api/v1/tasks/{task['id']}/employees/export", params={"format": "csv"})
    assert csv.status_code == 200 and csv.text.count("\n") == 3
    xlsx = api.get("/api/v1/tasks/leaderboard/export")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    listed = api.get("/api/v1/tasks", params={"status": "running"}).json()["items"]
    assert [t["id"] for t in listed] == [task["id"]]

    # cancel: the second employee's unsent message is cancelled in WeCom
    cancelled = api.post(f"/api/v1/tasks/{task['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert sb.get("/sandbox/groupmsg/messages", sender=second)[0]["cancelled"]
    assert api.post(f"/api/v1/tasks/{task['id']}/remind").status_code == 409


def test_bad_input_is_refused_with_a_reason(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    userid = sb.get("/sandbox/employees")[0]["userid"]
    ok = task_body("x", [userid])
    for bad, status, words in [
        ({**ok, "deadline": "2026-01-01T10:00:00"}, 422, "time zone"),
        ({**ok, "deadline": "2020-01-01T10:00:00+08:00"}, 422, "past"),
        ({**ok, "userids": []}, 422, "assign employees"),
        ({**ok, "userids": ["nobody"]}, 422, "unknown employees"),
        ({**ok, "text": "", "content_ids": []}, 422, "text or content"),
        ({**ok, "content_ids": [99999]}, 404, "does not exist"),
        ({**ok, "targets": {"segment_id": 99999}}, 404, "segment"),
    ]:
        r = api.post("/api/v1/tasks", json=bad)
        assert r.status_code == status and words in r.text, (bad, r.text)
    link = api.post(
        "/api/v1/content", json={"kind": "link", "title": "l", "url": "https://example.com/l"}
    ).json()
    two = {**ok, "kind": "moment", "content_ids": [link["id"], link["id"]]}
    r = api.post("/api/v1/tasks", json=two)
    assert r.status_code == 422 and "at most one link" in r.text
    assert api.get("/api/v1/tasks").json()["items"] == []  # nothing half-written
    assert api.get("/api/v1/tasks/123").status_code == 404
    assert api.get("/api/v1/tasks/export", params={"format": "pdf"}).status_code == 422

    draft = api.post("/api/v1/tasks", json=ok).json()
    edited = api.put(f"/api/v1/tasks/{draft['id']}", json={**ok, "name": "改名"})
    assert edited.status_code == 200 and edited.json()["name"] == "改名"
    assert api.post(f"/api/v1/tasks/{draft['id']}/remind").status_code == 409
    assert api.delete(f"/api/v1/tasks/{draft['id']}").status_code == 204
    assert api.get(f"/api/v1/tasks/{draft['id']}").status_code == 404


def test_a_start_that_cannot_go_out_leaves_the_draft_untouched(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    userid = _two_senders(api)[0]
    tag = api.get("/api/v1/tags/groups").json()[0]["tags"][0]["tag_id"]
    rule = {"type": "tags", "match": "any", "tag_ids": [tag]}
    segment = api.post("/api/v1/segments", json={"name": "意向客户", "rule": rule}).json()
    body = task_body("分群任务", [userid], targets={"segment_id": segment["id"]})
    task = api.post("/api/v1/tasks", json=body).json()
    assert api.delete(f"/api/v1/segments/{segment['id']}").status_code in (200, 204)
    r = api.post(f"/api/v1/tasks/{task['id']}/start")
    assert r.status_code == 404 and "segment" in r.text
    after = api.get(f"/api/v1/tasks/{task['id']}").json()
    assert after["status"] == "draft" and after["broadcast_id"] is None
    assert api.get("/api/v1/broadcasts").json()["items"] == []
    assert not [m for m in sb.get("/sandbox/app_messages") if "分群任务" in str(m.get("text"))]


def test_two_starts_at_once_launch_one_broadcast(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    asyncio.run(full_sync(db, corp))
    task = api.post("/api/v1/tasks", json=task_body("双击", _two_senders(api))).json()
    url = f"/api/v1/tasks/{task['id']}/start"
    for round_ in range(3):
        with ThreadPoolExecutor(2) as pool:
            codes = sorted(r.status_code for r in pool.map(lambda _: api.post(url), range(2)))
        assert codes == ([200, 409] if round_ == 0 else [409, 409]), codes
    broadcasts = api.get("/api/v1/broadcasts").json()["items"]
    assert len(broadcasts) == 1 and broadcasts[0]["created_by"] == f"task:{task['id']}"
