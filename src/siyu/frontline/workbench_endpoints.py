"""The mobile workbench's routes (/m): today's to-dos, attention first, a task shared."""

from __future__ import annotations

from fastapi import APIRouter, Query

from siyu.core.bounds import Id
from siyu.core.pagination import Page
from siyu.corps.deps import PrincipalDep, SessionDep, SettingsDep
from siyu.db.base import utcnow
from siyu.frontline import workbench
from siyu.frontline.launch import Signer
from siyu.frontline.schemas import AttentionOut, SharedIn, SharedOut, TodayOut

router = APIRouter(prefix="/frontline", tags=["tasks"])


@router.get("/today", response_model=TodayOut)
async def today(session: SessionDep, principal: PrincipalDep, settings: SettingsDep) -> TodayOut:
    """The signed-in employee's to-dos for today: SOP steps due by the end of today in the
    corp's time zone (overdue included) and running tasks they have not done, each with the
    share API that completes it and the content to share (their own radar links)."""
    signer = Signer(settings.secret_key.get_secret_value(), settings.base_url)
    return await workbench.today(session, principal, now=utcnow(), signer=signer)


@router.get("/attention", response_model=Page[AttentionOut])
async def attention(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
) -> Page[AttentionOut]:
    """The signed-in employee's customers that need attention first: newest customer activity
    (opened content, added, joined or left a group) in the last 30 days first, with the reason."""
    rows, nxt = await workbench.attention(
        session, principal, now=utcnow(), cursor=cursor, limit=limit
    )
    return Page(items=rows, next_cursor=nxt)


@router.post("/tasks/{task_id}/shared", response_model=SharedOut)
async def shared(
    session: SessionDep, principal: PrincipalDep, task_id: Id, body: SharedIn
) -> SharedOut:
    """WeCom's answer to the employee's share of a task (shareToExternalContact for customer
    tasks, shareToExternalChat for group tasks, shareToExternalMoments for moments): ``ok``
    completes their part, ``cancel`` or ``fail`` leaves it open."""
    return await workbench.shared(session, principal, task_id, body, now=utcnow())
