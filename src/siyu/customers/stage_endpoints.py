"""Routes of customer stages: the corp's stage list and a customer's stage (thin)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Response
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.bounds import Id
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep, WeComDep
from siyu.customers import service
from siyu.customers.schemas import CustomerDetail
from siyu.customers.stage_models import CustomerStage
from siyu.customers.stage_schemas import (
    CustomerStageIn,
    CustomerStageOut,
    CustomerStagePatch,
    SetStageIn,
    StageOrderIn,
)
from siyu.customers.stages import (
    counts,
    create_stage,
    delete_stage,
    list_stages,
    reorder,
    set_stage,
    update_stage,
)

router = APIRouter(prefix="/customer-stages", tags=["customers"])
customer_router = APIRouter(prefix="/customers", tags=["customers"])


async def _out(
    session: AsyncSession, corp_id: int, stages: Sequence[CustomerStage]
) -> list[CustomerStageOut]:
    n = await counts(session, corp_id)
    out = []
    for s in stages:
        item = CustomerStageOut.model_validate(s)
        item.customers = n.get(s.id, 0)
        out.append(item)
    return out


@router.get("", response_model=list[CustomerStageOut])
async def get_stages(session: SessionDep, principal: PrincipalDep) -> list[CustomerStageOut]:
    """The corp's stages in order (every role: the drawer's stage picker needs them)."""
    return await _out(session, principal.corp_id, await list_stages(session, principal.corp_id))


@router.post("", response_model=CustomerStageOut, status_code=201)
async def post_stage(session: SessionDep, corp: CorpDep, body: CustomerStageIn) -> CustomerStageOut:
    return (await _out(session, corp.id, [await create_stage(session, corp.id, body)]))[0]


@router.put("/order", response_model=list[CustomerStageOut])
async def put_order(
    session: SessionDep, corp: CorpDep, body: StageOrderIn
) -> list[CustomerStageOut]:
    return await _out(session, corp.id, await reorder(session, corp.id, body.ids))


@router.patch("/{stage_id}", response_model=CustomerStageOut)
async def patch_stage(
    session: SessionDep, corp: CorpDep, stage_id: Id, body: CustomerStagePatch
) -> CustomerStageOut:
    return (await _out(session, corp.id, [await update_stage(session, corp.id, stage_id, body)]))[0]


@router.delete("/{stage_id}", status_code=204)
async def remove_stage(session: SessionDep, corp: CorpDep, stage_id: Id) -> Response:
    await delete_stage(session, corp.id, stage_id)
    return Response(status_code=204)


@customer_router.put("/{customer_id}/stage", response_model=CustomerDetail)
async def put_customer_stage(
    session: SessionDep,
    principal: PrincipalDep,
    client: WeComDep,
    customer_id: Id,
    body: SetStageIn,
) -> CustomerDetail:
    """Move the customer to a stage (any role, within its data scope)."""
    await set_stage(
        session,
        principal.corp_id,
        customer_id,
        client,
        stage_id=body.stage_id,
        note=body.note,
        by=principal.name,
        userid=principal.userid,
        visible=principal.visible_userids,
    )
    return await service.detail(
        session, principal.corp_id, customer_id, visible=principal.visible_userids
    )
