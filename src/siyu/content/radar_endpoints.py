"""Public radar routes (no sign-in): ``/r/{token}`` (open), ``/r/{token}/who`` (OAuth return),
``/r/{token}/read`` (read-time beats), ``/r/{token}/file`` (the item's file)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from siyu.accounts.endpoints import authorize_url
from siyu.acquisition.tasks import send_app_message
from siyu.content import media, opens, page
from siyu.content.opens import Opened
from siyu.content.radar import sign_open
from siyu.content.schemas import ReadBeat
from siyu.content.serve import file_response
from siyu.core.errors import Forbidden, Gone, NotFound, SiyuError
from siyu.core.ratelimit import RateLimiter
from siyu.corps import service as corps
from siyu.corps.deps import SessionDep, SettingsDep, public_url
from siyu.messaging import outbox

#: per client IP on the public radar routes: a burst of 60, then one a second (a reader's
#: page beats every 5 s); more answers 429
RATE_BURST, RATE_PER_SECOND = 60, 1.0


def _rate_limited(request: Request) -> None:
    limiter = getattr(request.app.state, "radar_limiter", None)
    if limiter is None:
        limiter = request.app.state.radar_limiter = RateLimiter(RATE_BURST, RATE_PER_SECOND)
    ip = request.client.host if request.client else ""
    if not limiter.allow(ip):
        raise HTTPException(429, "too many requests; try again in a minute")


public = APIRouter(include_in_schema=False, dependencies=[Depends(_rate_limited)])
#: a reader's browser gets a short Chinese page, not JSON, when a link cannot be opened
PAGE_STATUS = {Gone: 410, NotFound: 404, Forbidden: 403}


def _notice(exc: SiyuError) -> HTMLResponse:
    status = next((code for cls, code in PAGE_STATUS.items() if isinstance(exc, cls)), 403)
    return HTMLResponse(
        page.notice(status), status_code=status, headers={"Cache-Control": "no-store"}
    )


def _target(opened: Opened, token: str, secret: str, media_url: str = "") -> Response:
    """Redirect to the link, or render the hosted page with its read-time beacon. The file
    comes from ``SIYU_MEDIA_URL`` when set (a separate origin for uploaded bytes)."""
    item = opened.item
    if item.kind in ("link", "miniprogram", "video") and item.url:
        return RedirectResponse(item.url, status_code=302)
    nonce = secrets.token_urlsafe(18)
    html = page.render(
        item,
        nonce=nonce,
        beat_url=f"/r/{token}/read",
        ref=sign_open(opened.open.id, secret_key=secret),
        file_url=f"{media_url.rstrip('/')}/r/{token}/file" if item.file_id is not None else None,
    )
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": page.csp(nonce, media_url)}
    return HTMLResponse(html, headers=headers)


@public.get("/r/{token}")
async def open_link(
    request: Request, session: SessionDep, settings: SettingsDep, token: str
) -> Response:
    """Record the open; an opener the link does not name goes through OAuth first."""
    secret = settings.secret_key.get_secret_value()
    try:
        user_agent = request.headers.get("user-agent", "")
        ip = request.client.host if request.client else ""
        opened = await opens.record_open(
            session,
            token,
            secret_key=secret,
            user_agent=user_agent,
            client=opens.client_key(ip, user_agent),
        )
    except (Gone, NotFound, Forbidden) as exc:
        return _notice(exc)
    if opened.message_id is not None:
        outbox.enqueue(session, send_app_message, opened.item.corp_id, opened.message_id)
    if not opened.oauth:
        return _target(opened, token, secret, settings.media_url)
    corp = await corps.get(session, opened.item.corp_id)
    return RedirectResponse(
        authorize_url(
            corp.api_base,
            corp_id=corp.wecom_corp_id,
            agent_id=corp.agent_id,
            redirect=public_url(request, "radar_who", token=token),
            state=sign_open(opened.open.id, secret_key=secret),
        ),
        302,
    )


@public.get("/r/{token}/who", name="radar_who")
async def oauth_return(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    state: str = "",
    code: str = "",
) -> Response:
    """WeCom sends the opener back here with ``code``: identify them, then show the content."""
    secret = settings.secret_key.get_secret_value()
    try:
        claim_corp = await opens.corp_of(session, token, secret_key=secret)
        transport = getattr(request.app.state, "wecom_transport", None)
        async with corps.wecom_client(claim_corp, secret_key=secret, transport=transport) as client:
            opened = await opens.identify_opener(
                session, token, state=state, code=code, client=client, secret_key=secret
            )
    except (Gone, NotFound, Forbidden) as exc:
        return _notice(exc)
    if opened.message_id is not None:
        outbox.enqueue(session, send_app_message, opened.item.corp_id, opened.message_id)
    return _target(opened, token, secret, settings.media_url)


@public.post("/r/{token}/read", status_code=204)
async def read(session: SessionDep, settings: SettingsDep, token: str, body: ReadBeat) -> None:
    """The article page's heartbeat (seconds visible so far)."""
    await opens.read_beat(
        session,
        token,
        ref=body.o,
        seconds=body.seconds,
        secret_key=settings.secret_key.get_secret_value(),
    )


@public.get("/r/{token}/file")
async def file(session: SessionDep, settings: SettingsDep, token: str) -> Response:
    try:
        item = await opens.item_of(
            session, token, secret_key=settings.secret_key.get_secret_value()
        )
        return file_response(await media.file_of(session, item))
    except (Gone, NotFound, Forbidden) as exc:
        return _notice(exc)
