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
from siyu.broadcasts import repository as broadcasts_repo
from siyu.broadcasts import service as broadcasts
from siyu.broadcasts.ledger import for_sender
from siyu.broadcasts.schemas import Audience, BroadcastCreate
from siyu.content.models import ContentItem
from siyu.content.radar import RadarClaim, sign
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.corps.models import Corp
from siyu.db.repository import scoped
from siyu.frontline import repository as repo
from siyu.frontline.models import FrontlineAssignee, FrontlineTask
from siyu.frontline.schemas import Targets

#: content kinds a task can send (the others need media uploaded to WeCom first)
SENDABLE = ("text", "link", "article", "image")
LINK_TTL = timedelta(days=30)  # radar links stay valid this long after the deadline
APP_MESSAGE_BATCH = 1000  # message/send accepts at most 1000 userids


@dataclass
class Outbound:
    """Queue work to enqueue after commit: broadcasts to run, app messages to send."""

    broadcasts: list[int] = field(default_factory=list)
    messages: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Signer:
    secret_key: str
    base_url: str

    def link(self, corp_id: int, item_id: int, userid: str, expires: datetime) -> str:
        claim = RadarClaim(corp_id, item_id, 0, userid, int(expires.timestamp()))
        token = sign(claim, secret_key=self.secret_key)
        return f"{self.base_url.rstrip('/')}/r/{token}"


async def content_items(s: AsyncSession, corp_id: int, ids: list[int]) -> list[ContentItem]:
    """The task's content items in order; unknown or unsendable ones are a clear error."""
    rows = {
        i.id: i
        for i in (
            await s.scalars(scoped(ContentItem, corp_id).where(ContentItem.id.in_(ids)))
        ).all()
    }
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(f"content items {missing} do not exist")
    for item in rows.values():
        if item.kind not in SENDABLE:
            raise InvalidInput(
                f"content item {item.id} is a {item.kind}: WeCom needs an uploaded media id for "
                "it, which tasks do not upload yet; use text, link, article or image items"
            )
    return [rows[i] for i in ids]


def check_content(kind: str, items: list[ContentItem]) -> None:
    links = [i for i in items if i.kind in ("link", "article")]
    images = [i for i in items if i.kind == "image"]
    if kind == "moment" and (len(links) > 1 or (links and images)):
        raise InvalidInput("a moment carries either one link or up to 9 images (WeCom's rule)")


def message_parts(
    task: FrontlineTask,
    items: list[ContentItem],
    userids: list[str],
    signer: Signer,
) -> tuple[str, list[dict[str, Any]]]:
    """Text and WeCom attachments; each link carries every sender's own radar link."""
    texts = [task.text] if task.text else []
    attachments: list[dict[str, Any]] = []
    expires = task.deadline + LINK_TTL
    for item in items:
        if item.kind == "text":
            texts.append(item.body or item.description or item.title)
        elif item.kind == "image":
            attachments.append({"msgtype": "image", "image": {"pic_url": item.url or item.cover}})
        else:
            link = {"title": item.title[:64], "desc": item.description, "url": item.url}
            if item.cover:
                link["picurl"] = item.cover
            urls = {u: signer.link(task.corp_id, item.id, u, expires) for u in userids}
            if not link["url"]:  # an article is hosted by Siyu behind the radar redirect
                link["url"] = signer.link(task.corp_id, item.id, "", expires)
            attachments.append({"msgtype": "link", "link": link, "sender_urls": urls})
            item.uses += 1
    return "\n\n".join(t for t in texts if t), attachments


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
    per = await broadcasts_repo.sender_counts(s, picked)
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
        text, own = message_parts(task, items, userids, signer)
        attachments = own
        name = f"营销任务 #{task.id} {task.name}"[:100]
        senders = [[u] for u in userids] if task.kind == "moment" else [userids]
        for group in senders:
            if task.kind == "moment":  # one moment per employee: their own link, baked in
                attachments = for_sender(own, group[0])
            b = await broadcasts.create(
                s,
                corp,
                data=BroadcastCreate(
                    name=name,
                    audience=audience(task, group),
                    text=text,
                    attachments=attachments,
                ),
                created_by=f"task:{task.id}",
            )
            out.broadcasts.append(b.id)
            if task.kind == "moment":
                next(a for a in keep if a.userid == group[0]).broadcast_id = b.id
            else:
                task.broadcast_id = b.id
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
