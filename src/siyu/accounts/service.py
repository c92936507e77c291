"""Console users: creation, password sign-in, WeCom sign-in, roles and the data scope."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.accounts import audit, throttle
from siyu.accounts import repository as repo
from siyu.accounts.models import ConsoleUser
from siyu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from siyu.core.settings import Settings
from siyu.corps.models import Corp
from siyu.corps.principal import USER_ROLES, Principal, Role
from siyu.db.base import utcnow
from siyu.employees import service as directory

T = TypeVar("T")
_hasher = PasswordHasher()
# a hash to verify against when the user does not exist (constant-time-ish refusals)
_DUMMY = _hasher.hash("siyu-no-such-user")


def new_password() -> str:
    """A one-time password: 16 URL-safe characters."""
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


#: argon2 (~0.2 s, 64 MiB each) runs here, never on the event loop, at most two at a time
_argon2 = ThreadPoolExecutor(max_workers=2, thread_name_prefix="siyu-argon2")


async def _off_loop(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_argon2, fn, *args)


def verify_password(user: ConsoleUser | None, password: str) -> bool:
    try:
        return _hasher.verify(
            user.password_hash if user and user.password_hash else _DUMMY, password
        ) and bool(user and user.password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def _check_link(session: AsyncSession, corp_id: int, role: str, userid: str | None) -> None:
    if role not in USER_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(USER_ROLES)}")
    if role in ("manager", "staff") and not userid:
        raise InvalidInput(f"a {role} must be linked to a WeCom employee (userid)")
    if userid and await repo.employee(session, corp_id, userid) is None:
        raise InvalidInput(f"employee {userid} does not exist (run a sync first?)")


async def create_user(
    session: AsyncSession,
    corp_id: int,
    *,
    username: str,
    role: str = "staff",
    userid: str | None = None,
    display_name: str = "",
    password: str | None = None,
    must_change_password: bool | None = None,
) -> tuple[ConsoleUser, str]:
    """Create a user; returns it and its password (a generated one-time password if none given).

    ``must_change_password`` (default: whether the password was generated): the user has to
    change it before anything else.
    """
    await _check_link(session, corp_id, role, userid)
    if await repo.user_by_username(session, corp_id, username) is not None:
        raise Conflict(f"user {username} already exists")
    generated = not password
    password = password or new_password()
    user = ConsoleUser(
        corp_id=corp_id,
        username=username,
        role=role,
        userid=userid or None,
        display_name=display_name or username,
        password_hash=hash_password(password),
        active=True,
        must_change_password=(generated if must_change_password is None else must_change_password),
    )
    session.add(user)
    await session.flush()
    return user, password


async def ensure_admin(
    session: AsyncSession, corp_id: int, *, username: str = "admin"
) -> tuple[ConsoleUser, str | None]:
    """The corp's first admin; a new one-time password when created, None when it existed."""
    user = await repo.user_by_username(session, corp_id, username)
    if user is not None:
        return user, None
    return await create_user(session, corp_id, username=username, role="admin")


async def reset_password(session: AsyncSession, corp_id: int, username: str) -> str:
    user = await repo.user_by_username(session, corp_id, username)
    if user is None:
        raise NotFound(f"user {username} does not exist")
    password = new_password()
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    user.must_change_password = True
    return password


LOGIN_REFUSED = "the username or password is wrong, or the account is disabled"


async def login(
    session: AsyncSession,
    corp: Corp,
    *,
    username: str,
    password: str,
    ip: str,
    settings: Settings,
) -> ConsoleUser | None:
    """Check a username and password: the user, or None after recording the failure in the
    audit log (the caller refuses with :data:`LOGIN_REFUSED` and commits, so the failure
    counts). :class:`~siyu.core.errors.Throttled` when this username or IP must wait
    (:mod:`siyu.accounts.throttle`); the password is not checked then."""
    user = await repo.user_by_username(session, corp.id, username)
    await throttle.check(
        session,
        corp.id,
        username=username,
        ip=ip,
        last_success=user.last_login_at if user else None,
        settings=settings,
    )
    ok = await _off_loop(verify_password, user, password)
    if user is None or not ok or not user.active:
        await audit.record(
            session,
            corp.id,
            actor=username,  # the name tried, never the password
            actor_kind="anonymous",
            action="auth.login_failed",
            target=f"user:{user.id}" if user else "",
            ip=ip,
        )
        return None
    user.last_login_at = utcnow()
    await audit.record(
        session,
        corp.id,
        actor=user.username,
        actor_kind="user",
        user_id=user.id,
        action="auth.login",
        target=f"user:{user.id}",
        ip=ip,
    )
    return user


async def login_employee(session: AsyncSession, corp: Corp, *, userid: str) -> ConsoleUser:
    """Sign an employee in through WeCom: their linked user, created as staff the first time."""
    emp = await repo.employee(session, corp.id, userid)
    if emp is None:
        raise Forbidden(f"employee {userid} is not known to Siyu yet (run a sync)")
    user = await repo.user_by_userid(session, corp.id, userid)
    if user is None:
        user = ConsoleUser(
            corp_id=corp.id,
            username=f"wecom:{userid}",
            display_name=emp.name or userid,
            role="staff",
            userid=userid,
            active=True,
        )
        session.add(user)
        await session.flush()
    if not user.active:
        raise Forbidden("this account is disabled")
    user.last_login_at = utcnow()
    await audit.record(
        session,
        corp.id,
        actor=user.username,
        actor_kind="user",
        user_id=user.id,
        action="auth.wecom_login",
        target=f"user:{user.id}",
    )
    return user


async def change_password(
    session: AsyncSession, user_id: int, *, current: str, new: str
) -> ConsoleUser:
    user = await repo.user_by_id(session, user_id)
    if user is None or not await _off_loop(verify_password, user, current):
        raise Forbidden("the current password is wrong")
    if new == current:
        raise InvalidInput("choose a new password, not the current one")
    user.password_hash = await _off_loop(hash_password, new)
    user.session_epoch += 1
    user.must_change_password = False
    return user


async def logout(session: AsyncSession, user_id: int) -> None:
    """End every session of the user: cookies issued before no longer verify."""
    user = await repo.user_by_id(session, user_id)
    if user is not None:
        user.session_epoch += 1


async def visible_userids(
    session: AsyncSession, corp_id: int, *, role: str, userid: str | None
) -> frozenset[str] | None:
    """The data scope of a role: None (whole corp) or the employees whose customers show."""
    if role in ("admin", "operator"):
        return None
    if not userid:
        return frozenset()
    if role == "staff":
        return frozenset({userid})
    emp = await repo.employee(session, corp_id, userid)
    roots = set(emp.department_ids or []) if emp else set()
    parents = await directory.department_parents(session, corp_id)
    subtree = set(roots)
    changed = True
    while changed:
        changed = False
        for dept, parent in parents.items():
            if parent in subtree and dept not in subtree:
                subtree.add(dept)
                changed = True
    users = {
        u for u, ids in await repo.employees_departments(session, corp_id) if subtree & set(ids)
    }
    return frozenset(users | {userid})


async def principal_for(session: AsyncSession, corp: Corp, user: ConsoleUser) -> Principal:
    role: Role = user.role  # type: ignore[assignment]
    return Principal(
        corp=corp,
        role=role,
        name=user.username,
        user_id=user.id,
        userid=user.userid,
        visible_userids=await visible_userids(session, corp.id, role=user.role, userid=user.userid),
    )


async def list_users(session: AsyncSession, corp_id: int) -> list[ConsoleUser]:
    return await repo.list_users(session, corp_id)


async def update_user(
    session: AsyncSession,
    corp_id: int,
    user_id: int,
    *,
    acting_user_id: int | None,
    role: str | None = None,
    active: bool | None = None,
    userid: str | None = None,
    display_name: str | None = None,
) -> tuple[ConsoleUser, dict[str, object], dict[str, object]]:
    """Change a user's role, link or active flag; returns it with before/after snapshots."""
    user = await repo.user_by_id(session, user_id)
    if user is None or user.corp_id != corp_id:
        raise NotFound(f"user {user_id} does not exist")
    if user.id == acting_user_id and (active is False or (role and role != "admin")):
        raise InvalidInput("you cannot disable or demote yourself")
    before = snapshot(user)
    new_role = role or user.role
    new_userid = userid if userid is not None else user.userid
    await _check_link(session, corp_id, new_role, new_userid or None)
    user.role = new_role
    user.userid = new_userid or None
    if display_name is not None:
        user.display_name = display_name
    if active is not None:
        user.active = active
    if active is False or role is not None:
        user.session_epoch += 1
    return user, before, snapshot(user)


def snapshot(user: ConsoleUser) -> dict[str, object]:
    return {
        "username": user.username,
        "role": user.role,
        "userid": user.userid,
        "active": user.active,
        "display_name": user.display_name,
    }
