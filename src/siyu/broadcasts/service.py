"""Broadcasts: create, preview, list, detail, ledger pages, remind, cancel, settings.

Functions take the session and the corp explicitly and never commit. Submission and result
sync live in :mod:`siyu.broadcasts.ledger` (run by the worker).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.broadcasts import repository as repo
from siyu.broadcasts import scope
from siyu.broadcasts.caps import cap_for
from siyu.broadcasts.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastSender,
    BroadcastSettings,
)
from siyu.broadcasts.schemas import (
    ActionResult,
    Audience,
    BroadcastCreate,
    BroadcastDetail,
    BroadcastOut,
    Preview,
    RecipientOut,
    SenderCount,
    SenderOut,
)
from siyu.content import messages
from siyu.content import opens as content_opens
from siyu.core import sorting
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.core.pagination import encode_cursor, id_page_bounds
from siyu.corps.models import Corp
from siyu.corps.principal import Principal
from siyu.customers.models import Customer
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.employees import service as employees
from siyu.groups.models import GroupChat
from siyu.segments import service as segments
from siyu.wecom import groupmsg_api as api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError


async def cap_rule(s: AsyncSession, corp_id: int) -> str:
    """The corp's cap rule (default: 4 per natural month, WeCom's documented rule)."""
    row = await s.scalar(scoped(BroadcastSettings, corp_id))
    return row.cap_rule if row else "month4"


async def set_cap_rule(s: AsyncSession, corp: Corp, *, rule: str) -> str:
    row = await s.scalar(scoped(BroadcastSettings, corp.id))
    if row is None:
        s.add(BroadcastSettings(corp_id=corp.id, cap_rule=rule))
    else:
        row.cap_rule = rule
    return rule


async def assignment(s: AsyncSession, corp: Corp, audience: Audience) -> Select[Any]:
    """The audience's ``(customer_id, external_userid, userid, chunk)`` statement; with a
    segment, its current members sit in a temporary table until :func:`done_with`."""
    if audience.kind == "group":
        return repo.group_assignment(corp.id, audience)
    members = None
    if audience.segment_id is not None:
        row = await segments.get(s, corp.id, audience.segment_id)
        bm = await segments.members_bitmap(s, corp, segments.definition_of(row))
        members = await repo.segment_members(s, list(bm))
    return repo.assignment(corp.id, audience, members=members)


async def done_with(s: AsyncSession, audience: Audience) -> None:
    if audience.segment_id is not None:
        await repo.drop_segment_members(s)


async def preview(
    s: AsyncSession,
    corp: Corp,
    *,
    audience: Audience,
    now: datetime | None = None,
    principal: Principal | None = None,
) -> Preview:
    """How many customers, senders and calls; how many recipients the cap will block (within
    the ``principal``'s data scope: see ``scope``)."""
    if principal is not None:
        audience = scope.audience_within(principal, audience)
    rule = await cap_rule(s, corp.id)
    if audience.kind == "moment":  # WeCom decides who sees it: no recipient list
        return Preview(
            total=0,
            senders=len(audience.userids),
            jobs=1,
            cap_rule=rule,  # type: ignore[arg-type]
            cap=None,
            cap_blocked=0,
            by_employee=[],
        )
    picked = await assignment(s, corp, audience)
    per = await repo.sender_counts(s, picked)
    since, cap = cap_for(rule, now or utcnow(), corp.timezone)
    blocked = 0
    if cap is not None:
        blocked = await repo.count_capped(
            s, corp.id, picked, since=since, cap=cap, kind=audience.kind
        )
    await done_with(s, audience)
    return Preview(
        total=sum(n for _, _, n in per),
        senders=len(per),
        jobs=sum(c for _, c, _ in per),
        cap_rule=rule,  # type: ignore[arg-type]
        cap=cap,
        cap_blocked=blocked,
        by_employee=[SenderCount(userid=u, recipients=n) for u, _, n in per[:200]],
    )


async def create(
    s: AsyncSession,
    corp: Corp,
    *,
    data: BroadcastCreate,
    created_by: str,
    principal: Principal | None = None,
) -> Broadcast:
    """A broadcast; immediate ones start planning now, scheduled ones wait for the due scan.
    A ``principal`` with a data scope sends within it: its audience is stored narrowed to its
    visible employees (``scope.audience_within``), which the plan then keeps to."""
    if principal is not None:
        data = data.model_copy(update={"audience": scope.audience_within(principal, data.audience)})
    if data.audience.segment_id is not None:
        from siyu.segments import service as segments

        await segments.get(s, corp.id, data.audience.segment_id)  # NotFound: 404
    attachments = list(data.attachments)
    if data.content_item_id is not None:
        if data.audience.kind == "moment":
            raise InvalidInput("content items go to customer and group broadcasts, not moments")
        await messages.check(s, corp.id, data.content_item_id)
        attachments.append(messages.reference(data.content_item_id))
    now = utcnow()
    due = data.scheduled_at is None or data.scheduled_at <= now
    b = Broadcast(
        corp_id=corp.id,
        name=data.name,
        kind=data.audience.kind,
        status="planning" if due else "scheduled",
        audience=data.audience.model_dump(mode="json"),
        text=data.text,
        attachments=attachments,
        scheduled_at=data.scheduled_at,
        created_by=created_by,
        counts={},
    )
    s.add(b)
    await s.flush()
    return b


async def get(
    s: AsyncSession, corp: Corp, broadcast_id: int, *, creator: str | None = None
) -> Broadcast:
    """The broadcast; with ``creator`` (a manager's or staff member's name, see
    ``scope.creator_of``) only one they created, else NotFound."""
    b = await repo.get(s, corp.id, broadcast_id)
    if b is None or (creator is not None and b.created_by != creator):
        raise NotFound(f"broadcast {broadcast_id} does not exist")
    return b


async def list_page(
    s: AsyncSession,
    corp: Corp,
    *,
    status: str | None,
    keyword: str | None,
    cursor: str | None,
    limit: int,
    sort: str | None = None,
    creator: str | None = None,
) -> tuple[list[Broadcast], str | None]:
    """Newest first by default; ``sort`` orders every page (see ``SORTS``); with ``creator``
    only the broadcasts they created."""
    order = sorting.parse(sort, SORTS, "-id")
    stmt = scoped(Broadcast, corp.id)
    if creator is not None:
        stmt = stmt.where(Broadcast.created_by == creator)
    if status:
        stmt = stmt.where(Broadcast.status == status)
    if keyword:
        stmt = stmt.where(Broadcast.name.like(f"%{keyword}%"))
    stmt = sorting.apply(stmt, order, Broadcast.id, cursor)
    page = sorting.page(list((await s.scalars(stmt.limit(limit + 1))).all()), order, limit)
    return page.items, page.next_cursor


def check_sort(sort: str | None) -> None:
    """A bad sort is a 422 before an export starts streaming."""
    sorting.parse(sort, SORTS, "-id")


SORTS = {
    "id": Broadcast.id,
    "name": Broadcast.name,
    "status": Broadcast.status,
    "total": Broadcast.total,
    "senders": Broadcast.senders,
    "created_at": Broadcast.created_at,
}


async def detail(
    s: AsyncSession, corp: Corp, broadcast_id: int, *, creator: str | None = None
) -> BroadcastDetail:
    """The broadcast with live counts and every sender job's results."""
    b = await get(s, corp, broadcast_id, creator=creator)
    per_job = await repo.job_state_counts(s, b.id)
    jobs = [
        SenderOut.model_validate(j).model_copy(update={"counts": per_job.get(j.id, {})})
        for j in await repo.jobs(s, corp.id, b.id)
    ]
    out = BroadcastOut.model_validate(b).model_copy(
        update={"counts": await repo.state_counts(s, b.id)}
    )
    radar = None
    if b.content_item_id is not None:
        radar = await content_opens.stats(s, corp, broadcast_id=b.id)
    return BroadcastDetail(**out.model_dump(), jobs=jobs, radar=radar)


async def recipients_page(
    s: AsyncSession,
    corp: Corp,
    broadcast_id: int,
    *,
    state: str | None,
    userid: str | None,
    cursor: str | None,
    limit: int,
    creator: str | None = None,
) -> tuple[Sequence[BroadcastRecipient], str | None]:
    b = await get(s, corp, broadcast_id, creator=creator)
    r = BroadcastRecipient
    stmt = select(r).where(r.broadcast_id == b.id, r.corp_id == corp.id)
    if state:
        stmt = stmt.where(r.state == state)
    if userid:
        stmt = stmt.where(r.userid == userid)
    after = id_page_bounds(cursor)
    if after is not None:
        stmt = stmt.where(r.id > after)
    rows = list((await s.scalars(stmt.order_by(r.id).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor([rows[-1].id]) if more and rows else None


async def named_recipients(
    s: AsyncSession, corp_id: int, rows: Sequence[BroadcastRecipient]
) -> list[RecipientOut]:
    """Recipients with the names a person reads: the customer's and the sender's."""
    customers = {
        i: n
        for i, n in (
            await s.execute(
                scoped(Customer, corp_id, Customer.id, Customer.name).where(
                    Customer.id.in_({r.customer_id for r in rows})
                )
            )
        ).all()
    }
    chat_ids = {r.external_userid for r in rows if r.customer_id == 0}  # group broadcasts
    chats = dict(
        (
            await s.execute(
                scoped(GroupChat, corp_id, GroupChat.chat_id, GroupChat.name).where(
                    GroupChat.chat_id.in_(chat_ids)
                )
            )
        ).all()
        if chat_ids
        else []
    )
    people = await employees.display_names(s, corp_id, [r.userid for r in rows])
    return [
        RecipientOut.model_validate(r).model_copy(
            update={
                "customer_name": customers.get(r.customer_id, "")
                or (chats.get(r.external_userid, "") if r.customer_id == 0 else ""),
                "employee_name": people.get(r.userid, ""),
            }
        )
        for r in rows
    ]


RECIPIENT_STATES = {
    "planned": "待提交",
    "submitted": "待员工确认",
    "sent": "已送达",
    "not_sent": "未发送",
    "failed": "失败",
}
RECIPIENT_REASONS = {
    "frequency_cap": "频次限制",
    "not_friend": "已非好友",
    "cancelled": "已取消",
    "msgid_unknown": "企业微信已无此群发",
}


async def export_rows(
    s: AsyncSession, corp: Corp, broadcast_id: int, *, creator: str | None = None
) -> AsyncIterator[list[Any]]:
    """The recipient ledger, page by page (for CSV/XLSX export), in names and words."""
    cursor: str | None = None
    while True:
        rows, cursor = await recipients_page(
            s,
            corp,
            broadcast_id,
            state=None,
            userid=None,
            cursor=cursor,
            limit=2000,
            creator=creator,
        )
        for r in await named_recipients(s, corp.id, rows):
            yield [
                r.customer_name or r.external_userid,
                r.customer_id,
                r.employee_name or r.userid,
                RECIPIENT_STATES.get(r.state, r.state),
                RECIPIENT_REASONS.get(r.reason or "", r.reason or ""),
                r.sent_at,
            ]
        if cursor is None:
            return


async def remind(
    s: AsyncSession,
    corp: Corp,
    broadcast_id: int,
    *,
    client: WeComClient,
    creator: str | None = None,
) -> ActionResult:
    """Remind every sender who has not sent yet (WeCom allows 3 per message per 24 h)."""
    b = await get(s, corp, broadcast_id, creator=creator)
    if b.kind == "moment":
        raise InvalidInput("moments cannot be reminded")
    jobs = [
        j
        for j in await repo.jobs(s, corp.id, b.id, statuses=("submitted",))
        if j.msgid and j.task_status != 2
    ]
    errors: list[str] = []
    for j in jobs:
        assert j.msgid is not None
        try:
            await api.remind_groupmsg_send(client, j.msgid)
            j.reminds += 1
        except WeComError as exc:
            errors.append(f"{j.userid}: {exc.errmsg} (errcode {exc.errcode})")
    return ActionResult(jobs=len(jobs), ok=len(jobs) - len(errors), errors=errors)


async def cancel(
    s: AsyncSession,
    corp: Corp,
    broadcast_id: int,
    *,
    client: WeComClient,
    creator: str | None = None,
) -> ActionResult:
    """Stop a broadcast: unsent jobs never go out, submitted messages are cancelled in WeCom."""
    b = await get(s, corp, broadcast_id, creator=creator)
    if b.status in ("cancelled", "failed"):
        raise Conflict(f"the broadcast is already {b.status}")
    b.status, b.cancelled_at = "cancelled", utcnow()
    j = BroadcastSender
    planned = [x.id for x in await repo.jobs(s, corp.id, b.id, statuses=("planned",))]
    if planned:
        await s.execute(update(j).where(j.id.in_(planned)).values(status="cancelled"))
        r = BroadcastRecipient
        await s.execute(
            update(r)
            .where(r.sender_id.in_(planned), r.state == "planned")
            .values(state="not_sent", reason="cancelled")
        )
    jobs = [x for x in await repo.jobs(s, corp.id, b.id, statuses=("submitted",)) if x.msgid]
    if b.kind == "moment":
        jobs = []  # a published moment is not cancelled through this API
    errors: list[str] = []
    for x in jobs:
        assert x.msgid is not None
        try:
            await api.cancel_groupmsg_send(client, x.msgid)
        except WeComError as exc:
            errors.append(f"{x.userid}: {exc.errmsg} (errcode {exc.errcode})")
            continue
        if x.task_status != 2:  # the employee had not sent it: it never will now
            x.status = "cancelled"
    return ActionResult(jobs=len(jobs), ok=len(jobs) - len(errors), errors=errors)


async def due(s: AsyncSession, *, now: datetime) -> list[tuple[int, int]]:
    """Scheduled broadcasts now due: moved to planning; ``(corp_id, id)`` to run."""
    rows = (
        await s.scalars(
            select(Broadcast).where(Broadcast.status == "scheduled", Broadcast.scheduled_at <= now)
        )
    ).all()
    for b in rows:
        b.status = "planning"
    return [(b.corp_id, b.id) for b in rows]


async def stalled(s: AsyncSession, *, now: datetime) -> list[tuple[int, int]]:
    """Planning or submitting broadcasts whose worker lease lapsed (or was never taken)."""
    rows = await s.execute(
        select(Broadcast.corp_id, Broadcast.id).where(
            Broadcast.status.in_(("planning", "submitting")),
            (Broadcast.lease_until.is_(None)) | (Broadcast.lease_until < now),
        )
    )
    return [(int(c), int(i)) for c, i in rows.all()]


async def to_sync(
    s: AsyncSession, *, now: datetime, every: int, horizon: int
) -> list[tuple[int, int]]:
    """Submitted (or cancelled) broadcasts not synced for ``every`` seconds, for ``horizon`` s."""
    from datetime import timedelta

    rows = await s.execute(
        select(Broadcast.corp_id, Broadcast.id).where(
            Broadcast.status.in_(("submitted", "cancelled")),
            func.coalesce(Broadcast.submitted_at, Broadcast.cancelled_at)
            > now - timedelta(seconds=horizon),
            (Broadcast.synced_at.is_(None))
            | (Broadcast.synced_at < now - timedelta(seconds=every)),
        )
    )
    return [(int(c), int(i)) for c, i in rows.all()]


async def find(s: AsyncSession, corp_id: int, broadcast_id: int) -> Broadcast | None:
    """The broadcast or None (for other domains that refer to broadcasts)."""
    return await repo.get(s, corp_id, broadcast_id)


async def sender_jobs(s: AsyncSession, corp_id: int, broadcast_id: int) -> list[BroadcastSender]:
    """The broadcast's sender jobs (one per employee and chunk)."""
    return await repo.jobs(s, corp_id, broadcast_id)


async def sender_counts(s: AsyncSession, picked: Select[Any]) -> list[tuple[str, int, int]]:
    """``(userid, chunks, recipients)`` per sender of an assignment (see :func:`assignment`)."""
    return await repo.sender_counts(s, picked)
