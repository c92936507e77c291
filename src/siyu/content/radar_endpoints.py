"""Public radar routes (no sign-in): ``/r/{token}`` (open), ``/r/{token}/who`` (OAuth return),
``/r/{token}/read`` (read-time beats), ``/r/{token}/file`` (the item's file)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from siyu.accounts.endpoints import authorize_url
from siyu.acquisition.tasks import send_app_message
from siyu.content import media, opens, page
from siyu.content.opens import Opened
from siyu.content.radar import sign_open
from siyu.content.schemas import ReadBeat
from siyu.corps import service as corps
from siyu.corps.deps import SessionDep, SettingsDep, public_url
from siyu.messaging import outbox

public = APIRouter(include_in_schema=False)


def _target(opened: Opened, token: str, secret: str) -> Response:
    """Redirect to the link, or render the hosted page with its read-time beacon."""
    item = opened.item
    if item.kind in ("link", "miniprogram", "video") and item.url:
        return RedirectResponse(item.url, status_code=302)
    html = page.render(
        item,
        beat_url=f"/r/{token}/read",
        ref=sign_open(opened.open.id, secret_key=secret),
        file_url=f"/r/{token}/file" if item.file_id is not None else None,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@public.get("/r/{token}")
async def open_link(
    request: Request, session: SessionDep, settings: SettingsDep, token: str
) -> Response:
    """Record the open; an opener the link does not name goes through OAuth first."""
    secret = settings.secret_key.get_secret_value()
    opened = await opens.record_open(
        session, token, secret_key=secret, user_agent=request.headers.get("user-agent", "")
    )
    if opened.message_id is not None:
        outbox.enqueue(session, send_app_message, opened.item.corp_id, opened.message_id)
        return _target(opened, token, secret)
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
    claim_corp = await opens.corp_of(session, token, secret_key=secret)
    transport = getattr(request.app.state, "wecom_transport", None)
    async with corps.wecom_client(claim_corp, secret_key=secret, transport=transport) as client:
        opened = await opens.identify_opener(
            session, token, state=state, code=code, client=client, secret_key=secret
        )
    if opened.message_id is not None:
        outbox.enqueue(session, send_app_message, opened.item.corp_id, opened.message_id)
    return _target(opened, token, secret)


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
    item = await opens.item_of(session, token, secret_key=settings.secret_key.get_secret_value())
    f = await media.file_of(session, item)
    return Response(
        f.content,
        media_type=f.content_type,
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{_quote(f.filename)}"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
