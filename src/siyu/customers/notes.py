"""Sidebar support: follow-up notes (timeline entries of kind ``note``), lookup by external id."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.bounds import Id
from siyu.core.errors import NotFound
from siyu.corps.deps import PrincipalDep, SessionDep
from siyu.customers import repository as repo
from siyu.customers import service, timeline
from siyu.customers.models import TimelineEvent
from siyu.customers.schemas import CustomerDetail, NoteIn, TimelineOut
from siyu.db.base import utcnow

router = APIRouter(prefix="/customers", tags=["customers"])


async def add_note(
    session: AsyncSession,
    corp_id: int,
    customer_id: Id,
    *,
    text: str,
    author: str,
    userid: str | None,
    visible: frozenset[str] | None = None,
) -> TimelineEvent:
    """Add a note to a customer's timeline (within the author's data scope)."""
    customer = await repo.by_id(session, corp_id, customer_id, visible_userids=visible)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    row = timeline.entry(
        corp_id, customer.id, timeline.NOTE, at=utcnow(), userid=userid or "", text=text, by=author
    )
    event = TimelineEvent(**row)
    session.add(event)
    await session.flush()
    await timeline.touch(session, [(customer.id, event.occurred_at)])
    return event


@router.get("/by-external/{external_userid}", response_model=CustomerDetail)
async def by_external(
    session: SessionDep, principal: PrincipalDep, external_userid: str
) -> CustomerDetail:
    """A customer by WeCom external_userid (the sidebar learns it from the JS-SDK)."""
    customer = await repo.by_external_id(session, principal.corp_id, external_userid)
    if customer is None:
        raise NotFound(f"customer {external_userid} does not exist")
    return await service.detail(
        session, principal.corp_id, customer.id, visible=principal.visible_userids
    )


@router.post("/{customer_id}/notes", response_model=TimelineOut, status_code=201)
async def post_note(
    session: SessionDep, principal: PrincipalDep, customer_id: Id, body: NoteIn
) -> TimelineOut:
    event = await add_note(
        session,
        principal.corp_id,
        customer_id,
        text=body.text.strip(),
        author=principal.name,
        userid=principal.userid,
        visible=principal.visible_userids,
    )
    return TimelineOut.model_validate(event)
