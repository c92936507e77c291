"""Starting a task: its content as WeCom text + attachments (link items become per-employee
radar links), its broadcast(s) through the durable ledger, and the app message to employees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import AppMessage
from siyu.acquisition.ownership import message
from siyu.broadcasts import service as broadcasts
from siyu.broadcasts.schemas import Audience, BroadcastCreate
from siyu.content import messages as content_messages
from siyu.content import service as content
from siyu.content.models import ContentItem
from siyu.content.radar import RadarClaim
from siyu.content.service import link_url
from siyu.core.errors import Conflict, InvalidInput
from siyu.corps.models import Corp
from siyu.frontline import repository as repo
from siyu.frontline.models import FrontlineAssignee, FrontlineTask
from siyu.frontline.schemas import Targets

LINKS = ("link", "article")
LINK_TTL = timedelta(days=30)  # radar links stay valid this long after the deadline
APP_MESSAGE_BATCH = 1000  # message/send accepts at most 1000 userids


@dataclass
class Outbound:
    """Queue work to enqueue after commit: broadcasts to run, app messages to send."""

    broadcasts: list[int] = field(default_factory=list)
    messages: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Signer:
    """What signing radar links needs (Siyu's secret key and public base URL)."""

    secret_key: str
    base_url: str

    def kwargs(self) -> dict[str, str]:
        return {"secret_key": self.secret_key, "base_url": self.base_url}


async def content_items(s: AsyncSession, corp_id: int, ids: list[int]) -> list[ContentItem]:
    """The task's content items in order; unknown, archived or unsendable ones are a clear
    error (text items are appended to the message text)."""
    items = []
    for item_id in ids:
        item = await content.find(s, corp_id, item_id)
        if item is not None and item.kind == "text":
            items.append(item)
        else:
            items.append(await content_messages.check(s, corp_id, item_id))
    return items


def check_content(kind: str, items: list[ContentItem]) -> None:
    attached = [i for i in items if i.kind != "text"]
    if kind == "moment" and (len(attached) > 1 or any(i.kind not in LINKS for i in attached)):
        raise InvalidInput("a moment task carries text and at most one link or article")


def text_of(task: FrontlineTask, items: list[ContentItem]) -> str:
    texts = [task.text] if task.text else []
    texts += [i.body or i.description or i.title for i in items if i.kind == "text"]
    return "\n\n".join(t for t in texts if t)


def moment_link(
    task: FrontlineTask, item: ContentItem, userid: str, broadcast_id: int, signer: Signer
) -> dict[str, Any]:
    """A moment's link: the employee's own radar link naming their moment broadcast (the
    ledger resolves content references for mass messages, not for moments)."""
    expires = int((task.deadline + LINK_TTL).timestamp())
    claim = RadarClaim(task.corp_id, item.id, 0, userid, expires, broadcast_id, item.link_epoch)
    link = {"title": item.title[:64], "url": link_url(claim, **signer.kwargs())}
    if item.cover:
        link["picurl"] = item.cover
    return {"msgtype": "link", "link": link}


def audience(task: FrontlineTask, userids: list[str]) -> Audience:
    t = Targets.model_validate(task.targets)
    return Audience(
        kind=task.kind,  # type: ignore[arg-type]
        filter=t.filter,
        segment_id=t.segment_id,
        userids=userids,
        visible_tag_ids=t.visible_tag_ids,
    )


async def target_counts(
    s: AsyncSession, corp: Corp, task: FrontlineTask, userids: list[str]
) -> dict[str, int]:
    """``userid -> customers (or groups)`` the task would reach now, from the same assignment
    the broadcast ledger plans with."""
    if task.kind in ("todo", "moment"):
        return dict.fromkeys(userids, 1)
    aud = audience(task, userids)
    picked = await broadcasts.assignment(s, corp, aud)
    per = await broadcasts.sender_counts(s, picked)
    await broadcasts.done_with(s, aud)
    return {u: n for u, _, n in per}


def local(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")


HOW = {
    "customer": "请打开企业微信「客户群发」确认发送",
    "group": "请打开企业微信「客户群群发」确认发送",
    "moment": "请打开企业微信「客户朋友圈」确认发表",
    "todo": "完成后请在任务页标记完成",
}


def notify(
    s: AsyncSession, task: FrontlineTask, userids: list[str], *, text: str, ref: str
) -> list[AppMessage]:
    """Durable app messages (pending → sent by the worker, never twice) in batches of 1000;
    flush before reading their ids."""
    return [
        message(
            s,
            task.corp_id,
            kind="task",
            userids=userids[i : i + APP_MESSAGE_BATCH],
            text=text[:1000],
            ref=ref[:64],
        )
        for i in range(0, len(userids), APP_MESSAGE_BATCH)
    ]


async def launch(
    s: AsyncSession, corp: Corp, task: FrontlineTask, *, now: datetime, signer: Signer
) -> Outbound:
    """Running from now: broadcast(s) created in this transaction, employees notified."""
    out = Outbound()
    if not await repo.claim(s, task, expect=task.status, status="running"):
        raise Conflict("the task was just started by another request")
    people = await repo.all_assignees(s, corp.id, task.id)
    userids = [a.userid for a in people]
    counts = await target_counts(s, corp, task, userids)
    keep: list[FrontlineAssignee] = []
    for a in people:
        a.assigned = counts.get(a.userid, 0)
        if a.assigned:
            keep.append(a)
        else:
            await s.delete(a)  # nobody to send to: not part of the task
    if not keep:
        raise InvalidInput("none of the assigned employees has anyone to send to")
    userids = [a.userid for a in keep]
    task.totals = {"without_targets": sorted(p.userid for p in people if not counts.get(p.userid))}
    if task.kind != "todo":
        items = await content_items(s, corp.id, list(task.content_ids))
        await _broadcasts(s, corp, task, items, keep, signer, out)
    task.status, task.started_at = "running", now
    text = (
        f"【营销任务】{task.name}\n{task.description or task.text}\n"
        f"截止：{local(task.deadline, corp.timezone)}。{HOW[task.kind]}。\n"
        f"查看任务：{signer.base_url.rstrip('/')}/tasks/{task.id}"
    )
    msgs = notify(s, task, userids, text=text, ref=f"task:{task.id}:start")
    await s.flush()
    out.messages = [m.id for m in msgs]
    return out


async def _broadcasts(
    s: AsyncSession,
    corp: Corp,
    task: FrontlineTask,
    items: list[ContentItem],
    keep: list[FrontlineAssignee],
    signer: Signer,
    out: Outbound,
) -> None:
    """The shared broadcast of a customer/group task (content as references the ledger
    resolves per sender: radar links naming the broadcast, media uploaded), or one moment
    broadcast per employee with their own link."""
    name = f"营销任务 #{task.id} {task.name}"[:100]
    text = text_of(task, items)
    attached = [i for i in items if i.kind != "text"]
    if task.kind != "moment":
        b = await broadcasts.create(
            s,
            corp,
            data=BroadcastCreate(
                name=name,
                audience=audience(task, [a.userid for a in keep]),
                text=text,
                content_item_id=attached[0].id if attached else None,
            ),
            created_by=f"task:{task.id}",
        )
        b.attachments = [content_messages.reference(i.id) for i in attached]
        for i in attached:
            i.uses += 1
        task.broadcast_id = b.id
        out.broadcasts.append(b.id)
        return
    for a in keep:
        placeholder = [moment_link(task, i, a.userid, 0, signer) for i in attached]
        b = await broadcasts.create(
            s,
            corp,
            data=BroadcastCreate(
                name=name,
                audience=audience(task, [a.userid]),
                text=text,
                attachments=placeholder,
            ),
            created_by=f"task:{task.id}",
        )
        await s.flush()
        b.attachments = [moment_link(task, i, a.userid, b.id, signer) for i in attached]
        a.broadcast_id = b.id
        out.broadcasts.append(b.id)
