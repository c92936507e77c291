"""Radar opens: record an open, identify an unknown opener by OAuth, store read time.

An open whose link names the customer is identified at once (``identified_by = link``). A link
without one (a broadcast to many, a forwarded link) is recorded as anonymous, and the opener is
sent through WeCom's OAuth; when WeCom names an ``external_userid`` of the corp the open becomes
the customer's (``oauth``). Either way the employee hears about it once (durable app message)
and the customer's timeline gets a ``radar_opened`` row, later updated with the read time.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.ownership import message
from siyu.content import repository as repo
from siyu.content.models import ContentItem, RadarOpen
from siyu.content.radar import RadarClaim, link_id, verify, verify_open
from siyu.content.schemas import ContentStats, RadarOpenOut
from siyu.core.errors import Forbidden, Gone, NotFound
from siyu.corps.models import Corp
from siyu.customers import timeline
from siyu.customers.models import Customer, TimelineEvent
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.wecom import media_api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError

log = logging.getLogger(__name__)
#: one open per link and client within this window; one app message per employee and customer
DEDUP_WINDOW = timedelta(minutes=30)
READ_SLACK = 10  # seconds a beat may run ahead of the wall clock since the open
WECOM_API = "https://qyapi.weixin.qq.com"


def oauth_possible(corp: Corp, user_agent: str) -> bool:
    """WeCom's OAuth works inside WeChat / WeCom (their browsers say ``MicroMessenger``);
    the sandbox's sign-in page works in any browser."""
    return corp.api_base.rstrip("/") != WECOM_API or "MicroMessenger" in user_agent


@dataclass
class Opened:
    item: ContentItem
    open: RadarOpen
    claim: RadarClaim
    #: the app message to send after commit (None: none due, or OAuth may still identify)
    message_id: int | None
    #: the opener should go through OAuth first
    oauth: bool = False


async def _item(s: AsyncSession, claim: RadarClaim, token: str) -> ContentItem:
    """The item of a live link: an archived item, a link of an older generation (every link
    revoked) or a revoked link is :class:`Gone` (410)."""
    item = await s.scalar(scoped(ContentItem, claim.corp_id).where(ContentItem.id == claim.item_id))
    if item is None:
        raise NotFound("this content no longer exists")
    if item.archived_at is not None:
        raise Gone("this content was withdrawn")
    if claim.epoch < item.link_epoch or await repo.link_revoked(s, claim.corp_id, link_id(token)):
        raise Gone("this link was revoked")
    return item


def read_text(seconds: int) -> str:
    """``2 min 10 s`` / ``45 s``."""
    minutes, secs = divmod(max(seconds, 0), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


async def _notified_lately(
    s: AsyncSession, o: RadarOpen, customer: Customer | None, now: datetime
) -> bool:
    """Whether the employee already got a message within the window for this customer (for
    an unidentified visitor: for this item)."""
    stmt = scoped(RadarOpen, o.corp_id, RadarOpen.id).where(
        RadarOpen.userid == o.userid,
        RadarOpen.notified.is_(True),
        RadarOpen.opened_at >= now - DEDUP_WINDOW,
        RadarOpen.id != o.id,
    )
    if customer is not None:
        stmt = stmt.where(RadarOpen.customer_id == customer.id)
    else:
        stmt = stmt.where(RadarOpen.customer_id.is_(None), RadarOpen.item_id == o.item_id)
    return await s.scalar(stmt.limit(1)) is not None


async def _identified(
    s: AsyncSession, item: ContentItem, o: RadarOpen, customer: Customer | None, how: str
) -> int | None:
    """Timeline row (for a customer) and the app message to the employee; the message id
    (None: the employee heard about this customer within the window already)."""
    now = o.opened_at
    if customer is not None:
        o.customer_id, o.identified_by = customer.id, how
        row = TimelineEvent(
            **timeline.entry(
                o.corp_id,
                customer.id,
                timeline.RADAR_OPENED,
                at=now,
                userid=o.userid,
                item_id=item.id,
                title=item.title,
                open_id=o.id,
                broadcast_id=o.broadcast_id,
                identified_by=how,
            )
        )
        s.add(row)
        await s.flush()
        await timeline.touch(s, [(customer.id, now)])
        o.timeline_id = row.id
    if await _notified_lately(s, o, customer, now):
        return None
    o.notified = True
    who = customer.name or "一位客户" if customer else "一位未识别的访客"
    via = "（群发）" if o.broadcast_id else ""
    msg = message(
        s,
        o.corp_id,
        kind="radar_open",
        userids=[o.userid],
        text=f"{who} 刚刚打开了《{item.title}》{via}（{now.astimezone(UTC):%H:%M} UTC）",
        ref=f"radar:{item.id}:{o.id}",
    )
    await s.flush()
    return msg.id


async def corp_of(s: AsyncSession, token: str, *, secret_key: str) -> Corp:
    claim = verify(token, secret_key=secret_key)
    corp = await s.get(Corp, claim.corp_id)
    if corp is None:
        raise NotFound("this content no longer exists")
    return corp


async def item_of(s: AsyncSession, token: str, *, secret_key: str) -> ContentItem:
    return await _item(s, verify(token, secret_key=secret_key), token)


def client_key(ip: str, user_agent: str) -> str:
    """Who is opening: a hash of the address and the browser (no personal data stored)."""
    return hashlib.sha256(f"{ip}\n{user_agent}".encode()).hexdigest()[:32]


async def _repeat(s: AsyncSession, claim: RadarClaim, link: str, client: str) -> RadarOpen | None:
    """This client's open of this link within the window, if any."""
    return await s.scalar(
        scoped(RadarOpen, claim.corp_id)
        .where(
            RadarOpen.link == link,
            RadarOpen.client == client,
            RadarOpen.opened_at >= utcnow() - DEDUP_WINDOW,
        )
        .order_by(RadarOpen.id.desc())
        .limit(1)
    )


async def record_open(
    s: AsyncSession,
    token: str,
    *,
    secret_key: str,
    user_agent: str | None = None,
    client: str = "",
) -> Opened:
    """Verify the token and store the open. When the link names no customer and OAuth can
    identify the opener (see :func:`oauth_possible`), ``oauth`` is set: the employee's
    message waits for :func:`identify_opener`. ``user_agent=None``: never OAuth.

    The same ``client`` opening the same link again within :data:`DEDUP_WINDOW` makes no new
    open, timeline row or message: it only bumps the open's ``hits``."""
    claim = verify(token, secret_key=secret_key)
    item = await _item(s, claim, token)
    identify = False
    if user_agent is not None and not claim.customer_id:
        identify = oauth_possible(await corp_of(s, token, secret_key=secret_key), user_agent)
    seen = await _repeat(s, claim, link_id(token), client) if client else None
    if seen is not None:
        seen.hits += 1
        pending = identify and not seen.identified_by and not seen.openid
        return Opened(item, seen, claim, None, oauth=pending)
    customer = None
    if claim.customer_id:
        customer = await s.scalar(
            scoped(Customer, claim.corp_id).where(Customer.id == claim.customer_id)
        )
    o = RadarOpen(
        corp_id=claim.corp_id,
        item_id=item.id,
        userid=claim.userid,
        opened_at=utcnow(),
        broadcast_id=claim.broadcast_id or None,
        identified_by="",
        read_seconds=0,
        link=link_id(token),
        client=client,
        hits=1,
        notified=False,
    )
    s.add(o)
    item.opens += 1
    await s.flush()
    if customer is None and identify:
        return Opened(item, o, claim, None, oauth=True)
    return Opened(item, o, claim, await _identified(s, item, o, customer, "link"))


async def _open_of(s: AsyncSession, claim: RadarClaim, ref: str, secret_key: str) -> RadarOpen:
    open_id = verify_open(ref, secret_key=secret_key)
    o = await s.scalar(scoped(RadarOpen, claim.corp_id).where(RadarOpen.id == open_id))
    if o is None or o.item_id != claim.item_id:
        raise Forbidden("this reference does not belong to this link")
    return o


async def identify_opener(
    s: AsyncSession,
    token: str,
    *,
    state: str,
    code: str,
    client: WeComClient | None,
    secret_key: str,
) -> Opened:
    """After OAuth: the customer behind ``code`` (when WeCom names one of ours) owns the open.
    A replayed callback changes nothing; a failed exchange leaves the open anonymous."""
    claim = verify(token, secret_key=secret_key)
    item = await _item(s, claim, token)
    o = await _open_of(s, claim, state, secret_key)
    if o.identified_by or o.timeline_id is not None or o.openid:
        return Opened(item, o, claim, None)
    customer = None
    if code and client is not None:
        try:
            visitor = await media_api.identify_visitor(client, code)
        except WeComError as exc:
            log.info("radar open %s not identified: %s", o.id, exc)
            visitor = media_api.Visitor()
        o.openid = (visitor.openid or visitor.userid or "-")[:64]
        if visitor.external_userid:
            customer = await s.scalar(
                scoped(Customer, claim.corp_id).where(
                    Customer.external_userid == visitor.external_userid
                )
            )
    else:
        o.openid = "-"  # the visitor declined or OAuth failed: asked once, still anonymous
    msg_id = await _identified(s, item, o, customer, "oauth")
    return Opened(item, o, claim, msg_id)


async def read_beat(s: AsyncSession, token: str, *, ref: str, seconds: int, secret_key: str) -> int:
    """Store the read time of an open (never more than the time since it was opened)."""
    claim = verify(token, secret_key=secret_key)
    await _item(s, claim, token)
    o = await _open_of(s, claim, ref, secret_key)
    now = utcnow()
    ceiling = int((now - o.opened_at).total_seconds()) + READ_SLACK
    value = max(0, min(seconds, ceiling))
    if value > o.read_seconds:
        o.read_seconds, o.last_read_at = value, now
        if o.timeline_id is not None:
            row = await s.get(TimelineEvent, o.timeline_id)
            if row is not None:
                row.data = {**row.data, "read_seconds": value, "read": read_text(value)}
    return o.read_seconds


def _open_out(o: RadarOpen, name: str | None, revoked: bool) -> RadarOpenOut:
    return RadarOpenOut.model_validate(o).model_copy(
        update={"customer_name": name or "", "link_revoked": revoked}
    )


async def opens(
    s: AsyncSession,
    corp: Corp,
    *,
    item_id: int | None = None,
    broadcast_id: int | None = None,
    limit: int = 100,
) -> list[RadarOpenOut]:
    rows = await repo.opens(s, corp.id, item_id=item_id, broadcast_id=broadcast_id, limit=limit)
    revoked = await repo.revoked_links(s, corp.id, [o.link for o, _ in rows if o.link])
    return [_open_out(o, n, o.link in revoked) for o, n in rows]


async def stats(
    s: AsyncSession,
    corp: Corp,
    *,
    item: ContentItem | None = None,
    broadcast_id: int | None = None,
    recent: int = 20,
) -> ContentStats:
    """Opens, unique openers, read time and the most recent opens (of an item or broadcast)."""
    item_id = item.id if item else None
    t = await repo.open_totals(s, corp.id, item_id=item_id, broadcast_id=broadcast_id)
    with_read = t.pop("opens_with_read")
    return ContentStats(
        uses=item.uses if item else 0,
        sends=item.sends if item else 0,
        opens=t["opens"],
        unique_openers=t["unique_openers"],
        identified_opens=t["identified_opens"],
        anonymous_opens=t["opens"] - t["identified_opens"],
        read_seconds_total=t["read_seconds_total"],
        read_seconds_avg=t["read_seconds_total"] // with_read if with_read else 0,
        recent=await opens(s, corp, item_id=item_id, broadcast_id=broadcast_id, limit=recent),
    )
