"""Content library requests and replies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["text", "link", "image", "miniprogram", "file", "video", "article"]


class ContentIn(BaseModel):
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=500)
    url: str = Field(default="", max_length=1000)
    cover: str = Field(default="", max_length=1000)
    body: str = Field(default="", max_length=100_000, description="articles hosted by Siyu")
    folder: str = Field(default="", max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=20)


class ContentOut(ContentIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    uses: int
    opens: int
    created_at: datetime


class RadarLinkIn(BaseModel):
    userid: str = Field(min_length=1, max_length=64, description="the employee who sends it")
    customer_id: int | None = Field(default=None, description="the recipient, when known")
    ttl_days: int = Field(default=30, ge=1, le=365)


class RadarLinkOut(BaseModel):
    url: str
    expires_at: datetime


class RadarOpenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int | None
    userid: str
    opened_at: datetime
