"""People read names: the timeline says who did what with names, and an employee's department
stands beside a name two employees share (issue 13 §3)."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select, update

from siyu.db.session import Database
from siyu.employees.models import Department, Employee
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for


def test_timeline_names_the_employee_and_the_tag(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    group = api.post("/api/v1/tags/groups", json={"name": "活动", "tags": ["会员日"]}).json()
    tag = group["tags"][0]["tag_id"]
    customer = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    job = api.post("/api/v1/tags/batch", json={"add": [tag], "customer_ids": [customer["id"]]})
    assert job.status_code == 202, job.text
    jid = job.json()["id"]
    wait_for(lambda: api.get(f"/api/v1/tags/batch/{jid}").json()["status"] == "done")
    detail = api.get(f"/api/v1/customers/{customer['id']}").json()
    names = {r["userid"]: r["employee_name"] for r in detail["relations"]}
    tagged = [e for e in detail["timeline"] if e["kind"] == "tagged" and e["data"]["tag_id"] == tag]
    assert tagged
    for e in tagged:
        assert e["data"]["tag_name"] == "会员日" and e["data"]["tag_group"] == "活动"
        assert e["actor"] == names[e["userid"]] and e["actor"] != e["userid"]


def test_two_employees_of_one_name_are_told_apart_by_department(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    customer = next(
        c
        for c in api.get("/api/v1/customers", params={"limit": 50}).json()["items"]
        if c["userids"]
    )
    mine = customer["userids"][0]

    async def twin() -> tuple[str, str]:
        async with db.unit_of_work() as s:
            me = await s.scalar(
                select(Employee).where(Employee.corp_id == corp.id, Employee.userid == mine)
            )
            assert me is not None
            other = await s.scalar(
                select(Employee).where(Employee.corp_id == corp.id, Employee.userid != mine)
            )
            assert other is not None
            s.add(Department(corp_id=corp.id, dept_id=9001, name="华东销售部"))
            s.add(Department(corp_id=corp.id, dept_id=9002, name="华南销售部"))
            await s.execute(
                update(Employee).where(Employee.id == me.id).values(main_department=9001)
            )
            await s.execute(
                update(Employee)
                .where(Employee.id == other.id)
                .values(name=me.name, main_department=9002)
            )
            return me.name, other.userid

    name, _ = asyncio.run(twin())
    detail = api.get(f"/api/v1/customers/{customer['id']}").json()
    relation = next(r for r in detail["relations"] if r["userid"] == mine)
    assert relation["employee_name"] == f"{name}（华东销售部）"
    added = [e for e in detail["timeline"] if e["userid"] == mine]
    assert added and all(e["actor"] == f"{name}（华东销售部）" for e in added)


def test_dashboard_and_customer_name_the_channel_not_its_state(
    api: httpx.Client, live: CorpHandle, sb: Sandbox
) -> None:
    userid = sb.get("/sandbox/employees")[0]["userid"]
    code = api.post(
        "/api/v1/acquisition/channels", json={"name": "门店海报", "userids": [userid]}
    ).json()
    sb.act("add_customer", userid=userid, state=code["state"])

    def ranked() -> dict | None:
        d = api.get("/api/v1/analytics/dashboard").json()
        return next((c for c in d["top_channels"] if c["key"] == code["state"]), None)

    row = wait_for(ranked, what="the channel in the dashboard")
    assert row["name"] == "门店海报"
    found = api.get("/api/v1/customers", params={"state": code["state"]}).json()["items"]
    assert found
    detail = api.get(f"/api/v1/customers/{found[0]['id']}").json()
    relation = next(r for r in detail["relations"] if r["state"] == code["state"])
    assert relation["channel_name"] == "门店海报"


def test_broadcast_recipients_read_as_names(
    api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox
) -> None:
    from tests.broadcasts.test_endpoints import _send

    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": False, "cap_rule": "off"})
    userid = sb.get("/sandbox/employees")[0]["userid"]
    b = _send(api, "会员日福利推送", audience={"userids": [userid]})
    page = api.get(f"/api/v1/broadcasts/{b['id']}/recipients", params={"limit": 1000}).json()
    customers = {
        c["id"]: c["name"]
        for c in api.get("/api/v1/customers", params={"userid": userid, "limit": 500}).json()[
            "items"
        ]
    }
    employee = api.get(f"/api/v1/employees/{userid}").json()
    assert page["items"]
    for r in page["items"]:
        assert r["customer_name"] == customers[r["customer_id"]] and r["customer_name"]
        assert r["employee_name"] == employee["display_name"] == employee["name"]
    csv = api.get(f"/api/v1/broadcasts/{b['id']}/recipients/export", params={"format": "csv"})
    assert csv.status_code == 200
    assert "wm" not in csv.text and userid not in csv.text
    assert employee["name"] in csv.text and "待员工确认" in csv.text


def test_customer_export_names_the_employees(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    import csv
    import io

    asyncio.run(full_sync(db, corp))
    r = api.get("/api/v1/customers/export", params={"format": "csv"})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    column = rows[0].index("跟进员工")
    emps = api.get("/api/v1/employees", params={"limit": 500}).json()["items"]
    names, userids = {e["name"] for e in emps}, {e["userid"] for e in emps}
    cells = [row[column] for row in rows[1:] if row[column]]
    assert cells
    for cell in cells:
        for part in cell.replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            assert part in names and part not in userids, cell


def test_channel_code_export_names_employees_and_tags(
    api: httpx.Client, live: CorpHandle, sb: Sandbox
) -> None:
    import csv
    import io

    userid = sb.get("/sandbox/employees")[0]["userid"]
    group = api.post("/api/v1/tags/groups", json={"name": "地推活动", "tags": ["地推"]}).json()
    tag = group["tags"][0]["tag_id"]
    made = api.post(
        "/api/v1/acquisition/channels",
        json={"name": "地推二维码", "userids": [userid], "tag_ids": [tag]},
    )
    assert made.status_code == 201, made.text
    name = api.get(f"/api/v1/employees/{userid}").json()["display_name"]
    r = api.get("/api/v1/acquisition/channels/export", params={"format": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    row = next(x for x in rows[1:] if x[1] == "地推二维码")
    assert row[4] == name and row[6] == "地推"
    assert userid not in r.text and tag not in r.text
