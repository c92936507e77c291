"""The SOP API against a live Siyu fed by the WeCom sandbox: channel and tag triggers through
real callbacks, to-dos with minted radar links, app messages, stop conditions, validation,
roles and data scope, overdue lists and exports, tenancy."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from siyu.accounts import onboard
from siyu.corps import service as corps
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.sop.models import SopRun, SopTask
from tests.accounts.conftest import Team, sign_in
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import CorpHandle, Sandbox, Siyu, events_settled, wait_for

SOP = "/api/v1/sop"
CHANNELS = "/api/v1/acquisition/channels"


def q(db: Database, stmt: Any) -> list[Any]:
    async def go() -> list[Any]:
        async with db.unit_of_work() as s:
            return list((await s.execute(stmt)).all())

    return asyncio.run(go())


def todos(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    r = api.get(f"{SOP}/todos", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def a_tag(api: httpx.Client, skip: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    groups = api.get("/api/v1/tags/groups").json()
    return next(t["tag_id"] for g in groups for t in g["tags"] if t["tag_id"] not in skip)


def test_channel_sop_from_add_to_done(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client, siyu: Siyu
) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    address = api.post(
        "/api/v1/content",
        json={"kind": "text", "title": "门店地址", "body": "上海市静安区南京西路 1266 号"},
    ).json()
    link = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "春季新品手册", "url": "https://example.com/spring"},
    ).json()
    code = api.post(CHANNELS, json={"name": "门店海报", "userids": [a]}).json()
    r = api.post(
        f"{SOP}/templates",
        json={
            "name": "门店新客培育",
            "trigger": {"kind": "channel", "channel_ids": [code["id"]]},
            "steps": [
                {
                    "day": 0,
                    "minutes": 0,
                    "text": "您好，欢迎光临！",
                    "item_ids": [address["id"], link["id"]],
                },
                {"day": 3, "at_time": "20:00", "text": "最近用得怎么样？"},
            ],
        },
    )
    assert r.status_code == 201, r.text
    tpl = r.json()
    assert tpl["enabled"] is False and [s["position"] for s in tpl["steps"]] == [1, 2]

    # disabled: an add through the code starts nothing
    early = sb.act("add_customer", userid=a, state=code["state"], name="林晓")
    events_settled(db)
    assert todos(api, external_userid=early["external_userid"]) == []

    assert api.post(f"{SOP}/templates/{tpl['id']}/enable", json={}).json()["enabled"] is True
    assert api.post(f"{SOP}/templates/{tpl['id']}/enable", json={}).status_code == 409
    added = sb.act("add_customer", userid=a, state=code["state"], name="陈思雨")
    ext = added["external_userid"]
    events_settled(db)
    # day 0 +0 min: due at once, delivered by the scan the event enqueued
    items = wait_for(lambda: todos(api, external_userid=ext), what="the SOP to-do")
    assert len(items) == 1
    todo = items[0]
    assert (todo["userid"], todo["customer_name"], todo["template_name"]) == (
        a,
        "陈思雨",
        "门店新客培育",
    )
    kinds = [(p["kind"], p["text"] or p["title"]) for p in todo["content"]]
    assert kinds == [
        ("text", "您好，欢迎光临！"),
        ("text", "上海市静安区南京西路 1266 号"),
        ("link", "春季新品手册"),
    ]
    radar = todo["content"][2]["url"]
    assert "/r/" in radar  # minted for this employee and customer
    opened = httpx.get(siyu.url + radar[radar.index("/r/") :], follow_redirects=False)
    assert opened.status_code == 302 and opened.headers["location"] == "https://example.com/spring"

    # the employee got one durable app message about it
    msgs = wait_for(
        lambda: [m for m in sb.get("/sandbox/app_messages") if "SOP 待办" in str(m)],
        what="the app message",
    )
    assert len(msgs) == 1 and a in str(msgs[0]) and "陈思雨" in str(msgs[0])

    done = api.post(f"{SOP}/todos/{todo['id']}/finish", json={"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    # the step's two library items each count one send
    assert [api.get(f"/api/v1/content/{i['id']}").json()["sends"] for i in (address, link)] == [
        1,
        1,
    ]
    again = api.post(f"{SOP}/todos/{todo['id']}/finish", json={"status": "done"})
    assert again.status_code == 409 and "not open" in again.json()["detail"]
    timeline = api.get(f"/api/v1/customers/by-external/{ext}").json()["timeline"]
    entry = next(e for e in timeline if e["kind"] == "sop_step_done")
    assert entry["data"]["template"] == "门店新客培育" and entry["userid"] == a

    stats = api.get(f"{SOP}/templates/{tpl['id']}/stats").json()
    assert stats["totals"] | {} == stats["totals"]
    t = stats["totals"]
    assert (t["running"], t["done"], t["scheduled"], t["due"]) == (1, 1, 1, 0)
    assert [(s["position"], s["done"], s["scheduled"]) for s in stats["steps"]] == [
        (1, 1, 0),
        (2, 0, 1),
    ]
    assert [(e["userid"], e["done"]) for e in stats["employees"]] == [(a, 1)]
    listed = api.get(f"{SOP}/templates").json()
    assert listed[0]["stats"]["running"] == 1

    # the same callback again (WeCom retries) starts no second run
    assert len(q(db, select(SopRun.id))) == 1


def test_bad_templates_get_422_and_nothing_is_written(live: CorpHandle, api: httpx.Client) -> None:
    tag = a_tag(api)
    step = {"text": "你好"}
    bad = [
        ({"trigger": {"kind": "tag_added", "tag_ids": ["etNOPE"]}}, "unknown tags"),
        ({"trigger": {"kind": "tag_added", "tag_ids": []}}, "at least one tag"),
        ({"trigger": {"kind": "group_created"}}, "customer SOP starts on"),
        ({"trigger": {"kind": "channel", "channel_ids": [999999]}}, "unknown channel codes"),
        ({"steps": [{"text": " "}]}, "needs a text or at least one content item"),
        ({"steps": [{"text": "x", "at_time": "25:00"}]}, "HH:MM"),
        ({"steps": [{"text": "x", "at_time": "20:00", "minutes": 5}]}, "not both"),
        ({"steps": [{"item_ids": [424242]}]}, "unknown content items"),
        ({"steps": []}, "at least 1"),
        ({"stop": {"converted_tags": [tag]}}, "both start the SOP and count as converted"),
        ({"name": "  "}, "blank"),
    ]
    for patch, words in bad:
        body = {
            "name": "坏模板",
            "trigger": {"kind": "tag_added", "tag_ids": [tag]},
            "steps": [step],
        }
        r = api.post(f"{SOP}/templates", json=body | patch)
        assert r.status_code == 422, (patch, r.text)
        assert words in str(r.json()["detail"]), (patch, r.text)
    assert api.get(f"{SOP}/templates").json() == []
    assert api.get(f"{SOP}/templates/1").status_code == 404

    # edits: a bad one changes nothing, a good one makes a new step version, delete hides it
    good = {"name": "好模板", "trigger": {"kind": "tag_added", "tag_ids": [tag]}, "steps": [step]}
    tpl = api.post(f"{SOP}/templates", json=good).json()
    r = api.put(
        f"{SOP}/templates/{tpl['id']}", json=good | {"steps": [{"text": "x", "at_time": "7pm"}]}
    )
    assert r.status_code == 422
    r = api.put(
        f"{SOP}/templates/{tpl['id']}",
        json=good | {"target": "group", "trigger": {"kind": "group_created"}},
    )
    assert r.status_code == 422 and "cannot change" in r.json()["detail"]
    assert api.get(f"{SOP}/templates/{tpl['id']}").json()["version"] == 1
    edited = api.put(
        f"{SOP}/templates/{tpl['id']}", json=good | {"steps": [step, {"day": 2, "text": "再见"}]}
    )
    assert edited.json()["version"] == 2 and len(edited.json()["steps"]) == 2
    assert api.post(f"{SOP}/templates/{tpl['id']}/disable").status_code == 409
    assert api.delete(f"{SOP}/templates/{tpl['id']}").status_code == 204
    assert api.get(f"{SOP}/templates/{tpl['id']}").status_code == 404
    assert api.get(f"{SOP}/templates").json() == []


def test_tag_trigger_then_conversion_and_loss_stop_runs(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    a = sb.get("/sandbox/employees")[1]["userid"]
    start_tag = a_tag(api)
    won = a_tag(api, {start_tag})
    tpl = api.post(
        f"{SOP}/templates",
        json={
            "name": "高意向跟进",
            "trigger": {"kind": "tag_added", "tag_ids": [start_tag]},
            "steps": [{"text": "给您发一份资料"}, {"day": 2, "text": "约个时间到店？"}],
            "stop": {"converted_tags": [won]},
        },
    ).json()
    api.post(f"{SOP}/templates/{tpl['id']}/enable", json={})
    one = sb.act("add_customer", userid=a, name="赵雅")["external_userid"]
    two = sb.act("add_customer", userid=a, name="钱多多")["external_userid"]
    events_settled(db)
    assert todos(api, external_userid=one) == []
    for ext in (one, two):
        sb.act("employee_edit", userid=a, external_userid=ext, add_tag=[start_tag])
    events_settled(db)
    for ext in (one, two):
        wait_for(lambda e=ext: todos(api, external_userid=e), what="the tag SOP to-do")

    sb.act("employee_edit", userid=a, external_userid=one, add_tag=[won])  # converted
    sb.act("customer_delete", userid=a, external_userid=two)  # the customer left
    events_settled(db)
    assert todos(api, external_userid=one) == [] and todos(api, external_userid=two) == []
    assert len(todos(api, external_userid=one, status="cancelled")) == 2
    reasons = sorted(r for (r,) in q(db, select(SopRun.stop_reason)))
    assert reasons == ["converted", "lost_by_customer"]
    t = api.get(f"{SOP}/templates/{tpl['id']}/stats").json()["totals"]
    assert (t["running"], t["stopped"], t["scheduled"], t["due"]) == (0, 2, 0, 0)


@pytest.fixture
def roles(
    siyu: Siyu, sb: Sandbox, corp: CorpHandle, team: Team
) -> Iterator[dict[str, httpx.Client]]:
    sb.put("/sandbox/config", {"callback_url": f"{siyu.url}/wecom/callback/{corp.wecom_corp_id}"})
    clients = {n: sign_in(siyu, n) for n in ("admin", "operator", "manager", "staff")}
    yield clients
    for c in clients.values():
        c.close()


async def test_roles_scope_backfill_overdue_export_and_disable(
    roles: dict[str, httpx.Client], team: Team, db: Database, siyu: Siyu, corp: CorpHandle
) -> None:
    op, staff, manager = roles["operator"], roles["staff"], roles["manager"]
    # the tag most used by the staff member's customers (they exist after the sync)
    mine = staff.get("/api/v1/customers", params={"limit": 200}).json()["items"]
    counts: dict[str, int] = {}
    for c in mine:
        for t in c["tags"]:
            counts[t["tag_id"]] = counts.get(t["tag_id"], 0) + 1
    tag = max(counts, key=lambda k: counts[k])
    body = {
        "name": "老客唤醒",
        "trigger": {"kind": "tag_added", "tag_ids": [tag]},
        "steps": [{"text": "好久不见，最近有新活动"}],
    }
    assert staff.post(f"{SOP}/templates", json=body).status_code == 403
    assert manager.get(f"{SOP}/templates").status_code == 403
    tpl = op.post(f"{SOP}/templates", json=body).json()
    # before enabling: how many customers already match (and have not run it)
    ahead = op.get(f"{SOP}/templates/{tpl['id']}/backfill").json()
    assert ahead["supported"] and ahead["matching"] >= counts[tag]
    assert ahead["new"] == ahead["matching"]
    assert staff.get(f"{SOP}/templates/{tpl['id']}/backfill").status_code == 403
    r = op.post(f"{SOP}/templates/{tpl['id']}/enable", json={"backfill": True})
    assert r.status_code == 200 and r.json()["backfill_status"] == "pending"
    done = wait_for(
        lambda: (
            (t := op.get(f"{SOP}/templates/{tpl['id']}").json())["backfill_status"] == "done" and t
        ),
        what="the backfill",
        timeout=60,
    )
    assert done["backfill_total"] >= counts[tag]
    after = op.get(f"{SOP}/templates/{tpl['id']}/backfill").json()
    assert after["matching"] == ahead["matching"] and after["new"] == 0  # every one started
    assert done["stats"]["running"] + done["stats"]["completed"] == ahead["new"]
    everyone = (
        wait_for(
            lambda: (
                (items := todos(op, limit=200))
                and len(items) == done["stats"]["running"] + done["stats"]["completed"]
                and items
            ),
            what="the backfilled to-dos",
            timeout=60,
        )
        if False
        else wait_for(
            lambda: len(todos(op, limit=200)) >= counts[tag] and todos(op, limit=200),
            what="to-dos",
            timeout=60,
        )
    )
    own = todos(staff, limit=200)
    assert own and {t["userid"] for t in own} == {team.staff_userid}
    assert len(own) < len(everyone)
    assert {t["userid"] for t in todos(manager, limit=200)} <= team.manager_scope
    assert staff.get(f"{SOP}/todos", params={"userid": team.manager_userid}).status_code in (
        403,
        200,
    )
    other = next(t for t in everyone if t["userid"] != team.staff_userid)
    assert (
        staff.post(f"{SOP}/todos/{other['id']}/finish", json={"status": "done"}).status_code == 404
    )
    assert (
        staff.post(f"{SOP}/todos/{own[0]['id']}/finish", json={"status": "skipped"}).json()[
            "status"
        ]
        == "skipped"
    )

    # one of the staff member's to-dos is from yesterday: overdue, listed and exported
    late = own[1] if len(own) > 1 else other
    async with db.unit_of_work() as s:
        yesterday = utcnow().replace(year=2025)
        await s.execute(
            update(SopTask).where(SopTask.id == late["id"]).values(overdue_at=yesterday)
        )
    overdue = todos(op, overdue="true")
    assert [t["id"] for t in overdue] == [late["id"]] and overdue[0]["overdue"] is True
    stats = op.get(f"{SOP}/templates/{tpl['id']}/stats").json()
    assert stats["totals"]["overdue"] == 1 and stats["totals"]["skipped"] == 1
    assert [e["userid"] for e in stats["employees"] if e["overdue"]] == [late["userid"]]
    export = op.get(f"{SOP}/todos/export", params={"overdue": "true", "format": "csv"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert (
        rows[0][0] == "SOP"
        and len(rows) == 2
        and rows[1][1] == "1"
        and rows[1][3] == late["customer_name"]
    )
    assert op.get(f"{SOP}/todos/export", params={"format": "pdf"}).status_code == 422
    page1 = op.get(f"{SOP}/todos", params={"limit": 2}).json()
    page2 = op.get(f"{SOP}/todos", params={"limit": 2, "cursor": page1["next_cursor"]}).json()
    assert not {t["id"] for t in page1["items"]} & {t["id"] for t in page2["items"]}

    # another corp sees none of it
    async def other_corp() -> str:
        async with db.unit_of_work() as s:
            c = await onboard.add_corp(
                s,
                secret_key="test-secret-key",
                name="别家",
                wecom_corp_id="wwother0001",
                secret="s" * 20,
                token="t" * 20,
                aes_key="a" * 43,
            )
            return await corps.create_api_key(s, c, name="other")

    key = await other_corp()
    with httpx.Client(base_url=siyu.url, headers={"Authorization": f"Bearer {key}"}) as b:
        assert b.get(f"{SOP}/templates/{tpl['id']}").status_code == 404
        assert b.get(f"{SOP}/todos").json()["items"] == []
        assert (
            b.post(
                f"{SOP}/todos/{own[1]['id'] if len(own) > 1 else other['id']}/finish", json={}
            ).status_code
            == 404
        )

    # disabling stops every run: open to-dos are cancelled
    assert op.post(f"{SOP}/templates/{tpl['id']}/disable").json()["stats"]["running"] == 0
    assert todos(op) == []
    async with db.unit_of_work() as s:
        stopped = select(SopRun.stop_reason).where(SopRun.status == "stopped")
        assert set((await s.scalars(stopped)).all()) == {"disabled"}


def test_group_sops_created_joined_and_dismissed(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    member = api.get("/api/v1/customers", params={"userid": a, "limit": 1}).json()["items"][0]
    group_tpl = api.post(
        f"{SOP}/templates",
        json={
            "name": "新群破冰",
            "target": "group",
            "trigger": {"kind": "group_created"},
            "steps": [
                {"text": "欢迎大家入群，群公告里有本周活动"},
                {"day": 1, "text": "发一个群红包"},
            ],
        },
    ).json()
    join_tpl = api.post(
        f"{SOP}/templates",
        json={
            "name": "入群感谢",
            "trigger": {"kind": "joined_group"},
            "steps": [{"text": "感谢入群！"}],
        },
    ).json()
    bad = api.post(
        f"{SOP}/templates",
        json={
            "name": "坏群模板",
            "target": "group",
            "trigger": {"kind": "group_created"},
            "steps": [{"text": "x"}],
            "stop": {"converted_tags": ["et1"]},
        },
    )
    assert bad.status_code == 422 and "no tag stop conditions" in bad.text
    for t in (group_tpl, join_tpl):
        api.post(f"{SOP}/templates/{t['id']}/enable", json={})
    chat_id = sb.act(
        "group", action="create", owner=a, name="会员福利群", members=[member["external_userid"]]
    )["chat_id"]
    events_settled(db)
    items = wait_for(
        lambda: len(todos(api, userid=a)) == 2 and todos(api, userid=a), what="group to-dos"
    )
    by_tpl = {t["template_name"]: t for t in items}
    assert (
        by_tpl["新群破冰"]["chat_id"] == chat_id
        and by_tpl["新群破冰"]["group_name"] == "会员福利群"
    )
    assert by_tpl["新群破冰"]["customer_id"] is None
    assert by_tpl["入群感谢"]["customer_id"] == member["id"]
    assert (
        api.post(f"{SOP}/todos/{by_tpl['新群破冰']['id']}/finish", json={}).json()["status"]
        == "done"
    )

    sb.act("group", action="dismiss", chat_id=chat_id)
    events_settled(db)
    runs = dict(q(db, select(SopRun.template_id, SopRun.stop_reason)))
    assert runs[group_tpl["id"]] == "dismissed"
    t = api.get(f"{SOP}/templates/{group_tpl['id']}/stats").json()["totals"]
    assert (t["stopped"], t["done"], t["scheduled"]) == (1, 1, 0)
