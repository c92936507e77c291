"""WeCom sign-in, simulated: web login / OAuth pages and ``auth/getuserinfo``.

- ``GET /connect/oauth2/authorize`` and ``GET /wwlogin/sso/login`` (``appid``, ``redirect_uri``,
  ``state``) show a page listing the corp's members; picking one redirects to ``redirect_uri``
  with ``code`` and ``state``, as WeCom does after the member confirms (or scans the QR code).
- ``POST /sandbox/oauth/code`` ``{"userid": ...}`` issues a code directly (tests, scripts).
- ``GET /cgi-bin/auth/getuserinfo?access_token=&code=`` exchanges a code (single use, 5
  minutes) for ``{"errcode": 0, "userid": ...}``; an unknown or used code gives 40029.

WeChat users (customers opening a page, e.g. a radar link): the same page also lists some
customers and a stranger; picking one redirects with a code whose ``getuserinfo`` answers
``{"openid": ..., "external_userid": ...}`` as WeCom does for a non-member (``external_userid``
only while the person is a customer of the corp, i.e. still followed by someone).
``POST /sandbox/oauth/visitor_code`` ``{"external_userid": ...}`` (or ``{}`` for a stranger)
issues such a code directly.
"""

from __future__ import annotations

import hashlib
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
#: code -> (openid, external_userid or "", issued at)
_visitors: weakref.WeakKeyDictionary[World, dict[str, tuple[str, str, float]]] = (
    weakref.WeakKeyDictionary()
)
VISITORS_SHOWN = 20


def openid_of(world: World, key: str) -> str:
    """A stable WeChat openid per person (strangers get a fresh one)."""
    return "o" + hashlib.sha256(f"{world.corp_id}:{key}".encode()).hexdigest()[:27]


def issue_visitor_code(world: World, external_userid: str = "") -> str:
    """A one-time code for a WeChat user: a customer, or a stranger when empty."""
    if external_userid:
        world.customer(external_userid)
    key = external_userid or secrets.token_hex(8)
    code = secrets.token_urlsafe(16)
    _visitors.setdefault(world, {})[code] = (openid_of(world, key), external_userid, world.now())
    return code


def issue_code(world: World, userid: str) -> str:
    """A one-time code for ``userid`` (world lock held by the caller)."""
    world.employee(userid)
    code = secrets.token_urlsafe(16)
    _codes.setdefault(world, {})[code] = (userid, world.now())
    return code


@route("auth/getuserinfo", "GET")
def getuserinfo(world: World, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    visitor = _visitors.get(world, {}).pop(query.get("code", ""), None)
    if visitor is not None and world.now() - visitor[2] <= CODE_TTL:
        openid, ext, _ = visitor
        reply: dict[str, Any] = {"openid": openid, "expires_in": CODE_TTL}
        cust = world.customers.get(ext) if ext else None
        if cust is not None and cust.follows:  # still somebody's customer
            reply["external_userid"] = ext
        return reply
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
<p>选择要登录的成员 (Choose the member who signs in):</p>{items}
<h3>以微信用户身份打开 (Open as a WeChat user)</h3>{visitors}</body></html>"""
VISITOR = (
    '<a data-external-userid="{e}" href="/sandbox/oauth/approve_visitor?{q}">{n} '
    "<small>{label}</small></a>"
)


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
        shown = sorted(world.customers.values(), key=lambda c: c.external_userid)
        people = [(c.external_userid, c.name) for c in shown if c.follows][:VISITORS_SHOWN]
        visitors = "".join(
            VISITOR.format(
                e=html.escape(ext),
                n=html.escape(name or "微信用户"),
                label=html.escape(ext) if ext else "未添加企业微信的微信用户 (a stranger)",
                q=html.escape(
                    urlencode(
                        {"external_userid": ext, "redirect_uri": redirect_uri, "state": state}
                    )
                ),
            )
            for ext, name in [*people, ("", "陌生人")]
        )
    return HTMLResponse(PAGE.format(items=items, visitors=visitors))


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


@router.get("/sandbox/oauth/approve_visitor")
async def approve_visitor(
    request: Request, redirect_uri: str, external_userid: str = "", state: str = ""
) -> Any:
    world = _sb(request).world
    try:
        with world.lock:
            code = issue_visitor_code(world, external_userid)
    except ApiError as exc:
        raise HTTPException(404, exc.errmsg) from exc
    sep = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{sep}{urlencode({'code': code, 'state': state})}", 302)


class VisitorIn(BaseModel):
    external_userid: str = ""


@router.post("/sandbox/oauth/visitor_code")
async def visitor_code(request: Request, body: VisitorIn) -> dict[str, str]:
    world = _sb(request).world
    try:
        with world.lock:
            return {"code": issue_visitor_code(world, body.external_userid)}
    except ApiError as exc:
        raise HTTPException(404, exc.errmsg) from exc


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
