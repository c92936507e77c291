"""People read names (issue 13 §3): every page of a seeded demo corp, with its tabs, the
drawers of a customer and a group chat and the chat sidebar, shows no id where a name exists: no external userid
(``wm…``/``wo…``/``wr…``), no employee userid, no channel state outside the channel code's own
settings, no route with ``{param}``."""

from __future__ import annotations

import re

import httpx

from siyu.cli.demo_seed import seed
from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab
from tests.e2e.test_chinese_console import PAGES
from tests.e2e.test_sidebar_tasks import _sidebar_as

EXTERNAL = re.compile(r"(?<![A-Za-z0-9_])(?:wm|wo|wr)[A-Za-z0-9_-]{16,}")
ROUTE = re.compile(r"\{[a-z_]+\}|(?:GET|POST|PUT|PATCH|DELETE) /api/")
# where a channel's state is one of its settings (its own form and detail), it may show
STATE_SHOWN = ("/channel-codes", "/group-codes", "/segments", "/tags")
# the employee directory shows each employee's account (userid) beside the name, as WeCom's does
USERID_SHOWN = ("/employees",)


def _ids(api: httpx.Client) -> tuple[set[str], set[str]]:
    """(employee userids that have a name, channel states that have a channel name)."""
    emps = api.get("/api/v1/employees", params={"limit": 500}).json()["items"]
    userids = {e["userid"] for e in emps if e["name"] and e["name"] != e["userid"]}
    chans = api.get("/api/v1/acquisition/channels", params={"limit": 200}).json()["items"]
    states = {c["state"] for c in chans if c["name"] and c["state"]}
    return userids, states


async def _text(tab: Tab) -> str:
    return str(
        await tab.page.evaluate(
            """() => {
                const out = [document.body.innerText]
                for (const el of document.querySelectorAll('[title]'))
                    if (el.closest('svg') === null) out.push(el.getAttribute('title'))
                return out.join('\\n')
            }"""
        )
    )


def _offenders(
    text: str, userids: set[str], states: set[str], *, state_ok: bool, userid_ok: bool
) -> list[str]:
    found = EXTERNAL.findall(text) + ROUTE.findall(text)
    for word in (set() if userid_ok else userids) | (set() if state_ok else states):
        if re.search(rf"(?<![A-Za-z0-9_.-]){re.escape(word)}(?![A-Za-z0-9_-])", text):
            found.append(word)
    return sorted(set(found))


async def test_no_page_shows_an_id_where_a_name_exists(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    seed(api, sandbox_url=sb.url)
    wait_for(
        lambda: api.get("/api/v1/broadcasts").json()["items"][0]["status"] == "submitted",
        timeout=60,
        what="the seeded broadcast to go out",
    )
    userids, states = _ids(api)
    assert userids and states
    broadcast = api.get("/api/v1/broadcasts").json()["items"][0]["id"]
    task = api.get("/api/v1/tasks").json()["items"][0]["id"]
    found: dict[str, list[str]] = {}

    async def scan(where: str, path: str) -> None:
        await tab.page.wait_for_load_state("networkidle")
        hits = _offenders(
            await _text(tab),
            userids,
            states,
            state_ok=path.startswith(STATE_SHOWN),
            userid_ok=path.startswith(USERID_SHOWN),
        )
        if hits:
            found[where] = hits

    await tab.login("admin")
    for path in [*PAGES, "/ownership", f"/broadcasts/{broadcast}", f"/tasks/{task}"]:
        await tab.goto(path)
        await tab.page.get_by_test_id("user-menu").wait_for()
        await scan(path, path)
        drawer = tab.page.locator(".ant-drawer-open")
        scope = drawer if await drawer.count() else tab.page
        for name in await scope.get_by_role("tab").all_inner_texts():
            await scope.get_by_role("tab", name=name, exact=True).click()
            await scan(f"{path} › {name}", path)
    # a customer's profile (relations and timeline) and a group chat's members
    for path in ("/customers", "/groups"):
        await tab.goto(path)
        await tab.page.locator(".ant-table-row").first.click()
        await tab.page.locator(".ant-drawer-open").wait_for()
        await scan(f"{path} › drawer", path)
    # the chat sidebar of an employee next to one of their customers
    customer = next(
        c
        for c in api.get("/api/v1/customers", params={"limit": 100}).json()["items"]
        if c["userids"]
    )
    await _sidebar_as(tab, customer["userids"][0], customer["external_userid"])
    await scan("/sidebar", "/sidebar")
    await tab.done()
    assert not found, found
