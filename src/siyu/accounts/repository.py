"""Every query of the accounts domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.accounts.models import AuditEntry, ConsoleUser
from siyu.corps.models import ApiKey
from siyu.db.repository import scoped
from siyu.employees.models import Employee


async def user_by_id(session: AsyncSession, user_id: int) -> ConsoleUser | None:
    return await session.get(ConsoleUser, user_id)


async def user_by_username(
    session: AsyncSession, corp_id: int, username: str
) -> ConsoleUser | None:
    return await session.scalar(
        scoped(ConsoleUser, corp_id).where(ConsoleUser.username == username)
    )


async def user_by_userid(session: AsyncSession, corp_id: int, userid: str) -> ConsoleUser | None:
    return await session.scalar(
        scoped(ConsoleUser, corp_id)
        .where(ConsoleUser.userid == userid)
        .order_by(ConsoleUser.id)
        .limit(1)
    )


async def list_users(session: AsyncSession, corp_id: int) -> list[ConsoleUser]:
    return list(
        (await session.scalars(scoped(ConsoleUser, corp_id).order_by(ConsoleUser.id))).all()
    )


async def count_users(session: AsyncSession, corp_id: int) -> int:
    stmt = scoped(ConsoleUser, corp_id, func.count())
    return int(await session.scalar(stmt) or 0)


async def employee(session: AsyncSession, corp_id: int, userid: str) -> Employee | None:
    return await session.scalar(scoped(Employee, corp_id).where(Employee.userid == userid))


async def employees_departments(session: AsyncSession, corp_id: int) -> list[tuple[str, list[int]]]:
    rows = await session.execute(
        scoped(Employee, corp_id, Employee.userid, Employee.department_ids)
    )
    return [(u, list(ids or [])) for u, ids in rows.all()]


async def api_keys(session: AsyncSession, corp_id: int) -> list[ApiKey]:
    return list((await session.scalars(scoped(ApiKey, corp_id).order_by(ApiKey.id))).all())


async def api_key(session: AsyncSession, corp_id: int, key_id: int) -> ApiKey | None:
    return await session.scalar(scoped(ApiKey, corp_id).where(ApiKey.id == key_id))


async def audit_page(
    session: AsyncSession,
    corp_id: int,
    *,
    actor: str | None,
    action: str | None,
    actions: Sequence[str] = (),
    since: datetime | None,
    until: datetime | None,
    before_id: int | None,
    limit: int,
) -> list[AuditEntry]:
    stmt: Any = scoped(AuditEntry, corp_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action:
        said = AuditEntry.action.like(f"%{action}%")
        stmt = stmt.where(or_(said, AuditEntry.action.in_(list(actions))) if actions else said)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())


async def failed_logins(
    session: AsyncSession,
    corp_id: int,
    *,
    since: datetime,
    username: str | None = None,
    ip: str | None = None,
) -> tuple[int, datetime | None]:
    """How many failed sign-ins (audit action ``auth.login_failed``) since ``since`` for a
    username or from an IP, and when the last one was."""
    query = scoped(AuditEntry, corp_id).where(
        AuditEntry.action == "auth.login_failed", AuditEntry.at > since
    )
    if username is not None:
        query = query.where(AuditEntry.actor == username[:100])
    if ip is not None:
        query = query.where(AuditEntry.ip == ip[:64])
    sub = query.subquery()
    row = (await session.execute(select(func.count(), func.max(sub.c.at)))).one()
    return int(row[0]), row[1]
