"""A customer's routes: detail, remark. The list, its count and export are answered by the
segment engine: ``siyu.segments.customer_list_endpoints``."""

from __future__ import annotations

from fastapi import APIRouter

from siyu.core.bounds import Id
from siyu.corps.deps import PrincipalDep, SessionDep, WeComDep
from siyu.customers import service
from siyu.customers.schemas import CustomerDetail, RemarkIn

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("/{customer_id}", response_model=CustomerDetail)
async def get_customer(
    session: SessionDep, principal: PrincipalDep, customer_id: Id
) -> CustomerDetail:
    return await service.detail(
        session, principal.corp_id, customer_id, visible=principal.visible_userids
    )


@router.put("/{customer_id}/remark", response_model=CustomerDetail)
async def set_remark(
    session: SessionDep, principal: PrincipalDep, client: WeComDep, customer_id: Id, body: RemarkIn
) -> CustomerDetail:
    return await service.set_remark(
        session,
        principal.corp_id,
        customer_id,
        client,
        userid=body.userid,
        remark=body.remark,
        description=body.description,
        visible=principal.visible_userids,
    )
