"""Mirror WeCom departments and members."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.db.repository import scoped
from siyu.employees.models import Department, Employee


def _a(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


async def apply_departments(session: AsyncSession, corp_id: int, depts: Sequence[Any]) -> int:
    have = {d.dept_id: d for d in (await session.scalars(scoped(Department, corp_id))).all()}
    for d in depts:
        did = int(_a(d, "id"))
        row = have.get(did)
        if row is None:
            row = Department(corp_id=corp_id, dept_id=did, name="")
            session.add(row)
            have[did] = row
        row.name = _a(d, "name", "") or ""
        row.parent_id = _a(d, "parentid", None)
        row.order = int(_a(d, "order", 0) or 0)
    await session.flush()
    return len(depts)


async def apply_employees(
    session: AsyncSession, corp_id: int, users: Sequence[Any], contact_userids: set[str]
) -> int:
    """Upsert members; members no longer listed become inactive (kept as history)."""
    have = {e.userid: e for e in (await session.scalars(scoped(Employee, corp_id))).all()}
    seen = set()
    for u in users:
        uid = _a(u, "userid")
        seen.add(uid)
        row = have.get(uid)
        if row is None:
            row = Employee(corp_id=corp_id, userid=uid)
            session.add(row)
            have[uid] = row
        row.name = _a(u, "name", "") or ""
        row.position = _a(u, "position", "") or ""
        row.department_ids = [int(x) for x in (_a(u, "department", []) or [])]
        row.main_department = _a(u, "main_department", None)
        row.status = int(_a(u, "status", 1) or 1)
        row.customer_contact = uid in contact_userids
        row.active = True
    for uid, row in have.items():
        if uid not in seen:
            row.active = False
    await session.flush()
    return len(seen)
