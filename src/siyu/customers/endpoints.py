"""Customer routes: list, count, export, detail, remark."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from siyu.core import export
from siyu.core.bounds import Id
from siyu.core.pagination import Page
from siyu.corps.deps import PrincipalDep, SessionDep, WeComDep
from siyu.customers import service
from siyu.customers.schemas import (
    EXPORT_HEADERS,
    CustomerDetail,
    CustomerFilter,
    CustomerOut,
    RemarkIn,
    Sort,
    export_row,
)

router = APIRouter(prefix="/customers", tags=["customers"])


FilterDep = Annotated[CustomerFilter, Query()]


@router.get("", response_model=Page[CustomerOut])
async def list_customers(
    session: SessionDep,
    principal: PrincipalDep,
    f: FilterDep,
    sort: Sort = "-added_at",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[CustomerOut]:
    items, next_cursor = await service.list_page(
        session,
        principal.corp_id,
        filters=f,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=principal.visible_userids,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/count")
async def count_customers(
    session: SessionDep, principal: PrincipalDep, f: FilterDep
) -> dict[str, int]:
    n = await service.count(
        session, principal.corp_id, filters=f, visible=principal.visible_userids
    )
    return {"count": n}


@router.get("/export", response_class=Response)
async def export_customers(
    session: SessionDep,
    principal: PrincipalDep,
    f: FilterDep,
    format: str = "xlsx",
    sort: Sort = "-added_at",
) -> Response:
    fmt = export.check_format(format)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for c in service.iter_all(
            session, principal.corp_id, filters=f, sort=sort, visible=principal.visible_userids
        ):
            yield export_row(c)

    data = await export.render(
        fmt, EXPORT_HEADERS, rows(), sheet="customers", tz=principal.corp.timezone
    )
    return Response(
        data,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="customers.{fmt}"'},
    )


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
