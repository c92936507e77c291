"""Sandbox control API for inheritance (see ``README.md``, "Inheritance").

An employee's departure, the transfer settings (refusal rate, successor cap, takeover delay),
the customer's refusal of a pending takeover, and an inspection of every transfer.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

import siyu.wecom.sandbox.transfers as transfers
from siyu.wecom.sandbox.control import _acting, _finish, _sb

router = APIRouter(prefix="/sandbox", tags=["sandbox"])


class TransferConfig(BaseModel):
    #: share of takeovers the customer refuses (status 3, transfer_fail customer_refused)
    refuse_rate: float | None = Field(default=None, ge=0, le=1)
    #: a successor holding this many customers takes no more (status 4)
    customer_cap: int | None = Field(default=None, ge=0)
    #: seconds between a transfer request and the automatic takeover (WeCom: 24 h)
    takeover_delay: int | None = Field(default=None, ge=0)
    seed: str | None = None


def _config(state: transfers.TransferState) -> dict[str, Any]:
    return {
        "refuse_rate": state.refuse_rate,
        "customer_cap": state.customer_cap,
        "takeover_delay": state.takeover_delay,
    }


@router.get("/transfers/config")
def get_config(request: Request) -> dict[str, Any]:
    sb = _sb(request)
    with sb.world.lock:
        return _config(transfers.ts(sb.world))


@router.put("/transfers/config")
def put_config(patch: TransferConfig, request: Request) -> dict[str, Any]:
    sb = _sb(request)
    with sb.world.lock:
        state = transfers.ts(sb.world)
        if patch.refuse_rate is not None:
            state.refuse_rate = patch.refuse_rate
        if patch.customer_cap is not None:
            state.customer_cap = patch.customer_cap
        if patch.takeover_delay is not None:
            state.takeover_delay = patch.takeover_delay
        if patch.seed is not None:
            state.rng.seed(patch.seed)
        return _config(state)


@router.post("/employees/{userid}/depart")
def depart(userid: str, request: Request, wait: bool = False) -> dict[str, Any]:
    """The employee leaves the corp: ``change_contact``/``delete_user``; their customers then
    appear in ``get_unassigned_list`` and their groups turn 离职待继承 (status 1)."""
    sb = _sb(request)
    with _acting(sb):
        result = transfers.depart(sb, userid)
    delivery = result.pop("_delivery")
    return _finish(sb, delivery, wait, **result)


class Refusal(BaseModel):
    external_userid: str


@router.post("/actors/transfer_refuse")
def refuse(body: Refusal, request: Request) -> dict[str, Any]:
    """The customer refuses the pending takeover: at its takeover time it ends with status 3
    and ``transfer_fail``/``customer_refused`` instead of moving."""
    sb = _sb(request)
    with sb.world.lock:
        pending = transfers._pending_for(transfers.ts(sb.world), body.external_userid)
        if pending is None:
            raise HTTPException(404, f"no pending transfer of {body.external_userid}")
        pending.refuse = True
        return {"external_userid": body.external_userid, "takeover": pending.takeover}


@router.get("/transfers")
def list_transfers(request: Request) -> list[dict[str, Any]]:
    """Every transfer the sandbox has seen, oldest first."""
    sb = _sb(request)
    with sb.world.lock:
        transfers.settle(sb)
        return [
            {
                "kind": t.kind,
                "external_userid": t.external_userid,
                "handover_userid": t.handover,
                "takeover_userid": t.takeover,
                "status": t.status,
                "takeover_time": int(t.takeover_time),
                "transfer_success_msg": t.success_msg,
            }
            for t in transfers.ts(sb.world).transfers
        ]
