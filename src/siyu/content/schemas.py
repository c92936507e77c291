"""Content library requests and replies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.bounds import Id

Kind = Literal["text", "link", "image", "miniprogram", "file", "video", "article"]
#: kinds whose bytes are stored by Siyu and uploaded to WeCom as media
FILE_KINDS = ("image", "file", "video")
TAG_MAX = 30


def _clean_tags(v: list[str]) -> list[str]:
    out: list[str] = []
    for raw in v:
        tag = raw.strip()
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise ValueError(f"a tag has at most {TAG_MAX} characters: {tag!r}")
        if tag not in out:
            out.append(tag)
    return out


class ContentIn(BaseModel):
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=500)
    url: str = Field(default="", max_length=1000)
    cover: str = Field(default="", max_length=1000)
    body: str = Field(default="", max_length=100_000, description="articles hosted by Siyu")
    folder: str = Field(
        default="", max_length=100, description="a root folder by name (created when missing)"
    )
    folder_id: Id | None = Field(default=None, description="the folder (wins over folder)")
    tags: list[str] = Field(default_factory=list, max_length=20)
    appid: str = Field(default="", max_length=64, description="mini-programs: the appid")
    page: str = Field(default="", max_length=300, description="mini-programs: the page path")
    file_id: Id | None = Field(
        default=None, description="image / file / video: stored bytes (see the upload route)"
    )

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return _clean_tags(v)


class ContentPatch(BaseModel):
    """Only the fields given change (``folder_id: null`` moves the item to the root)."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=1000)
    cover: str | None = Field(default=None, max_length=1000)
    body: str | None = Field(default=None, max_length=100_000)
    folder_id: Id | None = None
    tags: list[str] | None = Field(default=None, max_length=20)
    appid: str | None = Field(default=None, max_length=64)
    page: str | None = Field(default=None, max_length=300)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _clean_tags(v)


class ContentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Kind
    title: str
    description: str
    url: str
    cover: str
    body: str
    folder: str
    folder_id: int | None
    tags: list[str]
    appid: str
    page: str
    file_id: int | None
    filename: str
    size: int
    #: radar links made
    uses: int
    #: times sent in messages (broadcasts, SOP steps)
    sends: int
    opens: int
    unique_openers: int = 0
    media_id: str
    media_uploaded_at: datetime | None
    image_url: str
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class MoveIn(BaseModel):
    item_ids: list[Id] = Field(min_length=1, max_length=500)
    folder_id: Id | None = Field(description="the target folder; null: the root")


class FolderIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    parent_id: Id | None = None


class FolderPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: Id | None = None
    move_to_root: bool = Field(default=False, description="true: make it a top-level folder")


class FolderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    parent_id: int | None
    items: int = 0


class TagCount(BaseModel):
    tag: str
    items: int


class RadarLinkIn(BaseModel):
    userid: str = Field(min_length=1, max_length=64, description="the employee who sends it")
    customer_id: Id | None = Field(default=None, description="the recipient, when known")
    ttl_days: int = Field(default=30, ge=1, le=365)


class RadarRevokeIn(BaseModel):
    """Exactly one of: a link (its URL or token), the link behind an open, or every link."""

    link: str | None = Field(default=None, max_length=2000, description="the link's URL")
    open_id: Id | None = Field(default=None, description="revoke the link this open came through")
    all: bool = Field(default=False, description="revoke every link of the item made so far")


class RadarRevokeOut(BaseModel):
    revoked: int = Field(description="links newly revoked (every link: 1)")
    link_epoch: int = Field(description="the item's link generation (moves on with 'all')")


class RadarLinkOut(BaseModel):
    url: str
    expires_at: datetime


class RadarOpenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int | None
    customer_name: str = ""
    userid: str
    opened_at: datetime
    broadcast_id: int | None = None
    identified_by: str = ""
    read_seconds: int = 0
    link_revoked: bool = Field(
        default=False, description="the link this open came through was revoked"
    )


class ContentStats(BaseModel):
    uses: int = Field(description="radar links made")
    sends: int = Field(description="times sent in messages")
    opens: int
    unique_openers: int = Field(description="distinct identified customers who opened it")
    identified_opens: int
    anonymous_opens: int
    read_seconds_total: int
    read_seconds_avg: int = Field(description="average over opens with a read time")
    recent: list[RadarOpenOut]


class ReadBeat(BaseModel):
    """The article page's heartbeat: seconds read (visible) so far in this open."""

    o: str = Field(min_length=1, max_length=200, description="the open's signed reference")
    seconds: int = Field(ge=0, le=86_400)


class MediaOut(BaseModel):
    media_id: str
    uploaded_at: datetime
