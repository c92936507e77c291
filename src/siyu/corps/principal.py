"""Principals: who is calling (a console user or an API key), their role and data scope.

Roles, from most to least powerful:

- ``admin``: everything, including settings, users, API keys and the audit log;
- ``operator``: every customer and campaign, no settings;
- ``manager``: customers followed by employees of their department subtree;
- ``staff``: only customers they follow themselves.

An API key acts as ``integrator``: full access to its corp, settings included (as an admin).
``visible_userids`` is the data scope services apply: ``None`` means the whole corp, otherwise
only customers with a follow relation to one of these employees are visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from siyu.core.errors import Forbidden
from siyu.corps.models import Corp

Role = Literal["admin", "operator", "manager", "staff", "integrator"]
USER_ROLES: tuple[str, ...] = ("admin", "operator", "manager", "staff")
FULL_ACCESS: frozenset[str] = frozenset({"admin", "operator", "integrator"})
SETTINGS_ACCESS: frozenset[str] = frozenset({"admin", "integrator"})


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    corp: Corp
    role: Role
    name: str
    user_id: int | None = None
    api_key_id: int | None = None
    userid: str | None = None
    visible_userids: frozenset[str] | None = None

    @property
    def corp_id(self) -> int:
        return self.corp.id

    @property
    def kind(self) -> str:
        return "user" if self.user_id is not None else "api_key"

    @property
    def full_access(self) -> bool:
        return self.role in FULL_ACCESS

    @property
    def is_admin(self) -> bool:
        return self.role in SETTINGS_ACCESS

    def can_see_userid(self, userid: str) -> bool:
        return self.visible_userids is None or userid in self.visible_userids

    def require_full_access(self) -> None:
        if not self.full_access:
            raise Forbidden(f"the {self.role} role may not do this (admin or operator only)")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden(f"the {self.role} role may not change settings (admin only)")
