"""WeCom's JS-SDK, simulated: the two jsapi tickets, signature checks and the stand-in ``ww``.

- ``GET /cgi-bin/get_jsapi_ticket`` (the corp's ticket) and ``GET /cgi-bin/ticket/get?type=
  agent_config`` (the app's ticket) answer ``{ticket, expires_in}`` like WeCom (document/path/
  96909): the same ticket while it is valid (7,200 s on the sandbox clock), a new one after.
  ``ticket/get`` without ``type=agent_config`` is refused (40058), and so is any
  ``ticket/get`` after ``PUT /sandbox/config {"secret_of_app": false}`` (48001: the secret is
  no app's, like the 客户联系 secret); WeCom's exact errcodes for both are not documented.
- ``PUT /sandbox/faults {"rotate_jsapi_tickets": true}`` replaces both tickets at once, as if
  they had expired early: a server still holding the old ones signs wrong (the browser tests'
  wrong-signature case).
- ``GET /sandbox/jssdk/ww.js`` is the stand-in for ``@wecom/jssdk`` (``window.ww``):
  ``register`` asks the page's ``getConfigSignature`` / ``getAgentConfigSignature`` for
  signatures and has them checked here, as WeCom's client has them checked by WeCom's server
  (``POST /sandbox/jssdk/verify``). Every API fails with ``<api>:fail no permission`` until a
  register succeeded; then ``getCurExternalContact`` / ``getCurExternalChat`` answer from the
  page's ``?external_userid=`` / ``?chat_id=``, ``sendChatMessage`` records into
  ``window.__siyuSent`` and the share APIs into ``window.__siyuShared``.
"""

from __future__ import annotations

import json
import weakref
from importlib import resources
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from siyu.wecom.jssdk import sign
from siyu.wecom.sandbox.api import INVALID, route
from siyu.wecom.sandbox.world import ApiError, World

if TYPE_CHECKING:
    from siyu.wecom.sandbox.server import Sandbox

TICKET_TTL = 7200
KINDS = ("jsapi", "agent_config")
router = APIRouter(prefix="/sandbox/jssdk", include_in_schema=False)
#: world -> kind -> (ticket, expires at)
_tickets: weakref.WeakKeyDictionary[World, dict[str, tuple[str, float]]] = (
    weakref.WeakKeyDictionary()
)
#: worlds whose secret is no app's (``PUT /sandbox/config {"secret_of_app": false}``)
_no_app: weakref.WeakSet[World] = weakref.WeakSet()
#: the sandbox's answer to ``ticket/get`` with a secret of no app (WeCom's errcode for this
#: case is not documented)
NO_APP = (48001, "api unauthorized: the access token belongs to no app (agent)")


def set_secret_of_app(world: World, yes: bool) -> None:
    if yes:
        _no_app.discard(world)
    else:
        _no_app.add(world)


def current_ticket(world: World, kind: str) -> str | None:
    """The valid ticket of ``kind``, if one was issued (world lock held by the caller)."""
    held = _tickets.get(world, {}).get(kind)
    if held is None or held[1] <= world.now():
        return None
    return held[0]


def _issue(world: World, kind: str) -> dict[str, Any]:
    tickets = _tickets.setdefault(world, {})
    held = tickets.get(kind)
    if held is None or held[1] <= world.now():
        held = (world.new_id("", 64) + "-" + world.new_id("", 22), world.now() + TICKET_TTL)
        tickets[kind] = held
    return {"ticket": held[0], "expires_in": max(1, int(held[1] - world.now()))}


def rotate(world: World) -> None:
    """Both tickets are replaced by new ones (world lock held by the caller)."""
    _tickets.setdefault(world, {}).clear()
    for kind in KINDS:
        _issue(world, kind)


@route("get_jsapi_ticket", "GET")
def get_jsapi_ticket(world: World, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return _issue(world, "jsapi")


@route("ticket/get", "GET")
def get_agent_ticket(world: World, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    if query.get("type") != "agent_config":
        raise ApiError(INVALID, "invalid type: only type=agent_config is supported")
    if world in _no_app:
        raise ApiError(*NO_APP)
    return _issue(world, "agent_config")


def verify(world: World, check: dict[str, Any]) -> tuple[int, str]:
    """Check one ``config`` / ``agentConfig`` as WeCom's server would: ``(errcode, errMsg)``."""
    api = "agentConfig" if check.get("api") == "agentConfig" else "config"
    if str(check.get("corpid") or "") != world.corp_id:
        return 40013, f"{api}:fail invalid corpid"
    if api == "agentConfig" and str(check.get("agentid") or "") != str(world.agent_id):
        return 40056, f"{api}:fail invalid agentid"
    for field in ("timestamp", "nonceStr", "signature", "url"):
        if not str(check.get(field) or ""):
            return 40063, f"{api}:fail {field} is empty"
    ticket = current_ticket(world, "agent_config" if api == "agentConfig" else "jsapi")
    if ticket is None:
        return 42012, f"{api}:fail jsapi_ticket not available"
    expected = sign(ticket, str(check["nonceStr"]), str(check["timestamp"]), str(check["url"]))
    if expected != str(check["signature"]):
        return 40093, f"{api}:fail invalid signature"
    return 0, f"{api}:ok"


_CORS = {"Access-Control-Allow-Origin": "*"}


@router.post("/verify")
async def verify_route(request: Request) -> JSONResponse:
    """The stand-in's check of a signature (a text/plain JSON body: no CORS preflight)."""
    sandbox: Sandbox = request.app.state.sandbox
    try:
        check = json.loads(await request.body())
    except ValueError:
        check = None
    if not isinstance(check, dict):
        return JSONResponse({"errCode": 40063, "errMsg": "config:fail bad request"}, headers=_CORS)
    with sandbox.world.lock:
        code, msg = verify(sandbox.world, check)
    return JSONResponse({"errCode": code, "errMsg": msg}, headers=_CORS)


@router.get("/ww.js")
def stand_in_script() -> Response:
    script = resources.files("siyu.wecom.sandbox").joinpath("ww.js").read_text("utf-8")
    return Response(
        script,
        media_type="application/javascript",
        headers={"Cache-Control": "no-store", **_CORS},
    )
