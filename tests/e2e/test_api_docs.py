"""/api/docs on an intranet: Swagger UI comes from Siyu itself, not from a CDN."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Route

from tests.conftest import Siyu
from tests.e2e.conftest import ARTIFACTS


async def test_swagger_ui_renders_with_every_other_host_blocked(
    browser: Browser, siyu: Siyu
) -> None:
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    elsewhere: list[str] = []

    async def block(route: Route) -> None:
        elsewhere.append(route.request.url)
        await route.abort()

    await context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])"), block)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        await page.goto(f"{siyu.url}/api/docs")
        await page.locator(".swagger-ui .info .title").get_by_text("Siyu 私域 SCRM").wait_for()
        customers = page.locator(
            ".opblock-summary-path", has_text=re.compile(r"^/api/v1/customers$")
        )
        await customers.first.wait_for()
        assert await page.locator(".opblock").count() > 100
        # an operation opens with its parameters, as an integrator would try it
        await customers.first.click()
        await page.locator(".opblock.is-open .parameters").get_by_text("tags_any").first.wait_for()
        await page.screenshot(path=str(ARTIFACTS / "api_docs.png"))
        assert not elsewhere, f"requests to other hosts: {elsewhere}"
        assert not errors, errors
    finally:
        await context.close()
