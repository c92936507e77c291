"""Moment broadcasts (朋友圈): one ``add_moment_task`` per broadcast, no recipient rows.

The job keeps the jobid in ``msgid`` and WeCom's outcome in ``result`` (moment_id, invalid
senders and tags). Crash safety mirrors customer broadcasts: the job is committed in flight
before the call; a job found in flight is matched against ``get_moment_list`` (same text,
created in the window, moment_id not claimed by another job) before anything is resent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.broadcasts.models import Broadcast, BroadcastSender
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.wecom import moment_api as api
from siyu.wecom.client import WeComClient

WINDOW_SLACK = 600


def plan(s: AsyncSession, b: Broadcast) -> None:
    """The single job of a moment broadcast (senders and tags travel in the audience)."""
    now = utcnow()
    s.add(
        BroadcastSender(
            corp_id=b.corp_id,
            broadcast_id=b.id,
            userid="",
            chunk=0,
            status="planned",
            recipients=0,
            attempts=0,
            reconciled=False,
            reminds=0,
            created_at=now,
            updated_at=now,
        )
    )
    b.total, b.senders, b.counts = 0, 1, {}


async def submit(
    client: WeComClient, *, text: str, attachments: list[Any], audience: dict[str, Any]
) -> str:
    """Start the moment task; its jobid."""
    return await api.add_moment_task(
        client,
        text=text,
        attachments=attachments,
        senders=list(audience.get("userids") or []),
        tag_ids=list(audience.get("visible_tag_ids") or []),
    )


async def _taken(s: AsyncSession, corp_id: int, moment_id: str) -> bool:
    rows = await s.scalars(
        scoped(BroadcastSender, corp_id).where(BroadcastSender.result.is_not(None))
    )
    return any((j.result or {}).get("moment_id") == moment_id for j in rows.all())


async def reconcile(
    s: AsyncSession, b: Broadcast, job: BroadcastSender, client: WeComClient
) -> str | None:
    """The moment_id WeCom created for this in-flight job, if the earlier call landed."""
    since = job.in_flight_since or job.created_at
    start = int(since.timestamp()) - WINDOW_SLACK
    end = min(int(utcnow().timestamp()) + WINDOW_SLACK, start + 31 * 86400 - 1)
    async for m in api.list_moments(client, start_time=start, end_time=end):
        if str((m.get("text") or {}).get("content") or "") != b.text:
            continue
        moment_id = str(m.get("moment_id") or "")
        if moment_id and not await _taken(s, b.corp_id, moment_id):
            return moment_id
    return None


async def sync(s: AsyncSession, job: BroadcastSender, client: WeComClient) -> None:
    """Poll the task until WeCom reports the moment (status 3)."""
    if not job.msgid or (job.result or {}).get("moment_id"):
        return
    data = await api.moment_task_result(client, job.msgid)
    job.task_status = int(data.get("status") or 0)
    if job.task_status == 3:
        result = data.get("result") or {}
        job.result = {
            "moment_id": result.get("moment_id"),
            "invalid_senders": (result.get("invalid_sender_list") or {}).get("user_list") or [],
            "invalid_tags": (result.get("invalid_external_contact_list") or {}).get("tag_list")
            or [],
        }
        job.sent_at = utcnow()
