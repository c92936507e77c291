"""The chat sidebar's content for any signed-in employee: the library to pick from, and one
item made ready to send to the current customer (a radar link minted for this employee and
customer, which also counts a use of the item). The library's own routes are for admins and
operators; these serve staff and managers within their data scope."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.api.deps import PrincipalDep, SessionDep, SettingsDep
from siyu.content import service as content
from siyu.content.schemas import ContentOut, RadarLinkIn
from siyu.core.auth import Principal
from siyu.core.errors import InvalidInput, NotFound
from siyu.core.pagination import Page
from siyu.core.settings import Settings
from siyu.customers import repository as customers
from siyu.sop.delivery import RADAR_KINDS, piece
from siyu.sop.schemas import ContentPiece

router = APIRouter(prefix="/sidebar", tags=["sop"])


class SendIn(BaseModel):
    customer_id: int


async def prepare(
    session: AsyncSession,
    principal: Principal,
    item_id: int,
    *,
    customer_id: int,
    settings: Settings,
) -> ContentPiece:
    """The item as the signed-in employee sends it to one customer they may see."""
    if not principal.userid:
        raise InvalidInput("sign in as an employee (a console user linked to a WeCom member)")
    found = await customers.by_id(
        session, principal.corp_id, customer_id, visible_userids=principal.visible_userids
    )
    if found is None:
        raise NotFound(f"customer {customer_id} does not exist")
    item = await content.get(session, principal.corp_id, item_id)
    url = None
    if item.kind in RADAR_KINDS:
        url, _ = await content.radar_link(
            session,
            principal.corp,
            item.id,
            RadarLinkIn(userid=principal.userid, customer_id=customer_id, ttl_days=30),
            secret_key=settings.secret_key.get_secret_value(),
            base_url=settings.base_url,
        )
    else:
        item.uses += 1
    return ContentPiece(**piece(item, url=url))


@router.get("/content", response_model=Page[ContentOut])
async def list_content(
    session: SessionDep,
    principal: PrincipalDep,
    keyword: str | None = Query(default=None, max_length=50),
    folder: str | None = None,
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=100),
) -> Page[ContentOut]:
    """The content library, most recent first, for the sidebar of any signed-in employee."""
    rows, nxt = await content.list_page(
        session, principal.corp, folder=folder, keyword=keyword, cursor=cursor, limit=limit
    )
    return Page(items=[ContentOut.model_validate(r) for r in rows], next_cursor=nxt)


@router.post("/content/{item_id}/send", response_model=ContentPiece)
async def send_content(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, item_id: int, body: SendIn
) -> ContentPiece:
    """Ready one item for the current chat (links become this customer's radar link)."""
    return await prepare(
        session, principal, item_id, customer_id=body.customer_id, settings=settings
    )
