"""Request and response bodies of the reply library."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from siyu.core.bounds import Id, Int32

Kind = Literal["text", "image", "link", "miniprogram"]
Scope = Literal["corp", "personal"]
KINDS: tuple[str, ...] = ("text", "image", "link", "miniprogram")


class PhraseFolderIn(BaseModel):
    name: str = Field(min_length=1, max_length=50)


class PhraseFolderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    #: phrases in it the caller can see
    phrases: int = 0


class PhraseOrderIn(BaseModel):
    """Ids in their new order (positions 0, 1, 2, …)."""

    ids: list[Id] = Field(min_length=1, max_length=1000)


class PhraseIn(BaseModel):
    scope: Scope = "corp"
    kind: Kind = "text"
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(default="", max_length=4000)
    description: str = Field(default="", max_length=500)
    url: str = Field(default="", max_length=1000)
    cover: str = Field(default="", max_length=1000)
    appid: str = Field(default="", max_length=64)
    page: str = Field(default="", max_length=300)
    file_id: Id | None = None
    folder_id: Id | None = None
    department_ids: list[Int32] = Field(default_factory=list, max_length=200)


class PhrasePatch(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=100)
    body: str | None = Field(default=None, max_length=4000)
    description: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=1000)
    cover: str | None = Field(default=None, max_length=1000)
    appid: str | None = Field(default=None, max_length=64)
    page: str | None = Field(default=None, max_length=300)
    file_id: Id | None = None
    folder_id: Id | None = None
    #: move the phrase out of every folder
    no_folder: bool = False
    department_ids: list[Int32] | None = Field(default=None, max_length=200)


class PhraseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scope: str
    kind: str
    title: str
    body: str
    description: str
    url: str
    cover: str
    appid: str
    page: str
    file_id: int | None
    folder_id: int | None
    folder: str = ""
    position: int
    department_ids: list[int]
    departments: list[str] = []
    uses: int
    #: the caller may edit or delete it
    editable: bool = False
    created_by: str
    created_at: datetime
    updated_at: datetime


class PhraseImageOut(BaseModel):
    file_id: int
    filename: str
    size: int
    content_type: str


class PhraseMediaOut(BaseModel):
    media_id: str
    uploaded_at: datetime


class PhraseUsedOut(BaseModel):
    id: int
    uses: int


class PhraseImportError(BaseModel):
    row: int
    message: str


class PhraseImportOut(BaseModel):
    """What an import did (or, for a preview, would do)."""

    rows: int
    created: int = 0
    new_folders: list[str] = []
    errors: list[PhraseImportError] = []


class TopPhrase(BaseModel):
    id: int
    title: str
    kind: str
    scope: str
    folder: str
    uses: int


class PhraseEmployeeUses(BaseModel):
    userid: str
    name: str
    uses: int
    phrases: int


class PhraseStatsOut(BaseModel):
    since: datetime
    until: datetime
    timezone: str
    total: int
    top: list[TopPhrase]
    employees: list[PhraseEmployeeUses]
