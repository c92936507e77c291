"""The sliding session: a cookie re-signed while authenticating a request (see
:func:`siyu.accounts.auth.from_cookie`) goes out on that request's response."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from siyu.accounts import sessions


class SessionCookieMiddleware:
    """Adds the re-signed session and CSRF cookies to a response that sets none itself (sign-in,
    password change and sign-out set their own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def renew(message: Message) -> None:
            if message["type"] == "http.response.start":
                renewed = (scope.get("state") or {}).get("session_renewed")
                headers = MutableHeaders(scope=message)
                own = any(
                    v.startswith(f"{sessions.SESSION_COOKIE}=")
                    for v in headers.getlist("set-cookie")
                )
                if renewed is not None and not own:
                    value, csrf, started = renewed
                    settings = scope["app"].state.settings
                    carrier = Response()
                    sessions.set_cookies(
                        carrier,
                        value,
                        csrf,
                        max_age=sessions.cookie_age(settings.session_idle_minutes * 60, started),
                        secure=settings.base_url.startswith("https://"),
                    )
                    for cookie in carrier.headers.getlist("set-cookie"):
                        headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, renew)
