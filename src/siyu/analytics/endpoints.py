"""Dashboard route (within the caller's data scope)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from siyu.analytics import service
from siyu.analytics.schemas import Dashboard
from siyu.corps.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get("/dashboard", response_model=Dashboard)
async def dashboard(
    session: SessionDep,
    principal: PrincipalDep,
    start: date | None = None,
    end: date | None = None,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Dashboard:
    """New / lost / net per local day, totals, active customers, top channels and employees."""
    return await service.dashboard(
        session,
        principal.corp,
        start=start,
        end=end,
        visible=principal.visible_userids,
        top=top,
    )
