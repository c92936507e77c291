"""Routes of the customer's editable profile, the admin's custom fields and follow-ups (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from siyu.core import export
from siyu.core.bounds import Id
from siyu.core.pagination import Page
from siyu.corps.deps import AdminDep, PrincipalDep, SessionDep
from siyu.customers import custom_fields as cf
from siyu.customers import follow_up_overdue as overdue
from siyu.customers import follow_ups, profile
from siyu.customers.follow_up_overdue import OverduePage
from siyu.customers.profile_schemas import (
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    FieldOrderIn,
    FollowUpIn,
    FollowUpItem,
    FollowUpOut,
    ProfileIn,
    ProfileOut,
)
from siyu.customers.profile_tasks import write_remark
from siyu.messaging import outbox

router = APIRouter(prefix="/customers", tags=["customers"])
fields_router = APIRouter(prefix="/customer-fields", tags=["customers"])


@router.get("/follow-ups/mine", response_model=Page[FollowUpItem])
async def my_follow_ups(
    session: SessionDep,
    principal: PrincipalDep,
    due: Annotated[
        str, Query(description="today, overdue or upcoming (the corp's days)")
    ] = "today",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[FollowUpItem]:
    """The signed-in employee's next follow-ups, earliest first."""
    items, nxt = await follow_ups.mine(session, principal, due=due, cursor=cursor, limit=limit)
    return Page(items=items, next_cursor=nxt)


@router.get("/follow-ups/overdue", response_model=OverduePage)
async def overdue_follow_ups(
    session: SessionDep,
    principal: PrincipalDep,
    department_id: Id | None = None,
    userid: Annotated[str | None, Query(max_length=64)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> OverduePage:
    """Overdue follow-ups grouped by employee (most first), within the caller's data scope."""
    return await overdue.overdue(
        session, principal, department_id=department_id, userid=userid, offset=offset, limit=limit
    )


@router.get("/follow-ups/overdue/export")
async def export_overdue_follow_ups(
    session: SessionDep,
    principal: PrincipalDep,
    format: str = "csv",
    department_id: Id | None = None,
    userid: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Every overdue follow-up in scope as CSV or XLSX (one row per follow-up)."""
    fmt = export.check_format(format)
    rows = overdue.export_rows(session, principal, department_id=department_id, userid=userid)
    body = await export.render(
        fmt, overdue.EXPORT_HEADERS, rows, sheet="逾期跟进", tz=principal.corp.timezone
    )
    return Response(
        body,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="follow-ups-overdue.{fmt}"'},
    )


@router.get("/{customer_id}/profile", response_model=ProfileOut)
async def get_profile(
    session: SessionDep,
    principal: PrincipalDep,
    customer_id: Id,
    userid: Annotated[str | None, Query(max_length=64)] = None,
) -> ProfileOut:
    return await profile.get(session, principal, customer_id, userid=userid)


@router.put("/{customer_id}/profile", response_model=ProfileOut)
async def put_profile(
    session: SessionDep, principal: PrincipalDep, customer_id: Id, body: ProfileIn
) -> ProfileOut:
    """Edit the profile. WeCom's fields (remark, description, remark_company, remark_mobiles)
    are written to WeCom by a durable job: ``write.status`` is pending until WeCom accepts."""
    out, write = await profile.update(session, principal, customer_id, body)
    if write is not None:
        outbox.enqueue(session, write_remark, principal.corp_id, write.id)
    return out


@router.put("/{customer_id}/follow-up", response_model=FollowUpOut | None)
async def put_follow_up(
    session: SessionDep, principal: PrincipalDep, customer_id: Id, body: FollowUpIn
) -> FollowUpOut | None:
    """Set (or clear, ``due_at: null``) the next follow-up of an employee's relation."""
    return await follow_ups.set_follow_up(session, principal, customer_id, body)


@fields_router.get("", response_model=list[CustomFieldOut])
async def get_fields(session: SessionDep, principal: PrincipalDep) -> list[CustomFieldOut]:
    return [
        CustomFieldOut.model_validate(f) for f in await cf.list_fields(session, principal.corp_id)
    ]


@fields_router.post("", response_model=CustomFieldOut, status_code=201)
async def post_field(session: SessionDep, admin: AdminDep, body: CustomFieldIn) -> CustomFieldOut:
    return CustomFieldOut.model_validate(await cf.create_field(session, admin.corp_id, body))


@fields_router.put("/order", response_model=list[CustomFieldOut])
async def put_field_order(
    session: SessionDep, admin: AdminDep, body: FieldOrderIn
) -> list[CustomFieldOut]:
    rows = await cf.reorder(session, admin.corp_id, body.ids)
    return [CustomFieldOut.model_validate(f) for f in rows]


@fields_router.patch("/{field_id}", response_model=CustomFieldOut)
async def patch_field(
    session: SessionDep, admin: AdminDep, field_id: Id, body: CustomFieldPatch
) -> CustomFieldOut:
    return CustomFieldOut.model_validate(
        await cf.update_field(session, admin.corp_id, field_id, body)
    )


@fields_router.delete("/{field_id}", status_code=204)
async def delete_field(session: SessionDep, admin: AdminDep, field_id: Id) -> Response:
    await cf.delete_field(session, admin.corp_id, field_id)
    return Response(status_code=204)
