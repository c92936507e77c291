"""Data scope of channel codes: managers and staff see and use the codes of their employees.

- A code **routes to** the employees on it (``userids`` and ``backups``). A manager or staff
  member sees a code that routes to at least one employee of their visible set (staff: the
  codes that route to them): its detail, QR, poster, duty and welcome sends; its statistics
  count only the adds through their own employees (``stats.stats(visible=...)``).
- They create, edit and delete only codes **entirely within** their scope: every employee on
  the code (backups included) visible, and no department (a department's members change
  without Siyu's say). So a staff member makes personal codes for themselves only, a manager
  codes for the employees of their department subtree. A code shared with employees out of
  scope is read-only to them.
- Batch creation from a file stays with full-access roles (admin, operator, API key); every
  role uploads assets (welcome attachments, posters) and exports its own statistics.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Text, cast, false, or_

from siyu.acquisition.models import ChannelCode
from siyu.core.errors import Forbidden, NotFound


def routes_to(c: Any) -> set[str]:
    """The employees a code (or a code's fields) routes to: its employees and backups."""
    return set(c.userids or ()) | set(c.backups or ())


def sees(visible: frozenset[str] | None, c: ChannelCode) -> bool:
    return visible is None or bool(routes_to(c) & visible)


def visible_filter(visible: frozenset[str]) -> Any:
    """SQL: the codes that route to one of ``visible`` (JSON lists matched as text, quoted,
    as the list's ``userid`` filter does, on both dialects)."""
    if not visible:
        return false()
    return or_(
        *(
            cast(col, Text).like(f'%"{u}"%')
            for u in sorted(visible)
            for col in (ChannelCode.userids, ChannelCode.backups)
        )
    )


def require_seen(visible: frozenset[str] | None, c: ChannelCode) -> ChannelCode:
    """The code, or NotFound when it does not route to the scope."""
    if not sees(visible, c):
        raise NotFound(f"channel code {c.id} does not exist")
    return c


def require_within(
    visible: frozenset[str] | None, employees: Iterable[str], dept_ids: Iterable[int]
) -> None:
    """Forbidden unless every employee is visible and no department is on the code."""
    if visible is None:
        return
    if list(dept_ids):
        raise Forbidden("your role puts employees on a code, not departments")
    outside = sorted(set(employees) - visible)
    if outside:
        raise Forbidden(f"employees out of your scope: {', '.join(outside[:10])}")
