"""Browser tests: Siyu and the WeCom sandbox on 127.0.0.1, Debian's Chromium driven by Playwright.

Playwright's async API keeps the tests on the same event loop as the async fixtures; the
``browser_type_launch_args`` fixture (pytest-playwright's name) points Playwright at
``/usr/bin/chromium`` with the flags this machine needs (never ``playwright install``).
Each test saves a screenshot under ``test-artifacts/`` and fails on any console error or
uncaught page error.
"""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from siyu.core.settings import get_settings
from tests.accounts.conftest import PASSWORD, Team, sync_corp
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import CorpHandle, Sandbox, Siyu, need

ARTIFACTS = Path("test-artifacts")
ARTIFACTS.mkdir(exist_ok=True)
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        need("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    return {"executable_path": path, "args": FLAGS, "headless": True}


@pytest.fixture(scope="session")
def console_built() -> None:
    if not (get_settings().console_dir / "index.html").is_file():
        need("the console is not built (make console)")


@pytest.fixture
async def browser(browser_type_launch_args: dict[str, Any]) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(**browser_type_launch_args)
        try:
            yield b
        finally:
            await b.close()


@dataclass
class Tab:
    """A page with the errors it logged; ``done()`` screenshots it and checks there were none."""

    page: Page
    base: str
    name: str
    errors: list[str] = field(default_factory=list)

    async def goto(self, path: str) -> None:
        await self.page.goto(self.base + path)

    async def login(self, username: str, password: str = PASSWORD, *, here: bool = False) -> None:
        if not here:
            await self.goto("/login")
        await self.page.locator("#username").fill(username)
        await self.page.locator("#password").fill(password)
        await self.page.locator("button[type=submit]").click()
        await self.page.get_by_test_id("user-menu").wait_for()

    async def done(self) -> None:
        await self.page.screenshot(path=str(ARTIFACTS / f"{self.name}.png"), full_page=True)
        assert not self.errors, f"browser errors: {self.errors}"


@pytest.fixture
def browser_tz() -> str | None:
    """The browser's time zone (None: the machine's); parametrize it to put the browser elsewhere."""
    return None


@pytest.fixture
async def tab(
    browser: Browser,
    console_built: None,
    siyu: Siyu,
    request: pytest.FixtureRequest,
    browser_tz: str | None,
) -> AsyncIterator[Tab]:
    context = await browser.new_context(
        locale="zh-CN", viewport={"width": 1360, "height": 900}, timezone_id=browser_tz
    )
    # no internet here: customers' avatars (wx.qlogo.cn) get a blank image instead
    await context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1[:/])"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=PIXEL),
    )
    page = await context.new_page()
    page.set_default_timeout(20_000)
    name = re.sub(r"[^\w-]+", "_", request.node.name)
    t = Tab(page, siyu.url, name)
    page.on("console", lambda m: t.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: t.errors.append(f"page error: {e}"))
    try:
        yield t
    finally:
        await context.close()


@pytest.fixture
async def live(siyu: Siyu, sb: Sandbox, corp: CorpHandle, team: Team) -> Team:
    """A synced corp with users per role, whose sandbox delivers callbacks to this Siyu."""
    sb.put("/sandbox/config", {"callback_url": f"{siyu.url}/wecom/callback/{corp.wecom_corp_id}"})
    return team


__all__ = ["Tab", "sync_corp"]
