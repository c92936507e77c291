"""The zh-CN console has no English leftovers: every main page of a seeded demo corp, read by a
Chinese operator, shows Chinese (product names and the data itself aside)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import expect
from sqlalchemy import update

from siyu.cli.demo_seed import seed
from siyu.corps.models import ApiKey
from siyu.db.session import Database
from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab

# product and protocol names an operator reads as they are, in Chinese software too
ALLOWED = {
    "wecom",
    "siyu",
    "scrm",
    "sop",
    "api",
    "key",
    "keys",
    "id",
    "ids",
    "qr",
    "csv",
    "xlsx",
    "http",
    "https",
    "url",
    "token",
    "aes",
    "encodingaeskey",
    "corpid",
    "secret",
    "oauth",
    "sdk",
    "js",
    "rfm",
    "en",
    "agentid",
    "zh",
    "vip",
    "png",
    "pdf",
    "bearer",
    "sy",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
LINK = re.compile(
    r"https?://\S+|\b[\w.+-]+@[\w-]+\.[\w.]+|/[\w/{}.-]+|\b\w*_\w+\b|\b\w+-\w+[\w-]*\b"
)

# every main page of the console (and a detail of each kind), as the menu reaches them
PAGES = [
    "/",
    "/customers",
    "/follow-ups",
    "/tags",
    "/employees",
    "/groups",
    "/channel-codes",
    "/group-codes",
    "/segments",
    "/broadcasts",
    "/tasks",
    "/sop",
    "/content",
    "/phrases",
    "/sync",
    "/settings",
]


def _data_words(api: httpx.Client) -> set[str]:
    """What the data itself spells in Latin letters (userids, channel states, titles, the
    callback token, ...): ids on screen are another part of the issue (names, not ids), and
    audit entries as sentences too; this test is about the console's own words. Only the
    fields that hold such data are read, never an enum (a raw ``done`` must still fail)."""
    found: set[str] = set()

    def take(rows: Any, *fields: str) -> None:
        for row in rows if isinstance(rows, list) else [rows]:
            for f in fields:
                value = row.get(f)
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str):
                        found.update(w.lower() for w in WORD.findall(v))

    def get(path: str, **params: Any) -> Any:
        body = api.get(f"/api/v1{path}", params=params).json()
        return body["items"] if isinstance(body, dict) and "items" in body else body

    take(get("/employees", limit=500), "userid", "name", "position")
    take(get("/customers", limit=500), "external_userid", "name", "corp_name", "remarks", "userids")
    take(get("/groups", limit=200), "chat_id", "name", "owner", "notice")
    take(get("/acquisition/channels", limit=200), "state", "name", "group_name", "userids")
    take(get("/acquisition/group-codes", limit=200), "state", "name", "room_base_name")
    take(get("/content", limit=200), "title", "url", "description", "body", "filename", "tags")
    take(get("/phrases", limit=200), "title", "body", "description", "url", "appid", "page")
    take(get("/settings/users"), "username", "display_name", "userid")
    take(get("/settings/api-keys"), "prefix")
    take(get("/settings/audit", limit=200), "action", "actor", "target")
    take(get("/settings/wecom"), *get("/settings/wecom").keys())
    for group in get("/tags/groups"):
        take(group, "name")
        take(group["tags"], "name")
    return found


async def _english(tab: Tab, allowed: set[str]) -> list[str]:
    texts: list[str] = await tab.page.evaluate(
        """() => {
            const out = [document.body.innerText, document.title]
            for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
                out.push(el.getAttribute('placeholder'))
            for (const el of document.querySelectorAll('[title]'))
                if (el.closest('svg') === null) out.push(el.getAttribute('title'))
            return out
        }"""
    )
    words: list[str] = []
    for text in texts:
        for w in WORD.findall(LINK.sub(" ", text or "")):
            if w.lower() not in allowed and w.lower() not in words:
                words.append(w)
    return words


async def _name_the_key(db: Database) -> None:
    """The test corp's API key is called "test"; an operator would have named it in Chinese."""
    async with db.unit_of_work() as s:
        await s.execute(update(ApiKey).values(name="数据中台对接"))


async def test_every_page_reads_in_chinese(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client, db: Database
) -> None:
    seed(api, sandbox_url=sb.url)
    await _name_the_key(db)
    wait_for(
        lambda: api.get("/api/v1/broadcasts").json()["items"][0]["status"] == "submitted",
        timeout=60,
        what="the seeded broadcast to go out",
    )
    allowed = ALLOWED | _data_words(api)
    broadcast = api.get("/api/v1/broadcasts").json()["items"][0]["id"]
    task = api.get("/api/v1/tasks").json()["items"][0]["id"]

    # the login page, and what it says to a wrong password
    await tab.goto("/login")
    await tab.page.locator("#username").fill("admin")
    await tab.page.locator("#password").fill("not-the-password")
    await tab.page.locator("button[type=submit]").click()
    await expect(tab.page.locator(".ant-alert, .ant-message-notice").first).to_be_visible()
    found = {"/login": await _english(tab, allowed)}
    assert tab.errors and all("403" in e for e in tab.errors), tab.errors  # the refused sign-in
    tab.errors.clear()

    await tab.login("admin")
    for path in [*PAGES, f"/broadcasts/{broadcast}", f"/tasks/{task}"]:
        await tab.goto(path)
        await tab.page.get_by_test_id("user-menu").wait_for()
        await tab.page.wait_for_load_state("networkidle")
        found[path] = await _english(tab, allowed)
        # the tabs of a page (rule tags, settings' users and audit log, ...) or of its drawer
        drawer = tab.page.locator(".ant-drawer-open")
        scope = drawer if await drawer.count() else tab.page
        for name in await scope.get_by_role("tab").all_inner_texts():
            await scope.get_by_role("tab", name=name, exact=True).click()
            await tab.page.wait_for_load_state("networkidle")
            found[f"{path} › {name}"] = await _english(tab, allowed)
    await tab.done()
    left = {page: words for page, words in found.items() if words}
    assert not left, left
