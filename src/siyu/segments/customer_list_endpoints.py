"""The customer list's routes: list, count and export (every role, within its data scope).

They live here, above ``customers``, because the list is answered by the segment engine's
bitmaps (``customer_list.py``); a customer's own routes (detail, remark, notes, stage) stay in
``siyu.customers``. The app mounts this router before the customers router, so ``/customers/count``
and ``/customers/export`` are never read as a customer id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from siyu.core import export
from siyu.core.pagination import Page
from siyu.corps.deps import PrincipalDep, SessionDep, get_db
from siyu.customers.schemas import EXPORT_HEADERS, CustomerFilter, CustomerOut, Sort
from siyu.segments import customer_list

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
    items, next_cursor = await customer_list.page(
        session,
        principal.corp,
        f,
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
    n = await customer_list.count(session, principal.corp, f, visible=principal.visible_userids)
    return {"count": n}


@router.get("/export", response_class=Response)
async def export_customers(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    f: FilterDep,
    format: str = "xlsx",
    sort: Sort = "-added_at",
) -> Response:
    # streamed as it is written (a session of its own reads the rows: see export_rows)
    fmt = export.check_format(format)
    corp = principal.corp
    sel = await customer_list.select_members(session, corp, f, visible=principal.visible_userids)
    rows = customer_list.export_rows(
        get_db(request), corp.id, sel, sort, visible=principal.visible_userids
    )
    return StreamingResponse(
        export.stream(fmt, EXPORT_HEADERS, rows, sheet="customers", tz=corp.timezone),
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="customers.{fmt}"'},
    )
