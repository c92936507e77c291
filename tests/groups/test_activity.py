"""A group chat's page: joins and leaves per day of the corp's calendar, members by kind and
the tags its customers carry (GET /groups/{chat_id}/activity)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, events_settled


def test_joins_leaves_flags_and_tags(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    owner, other = (e["userid"] for e in sb.get("/sandbox/employees")[:2])
    tag = api.get("/api/v1/tags/groups").json()[0]["tags"][0]
    tagged = sb.act("add_customer", userid=owner, name="陈晓")["external_userid"]
    plain = sb.act("add_customer", userid=owner, name="王芳")["external_userid"]
    leaving = sb.act("add_customer", userid=owner, name="李强")["external_userid"]
    lost = sb.act("add_customer", userid=other, name="赵敏")["external_userid"]
    sb.act("employee_edit", userid=owner, external_userid=tagged, add_tag=[tag["tag_id"]])
    chat = sb.act(
        "group", action="create", owner=owner, name="周末团购群", members=[tagged, plain, lost]
    )["chat_id"]
    sb.act("group", action="join", chat_id=chat, members=[leaving], join_scene=3)
    sb.act("group", action="leave", chat_id=chat, members=[leaving])
    events_settled(db)  # Siyu knows 赵敏 before she leaves
    sb.act("customer_delete", userid=other, external_userid=lost)  # nobody follows 赵敏 now
    events_settled(db)

    url = f"/api/v1/groups/{chat}/activity"
    a = api.get(url).json()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert a["end"] == str(today) and a["start"] == str(today - timedelta(days=29))
    assert len(a["days"]) == 30 and a["timezone"] == "Asia/Shanghai"
    assert a["days"][-1] == {"day": str(today), "joins": a["joins"], "leaves": 1}
    assert a["joins"] >= 4 and a["leaves"] == 1  # the owner and three customers, then 李强
    assert a["members"] == {
        "employees": 1,
        "customers": 2,
        "lost_customers": 1,
        "not_customers": 0,
    }
    assert a["tags"] == [
        {"tag_id": tag["tag_id"], "name": tag["name"], "group_name": a["tags"][0]["group_name"]}
        | {"customers": 1}
    ]
    flags = {m["member_id"]: (m["flag"], m["tags"]) for m in a["member_tags"]}
    assert flags == {
        tagged: ("customer", [tag["name"]]),
        plain: ("customer", []),
        lost: ("lost_customer", []),
    }

    # a past range has none of it; bad ranges are a 422; an unknown chat a 404
    past = api.get(url, params={"start": "2020-01-01", "end": "2020-01-31"}).json()
    assert past["joins"] == past["leaves"] == 0 and len(past["days"]) == 31
    assert api.get(url, params={"start": "2026-02-02", "end": "2026-02-01"}).status_code == 422
    assert api.get(url, params={"start": "2020-01-01", "end": "2026-01-01"}).status_code == 422
    assert api.get("/api/v1/groups/nope/activity").status_code == 404
