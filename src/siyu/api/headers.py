"""Security headers on every response of the app (issue 14, point 9); a pure ASGI middleware
(no per-request task, unlike ``BaseHTTPMiddleware``: WeCom's callbacks are the hot path).

- The console (and everything else): a CSP that allows scripts from Siyu's origin only (and
  WeCom's JS-SDK hosts, for the sidebar), styles inline too (Ant Design injects its CSS-in-JS
  at run time), ``frame-ancestors 'self'`` plus ``SIYU_FRAME_ANCESTORS`` (WeCom opens the
  sidebar as a top-level page in its webview, so it needs no framing origin), ``nosniff``,
  ``Referrer-Policy: strict-origin-when-cross-origin``.
- Hosted radar pages (``/r/...``): the page sets its own CSP with a per-response nonce for its
  inline script and style (:func:`siyu.content.page.render`); redirects and notices get a
  script-less default. ``Referrer-Policy: no-referrer``: the token in the URL never leaves.
- Stored files keep their own ``sandbox`` CSP (:mod:`siyu.content.serve`).
- Swagger UI (``/api/docs``) has an inline bootstrap script of FastAPI's: its page allows
  inline scripts and nothing from other origins.
- ``Strict-Transport-Security`` when the request came over https (behind a proxy: Uvicorn
  takes ``X-Forwarded-Proto`` from 127.0.0.1, or from ``FORWARDED_ALLOW_IPS``) or
  ``SIYU_PUBLIC_URL`` is https.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from siyu.core.settings import WECOM_API, Settings

#: WeCom's JS-SDK (jweixin / jwxwork), for the sidebar inside WeCom
WECOM_SCRIPTS = "https://res.wx.qq.com https://open.work.weixin.qq.com https://wwcdn.weixin.qq.com"
HSTS = "max-age=31536000"


def console_csp(frame_ancestors: str, sandboxes: Iterable[str] = ()) -> str:
    """``sandboxes``: WeCom sandboxes the deployment allows (``SIYU_WECOM_API_BASES``); the
    sidebar loads a sandbox's stand-in JS-SDK from there and it checks signatures there."""
    extra = "".join(f" {s}" for s in sorted(sandboxes))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {WECOM_SCRIPTS}{extra}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob: https:",
            "font-src 'self' data:",
            f"connect-src 'self'{extra}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors 'self' {frame_ancestors}".strip(),
        )
    )


DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
)
#: a radar response that set no CSP of its own (a redirect, a notice page)
PAGE_DEFAULT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        sandboxes = settings.allowed_api_bases - {WECOM_API}
        self.console = console_csp(settings.frame_ancestors, sandboxes)
        self.https_site = settings.base_url.startswith("https://")

    def _headers(self, scope: Scope) -> Iterable[tuple[str, str]]:
        path: str = scope.get("path", "")
        hosted = path.startswith("/r/")
        if hosted:
            yield "Content-Security-Policy", PAGE_DEFAULT_CSP
        elif path.startswith("/api/docs"):
            yield "Content-Security-Policy", DOCS_CSP
        else:
            yield "Content-Security-Policy", self.console
        yield "X-Content-Type-Options", "nosniff"
        yield "Referrer-Policy", "no-referrer" if hosted else "strict-origin-when-cross-origin"
        if scope.get("scheme") == "https" or self.https_site:
            yield "Strict-Transport-Security", HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._headers(scope):
                    if name not in headers:  # a route's own (nonce, sandbox) wins
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
