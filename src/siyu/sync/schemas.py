"""Sync run API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class SyncRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    trigger: str
    status: str
    step: str
    steps: dict[str, Any]
    error: str | None
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None
