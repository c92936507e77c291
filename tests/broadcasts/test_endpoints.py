"""Broadcasts end to end: Siyu's API and embedded worker against the sandbox over HTTP."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for


def _status(api: httpx.Client, bid: int) -> dict[str, Any]:
    r = api.get(f"/api/v1/broadcasts/{bid}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _send(api: httpx.Client, name: str, **extra: Any) -> dict[str, Any]:
    body = {"name": name, "text": "双十一会员专享：全场八折 🎉", **extra}
    r = api.post("/api/v1/broadcasts", json=body)
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    wait_for(lambda: _status(api, bid)["status"] == "submitted", timeout=60, what="submission")
    return _status(api, bid)


def _synced(api: httpx.Client, bid: int, done: Any) -> dict[str, Any]:
    def check() -> Any:
        assert api.post(f"/api/v1/broadcasts/{bid}/sync").status_code == 202
        time.sleep(0.5)  # one queued sync at a time, not one per poll
        detail = _status(api, bid)
        return detail if done(detail) else None

    return dict(wait_for(check, timeout=60, what="synced results"))


def test_send_confirm_sync_and_the_frequency_cap(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": True, "cap_rule": "day1"})
    assert api.put("/api/v1/broadcasts/settings", json={"cap_rule": "day1"}).status_code == 200
    preview = api.post("/api/v1/broadcasts/preview", json={}).json()
    total = api.get("/api/v1/customers/count").json()["count"]
    assert preview["total"] == total and preview["cap_blocked"] == 0
    assert preview["senders"] == len(preview["by_employee"]) > 1

    first = _send(api, "第一波")
    assert first["total"] == total and first["counts"] == {"submitted": total}
    assert {j["status"] for j in first["jobs"]} == {"submitted"}
    done = _synced(api, first["id"], lambda d: d["counts"].get("sent") == total)
    assert all(j["task_status"] == 2 for j in done["jobs"])
    targets = sb.get("/sandbox/groupmsg/targets")
    assert targets["customers"] == total and targets["histogram"] == {"1": total}

    # the cap (1 a day) now blocks everyone: shown before, reported after, never retried
    again = api.post("/api/v1/broadcasts/preview", json={}).json()
    assert again["cap_blocked"] == total
    second = _send(api, "第二波")
    assert second["cap_blocked_estimate"] == total
    done = _synced(api, second["id"], lambda d: d["counts"].get("not_sent") == total)
    page = api.get(f"/api/v1/broadcasts/{second['id']}/recipients", params={"limit": 5}).json()
    assert {r["reason"] for r in page["items"]} == {"frequency_cap"} and page["next_cursor"]
    assert sb.get("/sandbox/groupmsg/targets")["histogram"] == {"2": total}


def test_partly_sent_ignored_remind_cancel_and_filters(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": False, "cap_rule": "off"})
    userids = [e["userid"] for e in sb.get("/sandbox/employees")[:2]]
    b = _send(api, "两位员工", audience={"userids": userids})
    assert {j["userid"] for j in b["jobs"]} <= set(userids)
    msgs = {m["sender"]: m for m in sb.get("/sandbox/groupmsg/messages")}
    partly, ignored = b["jobs"][0], b["jobs"][-1]
    assert partly["userid"] != ignored["userid"]
    ledger = api.get(
        f"/api/v1/broadcasts/{b['id']}/recipients",
        params={"userid": partly["userid"], "limit": 1000},
    ).json()["items"]
    some = [r["external_userid"] for r in ledger[:2]]
    r = sb.http.post(
        f"/sandbox/groupmsg/messages/{msgs[partly['userid']]['msgid']}/employee",
        json={"action": "partly", "external_userids": some},
    )
    assert r.status_code == 200 and r.json()["counts"] == {"sent": 2}
    reminded = api.post(f"/api/v1/broadcasts/{b['id']}/remind").json()
    assert reminded["ok"] == reminded["jobs"] == 2
    cancelled = api.post(f"/api/v1/broadcasts/{b['id']}/cancel").json()
    assert cancelled["ok"] == 2
    # the employee rows say cancelled at once (not "awaiting the employee")
    jobs = {j["userid"]: j for j in _status(api, b["id"])["jobs"]}
    assert jobs[ignored["userid"]]["status"] == "cancelled"
    # the cancel queues a result sync itself: unsent customers resolve without asking

    def resolved() -> dict[str, Any] | None:
        d = _status(api, b["id"])
        return d if "submitted" not in d["counts"] else None

    done = wait_for(resolved, timeout=60, what="the sync after the cancel")
    assert done["status"] == "cancelled"
    assert done["counts"] == {"sent": 2, "not_sent": b["total"] - 2}
    jobs = {j["userid"]: j for j in done["jobs"]}
    assert jobs[ignored["userid"]]["status"] == "cancelled"
    # the employee who had sent before the cancel: sent, not cancelled
    assert jobs[partly["userid"]]["status"] == "submitted"
    assert jobs[partly["userid"]]["task_status"] == 2
    assert jobs[partly["userid"]]["counts"] == {"sent": 2, "not_sent": partly["recipients"] - 2}
    listed = api.get("/api/v1/broadcasts", params={"status": "cancelled"}).json()
    assert [x["id"] for x in listed["items"]] == [b["id"]]
    assert api.get("/api/v1/broadcasts", params={"status": "submitted"}).json()["items"] == []
    csv = api.get(f"/api/v1/broadcasts/{b['id']}/recipients/export", params={"format": "csv"})
    assert csv.status_code == 200 and csv.text.count("\n") == b["total"] + 1


def test_bad_input_and_scheduled(api: httpx.Client, corp: CorpHandle) -> None:
    assert api.post("/api/v1/broadcasts", json={"name": "空"}).status_code == 422
    r = api.post(
        "/api/v1/broadcasts",
        json={"name": "x", "text": "a", "attachments": [{"msgtype": "voice", "voice": {}}]},
    )
    assert r.status_code == 422
    later = api.post(
        "/api/v1/broadcasts",
        json={"name": "明晚", "text": "晚安", "scheduled_at": "2099-01-01T20:00:00+08:00"},
    )
    assert later.status_code == 201 and later.json()["status"] == "scheduled"
    assert api.get("/api/v1/broadcasts/999999").status_code == 404


def test_segment_audience(api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database) -> None:
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": True, "cap_rule": "off"})
    gender = {"name": "女性客户", "rule": {"type": "gender", "values": [2]}}
    seg = api.post("/api/v1/segments", json=gender)
    assert seg.status_code == 201, seg.text
    sid = seg.json()["id"]
    members = api.get(f"/api/v1/segments/{sid}/count").json()["count"]
    assert 0 < members < api.get("/api/v1/customers/count").json()["count"]
    preview = api.post("/api/v1/broadcasts/preview", json={"segment_id": sid}).json()
    assert preview["total"] == members
    b = _send(api, "女神节", audience={"segment_id": sid})
    assert b["total"] == members
    wanted = {
        c["external_userid"]
        for c in api.get(f"/api/v1/segments/{sid}/members", params={"limit": 500}).json()["items"]
    }
    got = api.get(f"/api/v1/broadcasts/{b['id']}/recipients", params={"limit": 1000}).json()
    assert {r["external_userid"] for r in got["items"]} == wanted
    missing = api.post("/api/v1/broadcasts/preview", json={"segment_id": 999999})
    assert missing.status_code == 404


def test_group_broadcast(api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database) -> None:
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": True, "cap_rule": "month4"})
    groups = api.get("/api/v1/groups", params={"limit": 200}).json()
    items = groups["items"] if isinstance(groups, dict) else groups
    live = {g["chat_id"] for g in items}
    assert live
    preview = api.post("/api/v1/broadcasts/preview", json={"kind": "group"}).json()
    assert preview["total"] == len(live)
    b = _send(api, "群公告", audience={"kind": "group"})
    assert b["kind"] == "group" and b["total"] == len(live)
    done = _synced(api, b["id"], lambda d: d["counts"].get("sent") == len(live))
    page = api.get(f"/api/v1/broadcasts/{done['id']}/recipients", params={"limit": 1000}).json()
    assert {r["external_userid"] for r in page["items"]} == live
    names = {g["chat_id"]: g["name"] for g in items}
    assert {r["customer_name"] for r in page["items"]} == set(names.values())  # the group's name
    assert all(r["customer_name"] == names[r["external_userid"]] for r in page["items"])
    msgs = sb.get("/sandbox/groupmsg/messages")
    assert {m["chat_type"] for m in msgs} == {"group"}
    assert sb.get("/sandbox/groupmsg/targets")["histogram"] == {"1": len(live)}
