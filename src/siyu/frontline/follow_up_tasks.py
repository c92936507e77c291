"""Queue entry points of follow-up reminders: the minute's scan of due follow-ups and digests."""

from __future__ import annotations

from datetime import datetime

from huey import crontab

from siyu.acquisition.tasks import send_app_message
from siyu.core.settings import Settings, get_settings
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.frontline import follow_up_reminders as reminders
from siyu.messaging import outbox
from siyu.messaging.queue import huey, run_async

MAX_BATCHES = 50  # per minute; what is left waits for the next minute


def base_url(settings: Settings) -> str:
    return settings.public_url.rstrip("/") or f"http://{settings.host}:{settings.port}"


async def scan_now(db: Database, *, now: datetime | None = None) -> dict[str, int]:
    """Queue due reminders and morning digests in batches, one transaction per batch; each
    message is enqueued after its batch commits (and the sweeper re-sends what a crash left)."""
    settings = get_settings()
    now, base = now or utcnow(), base_url(settings)
    counts = {"due": 0, "digest": 0}
    for kind in ("due", "digest"):
        for _ in range(MAX_BATCHES):
            async with db.unit_of_work() as s:
                if kind == "due":
                    sent = await reminders.due_batch(s, now=now, base_url=base)
                else:
                    sent = await reminders.digests(
                        s, now=now, hour=settings.follow_up_digest_hour, base_url=base
                    )
                for corp_id, msg_id in sent:
                    outbox.enqueue(s, send_app_message, corp_id, msg_id)
            counts[kind] += len(sent)
            if len(sent) < reminders.BATCH:
                break
    return counts


@huey.periodic_task(crontab(minute="*"))
def follow_up_tick() -> dict[str, int]:
    """Every minute: app messages for follow-ups that fell due, and the morning digests."""
    return run_async(scan_now)
