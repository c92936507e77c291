"""Plan and submit a broadcast, crash-safely; sync results from WeCom.

Submission of one sender job:

1. commit ``in_flight`` (+ ``in_flight_since``, ``attempts``) before calling WeCom;
2. call ``add_msg_template``;
3. commit ``submitted`` with the ``msgid``, recipients ``submitted`` (fail_list ``failed``).

A job found ``in_flight`` (the worker died, or the call's outcome is unknown) is reconciled
before anything is resent: WeCom's own list of mass messages (``get_groupmsg_list_v2`` over a
window around ``in_flight_since``) is searched for a message with the same content, not yet
claimed by another job, whose task list names our sender (``get_groupmsg_task``) and whose
send results name one of the job's recipients (``get_groupmsg_send_result``). Found: the job
adopts that msgid. Not found: the call never landed, and the job is sent again. A worker holds
a lease on the broadcast (renewed per job) so that two workers never submit it at once.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.broadcasts import moments
from siyu.broadcasts import repository as repo
from siyu.broadcasts.caps import cap_for
from siyu.broadcasts.models import Broadcast, BroadcastRecipient, BroadcastSender
from siyu.broadcasts.schemas import Audience
from siyu.content import messages as content_messages
from siyu.core.errors import SiyuError
from siyu.core.settings import get_settings
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.wecom import groupmsg_api as api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError, WeComRateLimited, WeComTokenError, WeComUnavailable
from siyu.wecom.media_api import INVALID_MEDIA_ERRCODES

log = logging.getLogger(__name__)
RETRYABLE = (WeComRateLimited, WeComUnavailable, WeComTokenError)
WINDOW_SLACK = 600  # seconds either side of in_flight_since (clock skew)
ACTIVE = ("planning", "submitting")
#: WeCom send-result status -> (recipient state, reason)
RESULT_STATES = {1: ("sent", None), 2: ("not_sent", "not_friend"), 3: ("not_sent", "frequency_cap")}
#: get_groupmsg_task's answers for a msgid WeCom does not know: 41047 无效的企业群发消息id, and
#: 40058 不合法的参数 (the msgid is the only parameter we do not take from WeCom's own answers):
#: the job's results are recorded as lost once and never asked for again (docs/broadcasts.md)
UNKNOWN_MSGID = frozenset({41047, 40058})
#: 群发消息正在被派发中，请稍后再试: asked too soon after add_msg_template; the next sync reads it
DISPATCHING = 41063


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def _claim(db: Database, corp_id: int, broadcast_id: int, owner: str) -> bool:
    """Take (or renew) the lease; False when another live worker holds it or nothing to do."""
    now = utcnow()
    until = now + timedelta(seconds=get_settings().broadcast_lease_seconds)
    b = Broadcast
    async with db.unit_of_work() as s:
        result = await s.execute(
            update(b)
            .where(
                b.id == broadcast_id,
                b.corp_id == corp_id,
                b.status.in_(ACTIVE),
                or_(b.lease_until.is_(None), b.lease_until < now, b.lease_owner == owner),
            )
            .values(lease_owner=owner, lease_until=until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def _release(s: AsyncSession, b: Broadcast, owner: str) -> None:
    if b.lease_owner == owner:
        b.lease_owner, b.lease_until = None, None


async def plan(s: AsyncSession, b: Broadcast, *, tz: str) -> None:
    """Write sender jobs and recipients (one transaction: all or nothing)."""
    from siyu.broadcasts import service
    from siyu.corps import service as corps

    now = utcnow()
    if b.kind == "moment":
        moments.plan(s, b)
        b.planned_at, b.status = now, "submitting"
        return
    audience = Audience.model_validate(b.audience)
    picked = await service.assignment(s, await corps.get(s, b.corp_id), audience)
    rule = await service.cap_rule(s, b.corp_id)
    since, cap = cap_for(rule, now, tz)
    if cap is not None:
        b.cap_blocked_estimate = await repo.count_capped(
            s, b.corp_id, picked, since=since, cap=cap, kind=b.kind
        )
    await repo.write_plan(s, b.corp_id, b.id, picked, now)
    await service.done_with(s, audience)
    counts = await repo.state_counts(s, b.id)
    b.total = sum(counts.values())
    b.senders = len(await repo.jobs(s, b.corp_id, b.id))
    b.counts = counts
    b.planned_at = now
    b.status = "submitting"


async def run(
    db: Database, corp_id: int, broadcast_id: int, client: WeComClient, *, tz: str
) -> str:
    """Plan (if needed) and submit every job of the broadcast; return its status.

    On an error the lease is released at once (a queue retry resumes without waiting for it
    to lapse); a broadcast that cannot be planned (its segment was deleted...) is ``failed``.
    """
    owner = worker_id()
    if not await _claim(db, corp_id, broadcast_id, owner):
        async with db.unit_of_work() as s:
            b = await repo.get(s, corp_id, broadcast_id)
            return b.status if b else "missing"
    try:
        return await _run_leased(db, corp_id, broadcast_id, client, tz=tz, owner=owner)
    except BaseException as exc:
        async with db.unit_of_work() as s:
            b = await repo.get(s, corp_id, broadcast_id)
            if b is not None:
                await _release(s, b, owner)
                if isinstance(exc, SiyuError) and b.status == "planning":
                    b.status, b.error = "failed", exc.message[:300]
                    return b.status
        raise


async def _run_leased(
    db: Database, corp_id: int, broadcast_id: int, client: WeComClient, *, tz: str, owner: str
) -> str:
    async with db.unit_of_work() as s:
        b = await repo.get(s, corp_id, broadcast_id)
        assert b is not None
        if b.status == "planning":
            await plan(s, b, tz=tz)
    while True:
        if not await _claim(db, corp_id, broadcast_id, owner):
            async with db.unit_of_work() as s:
                b = await repo.get(s, corp_id, broadcast_id)
                return b.status if b else "missing"
        async with db.unit_of_work() as s:
            pending = await repo.jobs(s, corp_id, broadcast_id, statuses=("planned", "in_flight"))
            b = await repo.get(s, corp_id, broadcast_id)
            assert b is not None
            if not pending:
                b.status = "submitted"
                b.submitted_at = utcnow()
                b.counts = await repo.state_counts(s, b.id)
                await _release(s, b, owner)
                return b.status
            job_id = pending[0].id
        await submit_job(db, corp_id, broadcast_id, job_id, client)


async def _load(
    s: AsyncSession, corp_id: int, bid: int, job_id: int
) -> tuple[Broadcast, BroadcastSender]:
    b = await repo.get(s, corp_id, bid)
    job = await s.get(BroadcastSender, job_id)
    assert b is not None and job is not None and job.corp_id == corp_id
    return b, job


async def submit_job(
    db: Database, corp_id: int, bid: int, job_id: int, client: WeComClient
) -> None:
    """Submit one sender job exactly once (reconciling first when it was left in flight)."""
    async with db.unit_of_work() as s:
        b, job = await _load(s, corp_id, bid, job_id)
        if job.status == "in_flight" and b.kind == "moment":
            moment_id = await moments.reconcile(s, b, job, client)
            if moment_id is not None:
                job.reconciled, job.status = True, "submitted"
                job.result = {"moment_id": moment_id}
                job.task_status, job.sent_at = 3, utcnow()
                return
        elif job.status == "in_flight":
            msgid = await reconcile(s, b, job, client)
            if msgid is not None:
                job.reconciled = True
                await _record(s, b, job, msgid, fail=None, client=client)
                return
        job.status = "in_flight"
        job.in_flight_since = utcnow()
        job.attempts += 1
        text, attachments, userid, kind = b.text, list(b.attachments), job.userid, b.kind
        audience = dict(b.audience)
        issued_at = b.created_at
    async with db.unit_of_work() as s:
        externals = await repo.job_externals(s, job_id)
    try:
        if kind == "moment":
            jobid = await moments.submit(
                client, text=text, attachments=attachments, audience=audience
            )
            msgid, fail = jobid, list[str]()
        else:
            msgid, fail = await _add_msg_template(
                db, corp_id, bid, client, userid, externals, text, attachments, kind, issued_at
            )
    except RETRYABLE:
        raise  # outcome unknown: the job stays in flight and is reconciled on the next try
    except (WeComError, SiyuError) as exc:  # SiyuError: the attached content item is gone
        if isinstance(exc, WeComError):
            error, reason = f"{exc.errmsg} (errcode {exc.errcode})", f"errcode {exc.errcode}"
        else:
            error, reason = exc.message, "content"
        async with db.unit_of_work() as s:
            b, job = await _load(s, corp_id, bid, job_id)
            job.status, job.error = "failed", error[:300]
            await repo.set_job_recipients(s, job.id, state="failed", reason=reason)
        return
    async with db.unit_of_work() as s:
        b, job = await _load(s, corp_id, bid, job_id)
        await _record(s, b, job, msgid, fail=fail, client=client)


async def _resolve(
    db: Database,
    corp_id: int,
    bid: int,
    client: WeComClient,
    userid: str,
    attachments: list[Any],
    issued_at: datetime,
    *,
    fresh: bool,
) -> list[Any]:
    """Content references → WeCom attachments (radar link per broadcast + sender, media)."""
    if not content_messages.referenced(attachments):
        return attachments
    settings = get_settings()
    async with db.unit_of_work() as s:  # media ids uploaded here are kept
        return await content_messages.resolve(
            s,
            corp_id,
            attachments,
            client,
            userid=userid,
            issued_at=issued_at,
            secret_key=settings.secret_key.get_secret_value(),
            base_url=settings.base_url,
            broadcast_id=bid,
            fresh=fresh,
        )


async def _add_msg_template(
    db: Database,
    corp_id: int,
    bid: int,
    client: WeComClient,
    userid: str,
    externals: list[str],
    text: str,
    attachments: list[Any],
    kind: str,
    issued_at: datetime,
) -> tuple[str, list[str]]:
    """One ``add_msg_template``; an expired media id (40007) is uploaded again and the call
    repeated once (WeCom refused the first one: nothing was created)."""
    for fresh in (False, True):
        resolved = await _resolve(
            db, corp_id, bid, client, userid, attachments, issued_at, fresh=fresh
        )
        try:
            return await api.add_msg_template(
                client,
                sender=userid,
                external_userids=externals,
                text=text,
                attachments=resolved,
                chat_type=chat_type(kind),
            )
        except WeComError as exc:
            retry = exc.errcode in INVALID_MEDIA_ERRCODES and resolved is not attachments
            if fresh or not retry or isinstance(exc, RETRYABLE):
                raise
    raise AssertionError("unreachable")


async def _record(
    s: AsyncSession,
    b: Broadcast,
    job: BroadcastSender,
    msgid: str,
    *,
    fail: list[str] | None,
    client: WeComClient,
) -> None:
    job.status, job.msgid, job.error = "submitted", msgid, None
    await content_messages.count_send(s, b.corp_id, list(b.attachments))
    await repo.set_job_recipients(s, job.id, state="submitted")
    if fail:
        await repo.set_job_recipients(
            s,
            job.id,
            state="failed",
            reason="not_friend",
            only_states=("submitted",),
            externals=fail,
        )
    if b.status == "cancelled" and b.kind != "moment":  # cancelled while in flight
        try:
            await api.cancel_groupmsg_send(client, msgid)
        except WeComError as exc:
            log.warning("cancel of %s after submit failed: %s", msgid, exc)
        else:
            job.status = "cancelled"


async def reconcile(
    s: AsyncSession, b: Broadcast, job: BroadcastSender, client: WeComClient
) -> str | None:
    """The msgid WeCom created for this in-flight job, if the earlier call did land."""
    since = job.in_flight_since or job.created_at
    start = int(since.timestamp()) - WINDOW_SLACK
    end = min(int(utcnow().timestamp()) + WINDOW_SLACK, start + 31 * 86400 - 1)
    listed = api.list_groupmsg(client, start_time=start, end_time=end, chat_type=chat_type(b.kind))
    async for msg in listed:
        content = str((msg.get("text") or {}).get("content") or "")
        if content != b.text or len(msg.get("attachments") or []) != len(b.attachments):
            continue
        msgid = str(msg.get("msgid") or "")
        if not msgid or await repo.msgid_taken(s, b.corp_id, msgid):
            continue
        tasks = await api.groupmsg_tasks(client, msgid)
        if job.userid not in {str(t.get("userid")) for t in tasks}:
            continue
        async for page in api.groupmsg_send_results(client, msgid, job.userid):
            externals = [target(r) for r in page if target(r)]
            if externals and await repo.any_of_job(s, job.id, externals):
                log.info("job %s reconciled with existing message %s", job.id, msgid)
                return msgid
            break
    return None


async def sync(db: Database, corp_id: int, bid: int, client: WeComClient) -> dict[str, int]:
    """Pull task and per-customer results of every submitted job; refresh the counts."""
    async with db.unit_of_work() as s:
        b = await repo.get(s, corp_id, bid)
        if b is None:
            return {}
        cancelled = b.status == "cancelled"
        if b.kind == "moment":
            for moment_job in await repo.jobs(s, corp_id, bid, statuses=("submitted",)):
                await moments.sync(s, moment_job, client)
            b.synced_at = utcnow()
            return {}
        todo = [  # cancelled jobs too: what the employee sent before the cancel is counted
            (j.id, j.msgid, j.userid)
            for j in await repo.jobs(s, corp_id, bid, statuses=("submitted", "cancelled"))
            if j.msgid and not (j.result or {}).get("msgid_unknown")
        ]
    r: Table = BroadcastRecipient.__table__  # type: ignore[assignment]
    stmt = (
        update(r)
        .where(
            r.c.sender_id == bindparam("sid"),
            r.c.external_userid == bindparam("ext"),
            or_(r.c.state == "submitted", r.c.state == "planned"),  # no IN: executemany
        )
        .values(state=bindparam("st"), reason=bindparam("why"), sent_at=bindparam("at"))
    )
    for job_id, msgid, userid in todo:
        assert msgid is not None
        try:
            tasks = await api.groupmsg_tasks(client, msgid)
        except WeComError as exc:
            if await _unreadable(db, job_id, msgid, exc):
                continue
            raise
        mine = next((t for t in tasks if str(t.get("userid")) == userid), None)
        if mine is not None:  # the task first: a sent recipient implies a known task status
            async with db.unit_of_work() as s:
                job = await s.get(BroadcastSender, job_id)
                assert job is not None
                job.task_status = int(mine.get("status") or 0)
                job.sent_at = _ts(mine.get("send_time"))
                if job.task_status == 2 and job.status == "cancelled":
                    job.status = "submitted"  # the employee had sent it before the cancel
        async for page in api.groupmsg_send_results(client, msgid, userid):
            params = []
            for row in page:
                status = int(row.get("status") or 0)
                state = RESULT_STATES.get(status)
                if state is None and cancelled:
                    state = ("not_sent", "cancelled")
                if state is None:
                    continue
                at = _ts(row.get("send_time")) if status == 1 else None
                params.append(
                    {
                        "sid": job_id,
                        "ext": target(row),
                        "st": state[0],
                        "why": state[1],
                        "at": at,
                    }
                )
            if params:
                async with db.unit_of_work() as s:
                    await s.execute(stmt, params)
    async with db.unit_of_work() as s:
        b = await repo.get(s, corp_id, bid)
        assert b is not None
        b.counts = await repo.state_counts(s, bid)
        b.synced_at = utcnow()
        return dict(b.counts)


async def _unreadable(db: Database, job_id: int, msgid: str, exc: WeComError) -> bool:
    """True when WeCom's answer means this job's results cannot be read now, so that the sync
    goes on with the other jobs instead of failing (and being retried) as a whole:

    - 41063, the message is still being dispatched: the next sync asks again;
    - an unknown msgid (:data:`UNKNOWN_MSGID`; a demo restarted against a fresh sandbox, a
      message WeCom no longer keeps): recorded once, on the job (``result.msgid_unknown``,
      ``error``) and on its recipients still waiting for a result (``failed``,
      ``msgid_unknown``); no later sync asks WeCom about it again.
    """
    if isinstance(exc, RETRYABLE):
        return False
    if exc.errcode == DISPATCHING:
        log.info("message %s is still being dispatched: its results are read next time", msgid)
        return True
    if exc.errcode not in UNKNOWN_MSGID:
        return False
    async with db.unit_of_work() as s:
        job = await s.get(BroadcastSender, job_id)
        assert job is not None
        job.result = {**(job.result or {}), "msgid_unknown": exc.errcode}
        job.error = f"{exc.errmsg} (errcode {exc.errcode})"[:300]
        await repo.set_job_recipients(
            s, job_id, state="failed", reason="msgid_unknown", only_states=("planned", "submitted")
        )
    log.info(
        "WeCom does not know message %s (errcode %d): the results of broadcast job %d are "
        "recorded as lost",
        msgid,
        exc.errcode,
        job_id,
    )
    return True


def chat_type(kind: str) -> str:
    """WeCom's chat_type of a broadcast kind."""
    return "group" if kind == "group" else "single"


def target(row: dict[str, object]) -> str:
    """The customer (external_userid) or group (chat_id) of a send-result row."""
    return str(row.get("external_userid") or row.get("chat_id") or "")


def _ts(value: object) -> datetime | None:
    if not value:
        return None
    from datetime import UTC

    return datetime.fromtimestamp(int(str(value)), UTC)
