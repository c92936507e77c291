"""WeCom's HTTP surface at ``/cgi-bin/``: token checks, faults, stats, then the handlers."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from siyu.wecom.sandbox.api import HANDLERS
from siyu.wecom.sandbox.transfers import settle
from siyu.wecom.sandbox.world import ApiError

if TYPE_CHECKING:
    from siyu.wecom.sandbox.server import Sandbox

router = APIRouter(include_in_schema=False)


def _reply(errcode: int = 0, errmsg: str = "ok", **data: Any) -> JSONResponse:
    return JSONResponse({"errcode": errcode, "errmsg": errmsg, **data})


def _gettoken(sandbox: Sandbox, query: dict[str, str]) -> JSONResponse:
    world = sandbox.world
    if query.get("corpid") != world.corp_id:
        return _reply(40013, "invalid corpid")
    if query.get("corpsecret") != world.secret:
        return _reply(40001, "invalid credential: corpsecret")
    with world.lock:
        token = world.issue_token()
    return _reply(access_token=token, expires_in=world.token_ttl)


@router.api_route("/cgi-bin/{path:path}", methods=["GET", "POST"])
async def wecom_api(path: str, request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    path = path.strip("/")
    sandbox.faults.count(path)
    if sandbox.faults.latency:
        await asyncio.sleep(sandbox.faults.latency)
    fault = sandbox.faults.take()
    if fault is not None:
        status, errcode, errmsg = fault
        if status != 200:
            return PlainTextResponse(errmsg, status_code=status)
        return _reply(errcode, errmsg)
    query = dict(request.query_params)
    if path == "gettoken":
        return _gettoken(sandbox, query)
    entry = HANDLERS.get(path)
    if entry is None:
        return JSONResponse(
            {"errcode": 404, "errmsg": f"sandbox does not implement /cgi-bin/{path}"},
            status_code=404,
        )
    method, handler, needs_contact = entry
    body: dict[str, Any] = {}
    if request.method == "POST":
        raw = await request.body()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                return _reply(47001, "data format error: body is not JSON")
            if not isinstance(body, dict):
                return _reply(47001, "data format error: body is not a JSON object")
    world = sandbox.world
    try:
        with world.lock:
            settle(sandbox)  # takeovers due on the sandbox clock happen first
            world.check_token(query.get("access_token"))
            if request.method != method:
                code = 43001 if method == "GET" else 43003
                raise ApiError(code, f"require {method} method")
            if needs_contact and not world.contact_permission:
                raise ApiError(48002, "api forbidden: no customer contact permission")
            data = handler(world, query, body)
    except ApiError as exc:
        return _reply(exc.errcode, exc.errmsg)
    return _reply(**data)
