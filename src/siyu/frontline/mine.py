"""The signed-in employee's running tasks for the chat sidebar (我的任务): their own progress
and, for the customer of the chat, the task's content with their own radar links."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.broadcasts.models import BroadcastRecipient
from siyu.content import service as content
from siyu.content.models import ContentItem
from siyu.content.radar import RadarClaim
from siyu.content.service import link_url
from siyu.core.errors import Forbidden
from siyu.corps.principal import Principal
from siyu.customers.models import Customer, FollowRelation
from siyu.frontline import progress
from siyu.frontline.launch import LINK_TTL, LINKS, Signer, text_of
from siyu.frontline.models import FrontlineAssignee, FrontlineTask
from siyu.frontline.schemas import MyPiece, MyTaskOut

#: a person has a handful of running tasks; the sidebar shows the nearest deadlines first
LIMIT = 50


async def _followed_customer(
    s: AsyncSession, corp_id: int, userid: str, external_userid: str
) -> Customer | None:
    """The chat's customer when this employee follows them (otherwise nothing is offered)."""
    c, r = Customer, FollowRelation
    return await s.scalar(
        select(c)
        .join(r, (r.customer_id == c.id) & (r.corp_id == c.corp_id))
        .where(
            c.corp_id == corp_id,
            c.external_userid == external_userid,
            r.userid == userid,
            r.deleted_at.is_(None),
        )
    )


async def _state(s: AsyncSession, task: FrontlineTask, userid: str, ext: str) -> str | None:
    if task.kind != "customer" or task.broadcast_id is None:
        return None
    r = BroadcastRecipient
    return await s.scalar(
        select(r.state).where(
            r.broadcast_id == task.broadcast_id,
            r.corp_id == task.corp_id,
            r.userid == userid,
            r.external_userid == ext,
        )
    )


async def pieces(
    s: AsyncSession,
    task: FrontlineTask,
    userid: str,
    customer_id: int,
    signer: Signer,
    *,
    broadcast: int | None = None,
) -> list[MyPiece]:
    """The task's text, then its items; links and articles become this employee's radar link
    for this customer (0: no customer, whoever the employee shares with), naming ``broadcast``
    (default the task's) so opens count as the task's effect."""
    items: list[ContentItem] = []
    for item_id in task.content_ids:
        item = await content.find(s, task.corp_id, item_id)
        if item is not None and item.archived_at is None:
            items.append(item)
    out: list[MyPiece] = []
    text = text_of(task, items)
    if text:
        out.append(MyPiece(kind="text", text=text))
    expires = int((task.deadline + LINK_TTL).timestamp())
    for item in items:
        if item.kind == "text":
            continue
        url = item.url
        if item.kind in LINKS:
            claim = RadarClaim(
                task.corp_id,
                item.id,
                customer_id,
                userid,
                expires,
                broadcast if broadcast is not None else task.broadcast_id or 0,
                item.link_epoch,
            )
            url = link_url(claim, **signer.kwargs())
        out.append(
            MyPiece(
                kind=item.kind,
                title=item.title,
                url=url,
                cover=item.cover,
                description=item.description,
                item_id=item.id,
            )
        )
    return out


async def my_tasks(
    s: AsyncSession, principal: Principal, *, external_userid: str | None, signer: Signer
) -> list[MyTaskOut]:
    """Running tasks assigning the signed-in employee, nearest deadline first. With the chat's
    customer: whether they are among the employee's targets, and the content to send them."""
    userid = principal.userid
    if not userid:
        raise Forbidden(
            "only an employee's own console user has tasks: sign in through WeCom as the employee"
        )
    t, a = FrontlineTask, FrontlineAssignee
    rows = (
        await s.execute(
            select(t, a)
            .join(a, (a.task_id == t.id) & (a.corp_id == t.corp_id))
            .where(t.corp_id == principal.corp_id, t.status == "running", a.userid == userid)
            .order_by(t.deadline, t.id)
            .limit(LIMIT)
        )
    ).all()
    customer = (
        await _followed_customer(s, principal.corp_id, userid, external_userid)
        if external_userid
        else None
    )
    out: list[MyTaskOut] = []
    for task, mine in rows:
        item = MyTaskOut(
            id=task.id,
            name=task.name,
            description=task.description,
            kind=task.kind,
            deadline=task.deadline,
            mine=progress.out(mine, task),
        )
        if customer is not None:
            item.customer_state = await _state(s, task, userid, customer.external_userid)
            if item.customer_state is not None or task.kind == "todo":
                item.content = await pieces(s, task, userid, customer.id, signer)
        out.append(item)
    return out
