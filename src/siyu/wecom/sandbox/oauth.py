"""WeCom sign-in, simulated: web login / OAuth pages and ``auth/getuserinfo``.

- ``GET /connect/oauth2/authorize`` and ``GET /wwlogin/sso/login`` (``appid``, ``redirect_uri``,
  ``state``) show a page listing the corp's members; picking one redirects to ``redirect_uri``
  with ``code`` and ``state``, as WeCom does after the member confirms (or scans the QR code).
- ``POST /sandbox/oauth/code`` ``{"userid": ...}`` issues a code directly (tests, scripts).
- ``GET /cgi-bin/auth/getuserinfo?access_token=&code=`` exchanges a code (single use, 5
  minutes) for ``{"errcode": 0, "userid": ...}``; an unknown or used code gives 40029.
"""

from __future__ import annotations

import html
import secrets
import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from siyu.wecom.sandbox.api import route
from siyu.wecom.sandbox.world import ApiError, World

if TYPE_CHECKING:
    from siyu.wecom.sandbox.server import Sandbox

CODE_TTL = 300
router = APIRouter(include_in_schema=False)
_codes: weakref.WeakKeyDictionary[World, dict[str, tuple[str, float]]] = weakref.WeakKeyDictionary()


def issue_code(world: World, userid: str) -> str:
    """A one-time code for ``userid`` (world lock held by the caller)."""
    world.employee(userid)
    code = secrets.token_urlsafe(16)
    _codes.setdefault(world, {})[code] = (userid, world.now())
    return code


@route("auth/getuserinfo", "GET")
def getuserinfo(world: World, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    found = _codes.get(world, {}).pop(query.get("code", ""), None)
    if found is None or world.now() - found[1] > CODE_TTL:
        raise ApiError(40029, "invalid code")
    return {"userid": found[0], "user_ticket": "", "expires_in": CODE_TTL}


def _sb(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


ITEM = '<a data-userid="{u}" href="/sandbox/oauth/approve?{q}">{n} <small>{u}</small></a>'
PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>企业微信登录 (沙箱)</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:480px;margin:24px auto;
padding:0 16px}}a{{display:block;padding:10px 12px;margin:6px 0;border:1px solid #d9d9d9;
border-radius:6px;color:#1f1f1f;text-decoration:none}}a:hover{{border-color:#07c160}}
small{{color:#888}}</style></head><body><h2>企业微信登录 · 沙箱</h2>
<p>选择要登录的成员 (Choose the member who signs in):</p>{items}</body></html>"""


@router.get("/connect/oauth2/authorize", response_class=HTMLResponse)
@router.get("/wwlogin/sso/login", response_class=HTMLResponse)
async def authorize(request: Request, redirect_uri: str, state: str = "") -> HTMLResponse:
    world = _sb(request).world
    with world.lock:
        members = sorted(world.employees.values(), key=lambda e: e.userid)
        items = "".join(
            ITEM.format(
                u=html.escape(e.userid),
                n=html.escape(e.name),
                q=html.escape(
                    urlencode({"userid": e.userid, "redirect_uri": redirect_uri, "state": state})
                ),
            )
            for e in members
        )
    return HTMLResponse(PAGE.format(items=items))


@router.get("/sandbox/oauth/approve")
async def approve(request: Request, userid: str, redirect_uri: str, state: str = "") -> Any:
    world = _sb(request).world
    try:
        with world.lock:
            code = issue_code(world, userid)
    except ApiError as exc:
        raise HTTPException(404, exc.errmsg) from exc
    sep = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{sep}{urlencode({'code': code, 'state': state})}", 302)


class CodeIn(BaseModel):
    userid: str


@router.post("/sandbox/oauth/code")
async def code_for(request: Request, body: CodeIn) -> dict[str, str]:
    world = _sb(request).world
    try:
        with world.lock:
            return {"code": issue_code(world, body.userid)}
    except ApiError as exc:
        raise HTTPException(404, exc.errmsg) from exc
