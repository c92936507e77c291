"""Accounts, settings and audit: request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from siyu.core.bounds import Int32

UserRole = Literal["admin", "operator", "manager", "staff"]


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    corp: str | None = Field(default=None, description="WeCom corp id; optional with one corp")


class PasswordIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@:-]+$")
    role: UserRole = "staff"
    display_name: str = Field(default="", max_length=100)
    userid: str | None = Field(default=None, max_length=64, description="linked WeCom employee")
    password: str | None = Field(default=None, min_length=8, max_length=200)


class UserPatch(BaseModel):
    role: UserRole | None = None
    active: bool | None = None
    userid: str | None = Field(default=None, max_length=64)
    display_name: str | None = Field(default=None, max_length=100)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    userid: str | None
    active: bool
    last_login_at: datetime | None
    created_at: datetime


class UserCreated(UserOut):
    password: str | None = Field(default=None, description="the one-time password, shown once")


class CorpChoice(BaseModel):
    """A corp to sign in to (the sign-in page asks when several are registered)."""

    wecom_corp_id: str
    name: str


class MeOut(BaseModel):
    kind: str
    name: str
    role: str
    user_id: int | None
    userid: str | None
    corp_id: int
    wecom_corp_id: str
    corp_name: str
    timezone: str = Field(description="the corp's time zone: its calendar days count stats")
    full_access: bool
    is_admin: bool
    visible_userids: list[str] | None
    csrf_token: str | None = None
    must_change_password: bool = Field(
        default=False,
        description="signed in with a password someone else gave: every other API answers 403 "
        "(code password_change_required) until POST /auth/password",
    )


class CredentialsOut(BaseModel):
    wecom_corp_id: str
    name: str
    api_base: str
    agent_id: int | None
    timezone: str
    secret_masked: str
    callback_url: str
    token: str
    aes_key: str


class CredentialsIn(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    secret: str | None = Field(default=None, min_length=1, max_length=200, description="write-only")
    api_base: str | None = Field(default=None, max_length=300)
    agent_id: Int32 | None = None
    timezone: str | None = Field(default=None, max_length=64)


class RegenerateIn(BaseModel):
    token: bool = True
    aes_key: bool = True


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="the key, shown once")


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    actor_kind: str
    user_id: int | None
    action: str
    target: str
    status: int | None
    ip: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    summary: str = Field(default="", description="the entry as a sentence (zh-CN)")
    summary_en: str = Field(default="", description="the entry as a sentence (English)")
    link: str = Field(default="", description="the console page of the entry's object")
