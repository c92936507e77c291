"""Two employees of one name (two 胡军) are told apart on screen by their departments
(issue 13 §3): a customer's profile and the employee pickers show "胡军（华东销售部）"."""

from __future__ import annotations

import httpx
from playwright.async_api import expect
from sqlalchemy import select, update

from siyu.db.session import Database
from siyu.employees.models import Department, Employee
from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab


async def test_same_name_employees_show_their_departments(
    tab: Tab, live: Team, api: httpx.Client, db: Database
) -> None:
    first = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    mine = first["userids"][0]
    async with db.unit_of_work() as s:
        me = await s.scalar(
            select(Employee).where(Employee.corp_id == live.corp.id, Employee.userid == mine)
        )
        other = await s.scalar(
            select(Employee).where(Employee.corp_id == live.corp.id, Employee.userid != mine)
        )
        assert me is not None and other is not None
        s.add(Department(corp_id=live.corp.id, dept_id=9001, name="华东销售部"))
        s.add(Department(corp_id=live.corp.id, dept_id=9002, name="华南销售部"))
        await s.execute(update(Employee).where(Employee.id == me.id).values(main_department=9001))
        await s.execute(
            update(Employee)
            .where(Employee.id == other.id)
            .values(name=me.name, main_department=9002)
        )
        name = me.name

    await tab.login("admin")
    await tab.goto("/customers")
    await tab.page.locator(".ant-table-row").first.click()
    drawer = tab.page.locator(".ant-drawer-open")
    await expect(drawer.get_by_test_id(f"relation-{mine}")).to_contain_text(f"{name}（华东销售部）")
    await tab.done()
