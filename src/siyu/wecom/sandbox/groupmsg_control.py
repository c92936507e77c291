"""Sandbox control API for corp mass messages (see ``README.md``, "Mass messages").

Settings (auto-confirm, the per-customer cap rule), the messages, scripted employee actions
(confirm, partly send, ignore) and the inspection of how often each customer was targeted.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

import siyu.wecom.sandbox.groupmsg as groupmsg
import siyu.wecom.sandbox.moment  # noqa: F401  (registers the moment API handlers)
from siyu.wecom.sandbox.control import _acting, _sb

router = APIRouter(tags=["sandbox"])
CapRule = Literal["off", "month4", "days_of_month", "week7", "day1"]


class GroupMsgConfig(BaseModel):
    auto_confirm: bool | None = None
    cap_rule: CapRule | None = None
    #: answer add_msg_template this long AFTER the message was created (crash tests)
    reply_delay_ms: int | None = Field(default=None, ge=0)


class EmployeeAction(BaseModel):
    action: Literal["confirm", "ignore", "partly"] = "confirm"
    #: for ``partly``: the customers the employee sends to (the rest stay unsent)
    external_userids: list[str] = []


def _config(state: groupmsg.GroupMsgState) -> dict[str, Any]:
    return {
        "auto_confirm": state.auto_confirm,
        "cap_rule": state.cap_rule,
        "reply_delay_ms": state.reply_delay_ms,
    }


@router.post("/cgi-bin/externalcontact/add_msg_template", include_in_schema=False)
async def add_msg_template(request: Request) -> Response:
    """The generic handler, then the optional reply delay (the message exists meanwhile)."""
    from siyu.wecom.sandbox.app import wecom_api

    response = await wecom_api("externalcontact/add_msg_template", request)
    sb = _sb(request)
    with sb.world.lock:
        delay = groupmsg.gm(sb.world).reply_delay_ms
    if delay:
        await asyncio.sleep(delay / 1000)
    return response


@router.get("/sandbox/groupmsg/config")
def get_config(request: Request) -> dict[str, Any]:
    sb = _sb(request)
    with sb.world.lock:
        return _config(groupmsg.gm(sb.world))


@router.put("/sandbox/groupmsg/config")
def put_config(body: GroupMsgConfig, request: Request) -> dict[str, Any]:
    sb = _sb(request)
    with sb.world.lock:
        state = groupmsg.gm(sb.world)
        if body.auto_confirm is not None:
            state.auto_confirm = body.auto_confirm
        if body.cap_rule is not None:
            state.cap_rule = body.cap_rule
        if body.reply_delay_ms is not None:
            state.reply_delay_ms = body.reply_delay_ms
        return _config(state)


@router.get("/sandbox/groupmsg/messages")
def messages(request: Request, sender: str | None = None) -> list[dict[str, Any]]:
    sb = _sb(request)
    with sb.world.lock:
        return [
            groupmsg.message_json(m)
            for m in groupmsg.gm(sb.world).messages.values()
            if sender is None or m.sender == sender
        ]


@router.post("/sandbox/groupmsg/messages/{msgid}/employee")
def employee_action(msgid: str, body: EmployeeAction, request: Request) -> dict[str, Any]:
    """The sender confirms (sends to all), partly sends, or ignores the message."""
    sb = _sb(request)
    with _acting(sb):
        msg = groupmsg.gm(sb.world).messages.get(msgid)
        if msg is None:
            raise HTTPException(404, f"no message {msgid}")
        if body.action == "ignore":
            return {"counts": {}, "message": groupmsg.message_json(msg)}
        only = body.external_userids if body.action == "partly" else None
        counts = groupmsg.employee_send(sb.world, msg, only)
        return {"counts": counts, "message": groupmsg.message_json(msg)}


@router.post("/sandbox/groupmsg/confirm_all")
def confirm_all(request: Request) -> dict[str, int]:
    """Every sender confirms every pending, not cancelled message."""
    sb = _sb(request)
    total: dict[str, int] = {}
    with _acting(sb):
        for msg in groupmsg.gm(sb.world).messages.values():
            if msg.cancelled or msg.task_status == 2:
                continue
            for key, n in groupmsg.employee_send(sb.world, msg).items():
                total[key] = total.get(key, 0) + n
    return total


@router.get("/sandbox/groupmsg/targets")
def targets(request: Request, full: bool = False) -> dict[str, Any]:
    """How many times each customer was targeted by an accepted add_msg_template."""
    sb = _sb(request)
    with sb.world.lock:
        state = groupmsg.gm(sb.world)
        counted = dict(state.targeted)
        histogram: dict[str, int] = {}
        for n in counted.values():
            histogram[str(n)] = histogram.get(str(n), 0) + 1
        out: dict[str, Any] = {
            "messages": len(state.messages),
            "customers": len(counted),
            "histogram": histogram,
            "duplicates": sorted(e for e, n in counted.items() if n > 1)[:100],
        }
        if full:
            out["targets"] = counted
        return out


class BulkCustomers(BaseModel):
    per_employee: int = Field(ge=1, le=100_000)
    prefix: str = Field(default="wmbulk", min_length=1, max_length=20)


@router.post("/sandbox/groupmsg/bulk_customers")
def bulk_customers(body: BulkCustomers, request: Request) -> dict[str, int]:
    """Benchmarks: give every employee (in userid order) ``per_employee`` new customers
    ``{prefix}{employee index:04d}{n:06d}``, without callbacks."""
    from siyu.wecom.sandbox.world import Customer, Follow

    sb = _sb(request)
    world = sb.world
    added = 0
    with world.lock:
        now = int(world.now())
        for i, userid in enumerate(sorted(world.employees)):
            for n in range(body.per_employee):
                ext = f"{body.prefix}{i:04d}{n:06d}"
                cust = Customer(external_userid=ext, name=f"客户{i}-{n}")
                world.customers[ext] = cust
                world.add_follow(cust, Follow(userid=userid, createtime=now))
                added += 1
    return {"added": added}


@router.get("/sandbox/moments")
def moment_tasks(request: Request) -> list[dict[str, Any]]:
    """Every moment task (jobid, moment_id, text, senders, visible tags, invalid ones)."""
    from siyu.wecom.sandbox import moment

    sb = _sb(request)
    with sb.world.lock:
        return [moment.task_json(t) for t in moment.moments(sb.world).tasks.values()]
