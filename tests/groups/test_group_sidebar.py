"""The group sidebar's data over real HTTP, fed by the WeCom sandbox: owner, members (customers
with their corp tags, staff marked as staff), joins and leaves, group tags (managed by the corp,
set on a group), and the group's SOP to-dos by ``chat_id``."""

from __future__ import annotations

from typing import Any

import httpx

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, events_settled, wait_for


def _customers_of(api: httpx.Client, userid: str, n: int) -> list[dict[str, Any]]:
    items = api.get("/api/v1/customers", params={"userid": userid, "limit": n}).json()["items"]
    assert len(items) == n
    return list(items)


def test_group_sidebar_members_history_tags_and_todos(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    emps = sb.get("/sandbox/employees")
    owner, colleague = emps[0]["userid"], emps[1]["userid"]
    c1, c2 = _customers_of(api, owner, 2)
    tpl = api.post(
        "/api/v1/sop/templates",
        json={
            "name": "新群破冰",
            "target": "group",
            "trigger": {"kind": "group_created"},
            "steps": [{"text": "欢迎大家入群"}],
        },
    ).json()
    api.post(f"/api/v1/sop/templates/{tpl['id']}/enable", json={})
    chat = sb.act(
        "group",
        action="create",
        owner=owner,
        name="会员福利群",
        members=[c1["external_userid"], c2["external_userid"]],
    )["chat_id"]
    sb.act("group", action="join", chat_id=chat, members=[colleague], join_scene=0)
    sb.act("group", action="leave", chat_id=chat, members=[c2["external_userid"]])
    events_settled(db)

    r = api.get(f"/api/v1/groups/{chat}/sidebar")
    assert r.status_code == 200, r.text
    g = r.json()
    assert g["name"] == "会员福利群" and g["owner"] == owner and g["owner_name"]
    members = {m["member_id"]: m for m in g["members"]}
    assert members[owner]["is_staff"] and members[owner]["is_owner"]
    assert members[colleague]["is_staff"] and not members[colleague]["is_owner"]
    assert c2["external_userid"] not in members  # left
    m1 = members[c1["external_userid"]]
    assert not m1["is_staff"] and m1["customer_id"] == c1["id"] and m1["name"]
    assert set(m1["tags"]) == {t["name"] for t in c1["tags"]}
    assert g["members"][0]["member_id"] == owner  # the owner first
    kinds = {(e["member_id"], e["kind"]) for e in g["history"]}
    assert (c2["external_userid"], "left") in kinds and (colleague, "joined") in kinds
    assert g["history"][0]["kind"] == "left"  # newest first
    assert (g["staff_count"], g["customer_count"]) == (2, 1)

    # group tags: the corp's list, set on the group, shown, counted, bad input refused
    vip = api.post("/api/v1/group-tags", json={"name": "高价值群"}).json()
    new = api.post("/api/v1/group-tags", json={"name": "新品试用"}).json()
    assert api.post("/api/v1/group-tags", json={"name": " 高价值群 "}).status_code == 409
    bad = api.post("/api/v1/group-tags", json={"name": "长" * 16})
    assert bad.status_code == 422 and "最多 15 个字" in bad.json()["detail"]
    r = api.put(f"/api/v1/groups/{chat}/tags", json={"tag_ids": [vip["id"], new["id"]]})
    assert r.status_code == 200 and [t["name"] for t in r.json()] == ["高价值群", "新品试用"]
    assert [t["name"] for t in api.get(f"/api/v1/groups/{chat}/sidebar").json()["tags"]] == [
        "高价值群",
        "新品试用",
    ]
    tagged = api.get("/api/v1/groups", params={"tag_id": vip["id"]}).json()["items"]
    assert [g["chat_id"] for g in tagged] == [chat]
    counts = {t["name"]: t["groups"] for t in api.get("/api/v1/group-tags").json()}
    assert counts == {"高价值群": 1, "新品试用": 1}
    assert api.put(f"/api/v1/groups/{chat}/tags", json={"tag_ids": [99999]}).status_code == 422
    assert api.put("/api/v1/groups/nope/tags", json={"tag_ids": []}).status_code == 404
    assert api.delete(f"/api/v1/group-tags/{new['id']}").status_code == 204
    assert [t["name"] for t in api.get(f"/api/v1/groups/{chat}/sidebar").json()["tags"]] == [
        "高价值群"
    ]
    assert api.get("/api/v1/groups/nope/sidebar").status_code == 404

    # the group's SOP to-dos, by chat id; ticking one closes it
    todos = wait_for(
        lambda: api.get("/api/v1/sop/todos", params={"chat_id": chat}).json()["items"],
        what="the group's SOP to-do",
    )
    assert [t["template_name"] for t in todos] == ["新群破冰"] and todos[0]["chat_id"] == chat
    done = api.post(f"/api/v1/sop/todos/{todos[0]['id']}/finish", json={"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api.get("/api/v1/sop/todos", params={"chat_id": chat}).json()["items"] == []
    assert api.get("/api/v1/sop/todos", params={"chat_id": "nope"}).status_code == 404
