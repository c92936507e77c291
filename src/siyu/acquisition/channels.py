"""Channel codes (渠道活码): validated locally, written through to WeCom contact ways first.

Every check that can fail runs before anything is sent to WeCom, so bad input (state too long,
too many attachments, unknown employee, empty welcome, expired code) is a 422 and nothing is
half-written.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition import code_scope, rotation
from siyu.acquisition.models import AcquisitionImage, ChannelCode
from siyu.acquisition.schemas import (
    ATTACHMENTS_MAX,
    STATE_MAX,
    WELCOME_TEXT_MAX_BYTES,
    ChannelCodeIn,
    ChannelCodePatch,
    WelcomeIn,
)
from siyu.core import sorting
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.core.pagination import Page
from siyu.customers import naming
from siyu.customers.models import Tag
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.employees import service as employees
from siyu.employees.models import Department, Employee
from siyu.wecom import acquisition_api as api
from siyu.wecom.client import WeComClient

STATE_CHARS = re.compile(r"^[A-Za-z0-9_\-.]+$")
WAY_USERS_MAX = 100


def new_state(prefix: str = "sy") -> str:
    """A fresh state: ``sy`` + 16 random characters (well within WeCom's 30)."""
    return f"{prefix}{secrets.token_hex(8)}"


def check_state(state: str) -> str:
    if len(state) > STATE_MAX:
        raise InvalidInput(f"state is {len(state)} characters; WeCom allows at most {STATE_MAX}")
    if not STATE_CHARS.match(state):
        raise InvalidInput("state may use letters, digits, '-', '_' and '.' only")
    return state


async def check_welcome(session: AsyncSession, corp_id: int, w: WelcomeIn, what: str) -> None:
    if not w.text.strip() and not w.attachments:
        raise InvalidInput(f"{what}: the welcome text is empty and there is no attachment")
    if len(w.text.encode()) > WELCOME_TEXT_MAX_BYTES:
        raise InvalidInput(f"{what}: the welcome text exceeds WeCom's 4000 bytes")
    if len(w.attachments) > ATTACHMENTS_MAX:
        raise InvalidInput(
            f"{what}: {len(w.attachments)} attachments; WeCom allows at most {ATTACHMENTS_MAX}"
        )
    for i, a in enumerate(w.attachments, 1):
        where = f"{what}: attachment {i} ({a.type})"
        if a.type == "image" and not (a.asset_id or a.pic_url):
            raise InvalidInput(f"{where} needs an asset_id or a pic_url")
        if a.type == "link" and not (a.title and a.url):
            raise InvalidInput(f"{where} needs a title and a url")
        if a.type == "link" and len((a.title or "").encode()) > 128:
            raise InvalidInput(f"{where}: the title exceeds 128 bytes")
        if a.type == "miniprogram" and not (a.title and a.appid and a.page and a.asset_id):
            raise InvalidInput(f"{where} needs a title, appid, page and a cover asset_id")
        if a.type == "file" and not a.asset_id:
            raise InvalidInput(f"{where} needs an asset_id")
        if a.asset_id is not None:
            found = await session.scalar(
                scoped(AcquisitionImage, corp_id, AcquisitionImage.id).where(
                    AcquisitionImage.id == a.asset_id
                )
            )
            if found is None:
                raise InvalidInput(f"{where}: asset {a.asset_id} does not exist")


async def check_employees(session: AsyncSession, corp_id: int, userids: Sequence[str]) -> None:
    if not userids:
        return
    known = set(
        (
            await session.scalars(
                scoped(Employee, corp_id, Employee.userid).where(
                    Employee.userid.in_(list(userids)), Employee.active.is_(True)
                )
            )
        ).all()
    )
    unknown = [u for u in dict.fromkeys(userids) if u not in known]
    if unknown:
        raise InvalidInput(f"unknown employee: {', '.join(unknown)}")


async def _check_depts(session: AsyncSession, corp_id: int, dept_ids: Sequence[int]) -> None:
    if not dept_ids:
        return
    known = set(
        (
            await session.scalars(
                scoped(Department, corp_id, Department.dept_id).where(
                    Department.dept_id.in_(list(dept_ids))
                )
            )
        ).all()
    )
    unknown = [str(d) for d in dept_ids if d not in known]
    if unknown:
        raise InvalidInput(f"unknown department: {', '.join(unknown)}")


async def _check_tags(session: AsyncSession, corp_id: int, tag_ids: Sequence[str]) -> None:
    if not tag_ids:
        return
    known = set(
        (
            await session.scalars(
                scoped(Tag, corp_id, Tag.tag_id).where(
                    Tag.tag_id.in_(list(tag_ids)), Tag.deleted_at.is_(None)
                )
            )
        ).all()
    )
    unknown = [t for t in tag_ids if t not in known]
    if unknown:
        raise InvalidInput(f"unknown tag: {', '.join(unknown)}")


async def validate(session: AsyncSession, corp_id: int, c: ChannelCode, *, now: datetime) -> None:
    """Every rule a channel code must satisfy, before anything goes to WeCom."""
    if not c.userids and not c.dept_ids:
        raise InvalidInput("a channel code needs at least one employee or department")
    staff_ids = [r["userid"] for r in c.staff]
    await check_employees(session, corp_id, [*c.userids, *c.backups])
    stray = [u for u in staff_ids if u not in c.userids]
    if stray:
        raise InvalidInput(f"schedules given for employees not on the code: {', '.join(stray)}")
    if len(set(c.userids) | set(c.backups)) > WAY_USERS_MAX:
        raise InvalidInput(f"a contact way takes at most {WAY_USERS_MAX} employees")
    await _check_depts(session, corp_id, c.dept_ids)
    await _check_tags(session, corp_id, c.tag_ids)
    if c.expires_at is not None and c.expires_at <= now:
        raise InvalidInput("the code's expiry time is in the past (the code would be expired)")
    if c.welcome:
        await check_welcome(session, corp_id, WelcomeIn.model_validate(c.welcome), "welcome")
    for i, v in enumerate(c.welcome_variants, 1):
        await check_welcome(session, corp_id, WelcomeIn.model_validate(v), f"welcome variant {i}")


def way_type(c: ChannelCode) -> int:
    """Always 2 (multi): WeCom cannot change a way's type, and a type-1 way could never gain
    a second employee, a backup or a rotation plan without a new QR code."""
    return 2


async def _name_free(
    session: AsyncSession, corp_id: int, name: str, exclude: int | None = None
) -> None:
    stmt = scoped(ChannelCode, corp_id, ChannelCode.id).where(
        ChannelCode.name == name, ChannelCode.deleted_at.is_(None)
    )
    if exclude is not None:
        stmt = stmt.where(ChannelCode.id != exclude)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"a channel code named {name} already exists")


async def _aware(session: AsyncSession, corp_id: int, when: datetime | None) -> datetime | None:
    """A time without a zone is read in the corp's time zone."""
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=await rotation.corp_tz(session, corp_id))


async def prepare(session: AsyncSession, corp_id: int, body: ChannelCodeIn) -> ChannelCode:
    """A validated, unsaved channel code (no WeCom call yet)."""
    state = check_state(body.state) if body.state else new_state()
    taken = await session.scalar(
        scoped(ChannelCode, corp_id, ChannelCode.id).where(ChannelCode.state == state)
    )
    if taken is not None:
        raise Conflict(f"state {state} is already used by another channel code")
    await _name_free(session, corp_id, body.name)
    data = body.model_dump(mode="json", exclude={"state"})
    c = ChannelCode(corp_id=corp_id, state=state, **data)
    c.expires_at = await _aware(session, corp_id, body.expires_at)
    await validate(session, corp_id, c, now=utcnow())
    return c


async def create(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    body: ChannelCodeIn,
    *,
    visible: frozenset[str] | None = None,
) -> ChannelCode:
    """Create the contact way in WeCom, then record the channel code (within a data scope:
    a code entirely within it, see ``code_scope``)."""
    code_scope.require_within(visible, [*body.userids, *body.backups], body.dept_ids)
    c = await prepare(session, corp_id, body)
    await push_new(session, corp_id, client, c)
    return c


async def push_new(
    session: AsyncSession, corp_id: int, client: WeComClient, c: ChannelCode
) -> None:
    now = utcnow()
    tz = await rotation.corp_tz(session, corp_id)
    members = await rotation.desired_members(session, corp_id, c, now=now, tz=tz)
    skip = rotation.desired_skip_verify(c, now=now, tz=tz)
    ref = await api.add_contact_way(
        client,
        type=way_type(c),
        users=members,
        parties=c.dept_ids,
        state=c.state,
        skip_verify=skip,
        remark=c.name,
    )
    c.config_id, c.qr_code = ref.config_id, ref.qr_code
    c.members, c.applied_skip_verify = members, skip
    session.add(c)
    await session.flush()


async def get(
    session: AsyncSession,
    corp_id: int,
    channel_id: int,
    *,
    visible: frozenset[str] | None = None,
) -> ChannelCode:
    """A live code; within a data scope, one that routes to it (else NotFound)."""
    c = await session.scalar(
        scoped(ChannelCode, corp_id).where(
            ChannelCode.id == channel_id, ChannelCode.deleted_at.is_(None)
        )
    )
    if c is None:
        raise NotFound(f"channel code {channel_id} does not exist")
    return code_scope.require_seen(visible, c)


@naming.names_states
async def names_of_states(session: AsyncSession, corp_id: int, states: list[str]) -> dict[str, str]:
    """state → channel code name (registered with the customer base, which shows states)."""
    rows = await session.execute(
        scoped(ChannelCode, corp_id, ChannelCode.state, ChannelCode.name).where(
            ChannelCode.state.in_(states)
        )
    )
    return {s: n for s, n in rows.all()}


async def by_state(session: AsyncSession, corp_id: int, state: str) -> ChannelCode | None:
    if not state:
        return None
    return await session.scalar(scoped(ChannelCode, corp_id).where(ChannelCode.state == state))


async def update(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    channel_id: int,
    patch: ChannelCodePatch,
    *,
    visible: frozenset[str] | None = None,
) -> ChannelCode:
    """Apply the changed fields, validate, then update the contact way in WeCom (within a data
    scope: a code entirely within it, before and after the change)."""
    c = await get(session, corp_id, channel_id, visible=visible)
    code_scope.require_within(visible, code_scope.routes_to(c), c.dept_ids)
    fields = patch.model_dump(mode="json", exclude_unset=True)
    after = {
        k: getattr(c, k) if fields.get(k) is None else fields[k]
        for k in ("userids", "backups", "dept_ids")
    }
    code_scope.require_within(visible, [*after["userids"], *after["backups"]], after["dept_ids"])
    if "name" in fields and fields["name"] is not None:
        await _name_free(session, corp_id, fields["name"], exclude=c.id)
    for key, value in fields.items():
        if value is None and key not in ("accept_window", "expires_at", "welcome"):
            continue
        setattr(c, key, value)
    if "expires_at" in fields:
        c.expires_at = await _aware(session, corp_id, patch.expires_at)
    await validate(session, corp_id, c, now=utcnow())
    await rotation.reconcile(session, corp_id, client, c, now=utcnow(), force=True)
    await session.flush()
    return c


async def delete(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    channel_id: int,
    *,
    visible: frozenset[str] | None = None,
) -> None:
    """Delete the contact way in WeCom; the code stays (soft-deleted) for its statistics."""
    c = await get(session, corp_id, channel_id, visible=visible)
    code_scope.require_within(visible, code_scope.routes_to(c), c.dept_ids)
    if c.config_id:
        await api.del_contact_way(client, c.config_id)
    c.deleted_at = utcnow()


async def list_page(
    session: AsyncSession,
    corp_id: int,
    *,
    group_name: str | None = None,
    userid: str | None = None,
    keyword: str | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    visible: frozenset[str] | None = None,
) -> Page[ChannelCode]:
    """One page in the requested order (``name``, ``created_at``, ``id``; ``-`` descending);
    within a data scope, the codes that route to it."""
    order = sorting.parse(sort, SORTS, "id")
    stmt = _filtered(corp_id, group_name=group_name, userid=userid, keyword=keyword)
    if visible is not None:
        stmt = stmt.where(code_scope.visible_filter(visible))
    stmt = sorting.apply(stmt, order, ChannelCode.id, cursor)
    rows = list((await session.scalars(stmt.limit(limit + 1))).all())
    return sorting.page(rows, order, limit)


SORTS = {
    "id": ChannelCode.id,
    "name": ChannelCode.name,
    "group_name": ChannelCode.group_name,
    "created_at": ChannelCode.created_at,
}


def _filtered(
    corp_id: int, *, group_name: str | None, userid: str | None, keyword: str | None
) -> Any:
    stmt = scoped(ChannelCode, corp_id).where(ChannelCode.deleted_at.is_(None))
    if group_name:
        stmt = stmt.where(ChannelCode.group_name == group_name)
    if keyword:
        like = f"%{keyword}%"
        stmt = stmt.where(or_(ChannelCode.name.like(like), ChannelCode.state.like(like)))
    if userid:
        # JSON lists: match the quoted userid inside the serialized list (both dialects).
        stmt = stmt.where(cast(ChannelCode.userids, Text).like(f'%"{userid}"%'))
    return stmt


async def export_rows(
    session: AsyncSession,
    corp_id: int,
    *,
    group_name: str | None = None,
    userid: str | None = None,
    keyword: str | None = None,
    sort: str | None = None,
    visible: frozenset[str] | None = None,
) -> AsyncIterator[list[Any]]:
    """The channel codes as export rows, employees and tags by name, 500 codes at a time."""
    chunk: list[ChannelCode] = []

    async def named(codes: list[ChannelCode]) -> list[list[Any]]:
        people = await employees.display_names(
            session, corp_id, [u for c in codes for u in c.userids]
        )
        wanted = sorted({t for c in codes for t in c.tag_ids})
        tags = (
            dict(
                (
                    await session.execute(
                        scoped(Tag, corp_id, Tag.tag_id, Tag.name).where(Tag.tag_id.in_(wanted))
                    )
                ).all()
            )
            if wanted
            else {}
        )
        return [
            [
                c.id,
                c.name,
                c.group_name,
                c.state,
                [people.get(u, u) for u in c.userids],
                "是" if c.skip_verify else "否",
                [tags.get(t, t) for t in c.tag_ids],
                c.created_at,
            ]
            for c in codes
        ]

    async for c in iter_all(
        session,
        corp_id,
        group_name=group_name,
        userid=userid,
        keyword=keyword,
        sort=sort,
        visible=visible,
    ):
        chunk.append(c)
        if len(chunk) == 500:
            for row in await named(chunk):
                yield row
            chunk = []
    for row in await named(chunk):
        yield row


async def iter_all(
    session: AsyncSession,
    corp_id: int,
    *,
    group_name: str | None = None,
    userid: str | None = None,
    keyword: str | None = None,
    sort: str | None = None,
    visible: frozenset[str] | None = None,
) -> AsyncIterator[ChannelCode]:
    cursor: str | None = None
    while True:
        page = await list_page(
            session,
            corp_id,
            group_name=group_name,
            userid=userid,
            keyword=keyword,
            sort=sort,
            cursor=cursor,
            limit=500,
            visible=visible,
        )
        for c in page.items:
            yield c
        if not page.next_cursor:
            return
        cursor = page.next_cursor


async def count_all(session: AsyncSession, corp_id: int) -> int:
    stmt = scoped(ChannelCode, corp_id, func.count()).where(ChannelCode.deleted_at.is_(None))
    return int(await session.scalar(stmt) or 0)


async def live_codes(session: AsyncSession, corp_id: int) -> list[ChannelCode]:
    return list(
        (
            await session.scalars(
                scoped(ChannelCode, corp_id)
                .where(ChannelCode.deleted_at.is_(None), ChannelCode.config_id != "")
                .order_by(ChannelCode.id)
            )
        ).all()
    )


async def names(session: AsyncSession, corp_id: int, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(ChannelCode.id, ChannelCode.name).where(
            ChannelCode.corp_id == corp_id, ChannelCode.id.in_(list(ids))
        )
    )
    return {i: n for i, n in rows.all()}
