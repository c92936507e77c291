"""The periodic scan: due timers (rows) become to-dos and one app message per employee.

Each round selects at most ``batch`` due rows of one corp through the index
``(corp_id, status, due_at)``, claims them (``scheduled`` → ``open`` only if still
scheduled, so two scans never deliver a step twice), checks the stop conditions of their
runs, mints the content (radar links per customer), records durable app messages and
commits. Rows not due are never read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.ownership import message
from siyu.acquisition.rotation import corp_tz
from siyu.acquisition.tasks import send_app_message
from siyu.content import service as content
from siyu.content.models import ContentItem
from siyu.content.schemas import RadarLinkIn
from siyu.core.settings import get_settings
from siyu.corps.models import Corp
from siyu.customers.models import Customer, FollowRelation
from siyu.db.session import Database
from siyu.groups.models import GroupChat
from siyu.messaging import outbox
from siyu.sop import repository as repo
from siyu.sop import runs, schedule, triggers
from siyu.sop.models import SopRun, SopStep, SopTask, SopTemplate

RADAR_KINDS = ("link", "article")


@dataclass
class ScanResult:
    rounds: int = 0
    selected: int = 0
    delivered: int = 0
    cancelled: int = 0
    messages: list[int] | None = None


def piece(item: ContentItem, *, url: str | None = None) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "title": item.title,
        "text": item.body if item.kind == "text" else "",
        "url": url or item.url,
        "cover": item.cover,
        "description": item.description,
        "item_id": item.id,
    }


async def content_for(
    session: AsyncSession,
    corp: Corp,
    step: SopStep,
    *,
    userid: str,
    customer_id: int | None,
    items: dict[int, ContentItem],
) -> dict[str, Any]:
    """The step's bundle ready to send: its text, then its items (links as radar links)."""
    settings = get_settings()
    pieces: list[dict[str, Any]] = []
    if step.text:
        pieces.append({"kind": "text", "text": step.text})
    for item_id in step.item_ids:
        item = items.get(item_id)
        if item is None or item.archived_at is not None:
            continue  # deleted or archived in the library since the step was written
        url = None
        if item.kind in RADAR_KINDS:
            url, _ = await content.radar_link(
                session,
                corp,
                item.id,
                RadarLinkIn(userid=userid, customer_id=customer_id, ttl_days=30),
                secret_key=settings.secret_key.get_secret_value(),
                base_url=settings.base_url,
            )
        pieces.append(piece(item, url=url))
    return {"pieces": pieces}


async def deliver(
    session: AsyncSession, corp: Corp, task_ids: list[int], *, now: datetime
) -> tuple[int, int, list[int]]:
    """Deliver the claimed due tasks; (delivered, cancelled, app message ids)."""
    claimed = list(
        (
            await session.scalars(
                update(SopTask)
                .where(
                    SopTask.corp_id == corp.id,
                    SopTask.id.in_(task_ids),
                    SopTask.status == "scheduled",
                )
                .values(status="open", delivered_at=now)
                .returning(SopTask.id)
            )
        ).all()
    )
    if not claimed:
        return 0, 0, []
    tasks = list(
        (
            await session.scalars(
                select(SopTask).where(SopTask.id.in_(claimed)).order_by(SopTask.id)
            )
        ).all()
    )
    run_ids = sorted({t.run_id for t in tasks})
    run_rows = (
        await session.execute(
            select(SopRun, SopTemplate)
            .join(SopTemplate, SopTemplate.id == SopRun.template_id)
            .where(SopRun.id.in_(run_ids))
        )
    ).all()
    run_of = {r.id: (r, t) for r, t in run_rows}
    steps = {
        s.id: s
        for s in (
            await session.scalars(select(SopStep).where(SopStep.id.in_({t.step_id for t in tasks})))
        ).all()
    }
    item_ids = {i for s in steps.values() for i in s.item_ids}
    items = {
        i.id: i
        for i in (
            await session.scalars(
                select(ContentItem).where(
                    ContentItem.corp_id == corp.id, ContentItem.id.in_(item_ids)
                )
            )
        ).all()
    }
    live = set(
        (
            await session.execute(
                select(FollowRelation.customer_id, FollowRelation.userid).where(
                    FollowRelation.corp_id == corp.id,
                    FollowRelation.customer_id.in_({t.customer_id for t in tasks if t.customer_id}),
                    FollowRelation.deleted_at.is_(None),
                )
            )
        ).all()
    )
    dismissed = set(
        (
            await session.scalars(
                select(GroupChat.id).where(
                    GroupChat.id.in_({t.group_pk for t in tasks if t.group_pk}),
                    GroupChat.dismissed_at.is_not(None),
                )
            )
        ).all()
    )
    tz = await corp_tz(session, corp.id)
    stops: dict[str, list[int]] = defaultdict(list)
    tags_of = await triggers.tags_of_customers(
        session, corp.id, {t.customer_id for t in tasks if t.customer_id}
    )
    stage_of = await triggers.stages_of_customers(
        session, corp.id, {t.customer_id for t in tasks if t.customer_id}
    )
    per_user: dict[str, list[SopTask]] = defaultdict(list)
    names: dict[int, str] = {}
    for t in tasks:
        run, tpl = run_of[t.run_id]
        reason = None
        if run.status != "running" or not tpl.enabled or tpl.deleted_at is not None:
            reason = run.stop_reason or "disabled"
        elif t.customer_id is not None:
            if (t.customer_id, t.userid) not in live:
                reason = "lost"
            else:
                reason = runs.stop_reason(tpl, tags_of[t.customer_id], stage_of.get(t.customer_id))
        elif t.group_pk in dismissed:
            reason = "dismissed"
        if reason:
            stops[reason].append(run.id)
            continue
        t.overdue_at = schedule.end_of_local_day(max(t.due_at, now), tz)
        t.content = await content_for(
            session, corp, steps[t.step_id], userid=t.userid, customer_id=t.customer_id, items=items
        )
        per_user[t.userid].append(t)
        names[t.template_id] = tpl.name
    cancelled = 0
    for reason, ids in stops.items():
        await runs.stop(session, corp.id, sorted(set(ids)), reason=reason, now=now)
        cancelled += sum(1 for t in tasks if t.run_id in set(ids))
    labels = await _target_names(session, [t for v in per_user.values() for t in v[:5]])
    msgs = []
    for userid, mine in per_user.items():
        sops = "、".join(dict.fromkeys(names[t.template_id] for t in mine))
        who = "、".join(labels.get(t.id) or "客户" for t in mine[:5])
        who += f" 等 {len(mine)} 位" if len(mine) > 5 else ""
        msg = message(
            session,
            corp.id,
            kind="sop_todo",
            userids=[userid],
            text=f"SOP 待办 {len(mine)} 条（{sops}）：{who}。请在客户聊天侧边栏中发送并标记完成。",
            ref=f"sop:{mine[0].id}",
        )
        msgs.append((msg, mine))
    await session.flush()
    for msg, mine in msgs:
        for t in mine:
            t.message_id = msg.id
    return sum(len(v) for v in per_user.values()), cancelled, [m.id for m, _ in msgs]


async def _target_names(session: AsyncSession, tasks: list[SopTask]) -> dict[int, str]:
    """Task id → the customer's or group's name (two queries for the whole round)."""
    cids = {t.customer_id for t in tasks if t.customer_id}
    gids = {t.group_pk for t in tasks if t.group_pk}
    cname: dict[int, str] = {}
    gname: dict[int, str] = {}
    if cids:
        cname = dict(
            (
                await session.execute(
                    select(Customer.id, Customer.name).where(Customer.id.in_(cids))
                )
            ).all()
        )
    if gids:
        gname = dict(
            (
                await session.execute(
                    select(GroupChat.id, GroupChat.name).where(GroupChat.id.in_(gids))
                )
            ).all()
        )
    return {
        t.id: (cname.get(t.customer_id or 0) if t.customer_id else gname.get(t.group_pk or 0)) or ""
        for t in tasks
    }


async def scan_due(
    db: Database, corp_id: int, *, now: datetime, batch: int = 500, max_rounds: int = 1000
) -> ScanResult:
    """Deliver every step of the corp due by ``now``, ``batch`` rows per transaction."""
    result = ScanResult(messages=[])
    for _ in range(max_rounds):
        async with db.unit_of_work() as s:
            corp = await s.get(Corp, corp_id)
            if corp is None:
                break
            ids = list((await s.scalars(repo.due_ids(corp_id, now=now, limit=batch))).all())
            result.rounds += 1
            if not ids:
                break
            result.selected += len(ids)
            delivered, cancelled, msgs = await deliver(s, corp, ids, now=now)
            result.delivered += delivered
            result.cancelled += cancelled
            assert result.messages is not None
            result.messages.extend(msgs)
            for msg_id in msgs:  # sent after this round commits; the minute tick re-sends
                outbox.enqueue(s, send_app_message, corp_id, msg_id)
        if len(ids) < batch:
            break
    return result
