"""Queue entry points of acquisition: thin and idempotent; the periodic monitor per corp."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab

from siyu.acquisition import attribution, channels, ownership, rotation
from siyu.corps import service as corps
from siyu.corps.service import client_for
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.messaging.queue import huey, run_async
from siyu.wecom import acquisition_api as api
from siyu.wecom.errors import WeComError

log = logging.getLogger(__name__)


async def extras_now(db: Database, corp_id: int, add_id: int) -> str:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        async with client_for(corp) as client:
            return await attribution.apply_extras(s, corp_id, add_id, client)


@huey.task(retries=5, retry_delay=10)
def apply_channel_extras(corp_id: int, add_id: int) -> str:
    """Write a channel code's auto tags and auto remark for one add."""
    return run_async(lambda db: extras_now(db, corp_id, add_id))


async def message_now(db: Database, corp_id: int, msg_id: int) -> str:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        async with client_for(corp) as client:
            return await ownership.send_message(s, corp, msg_id, client)


@huey.task(retries=5, retry_delay=10)
def send_app_message(corp_id: int, msg_id: int) -> str:
    """Send one app message (collision, loss alert) to employees."""
    return run_async(lambda db: message_now(db, corp_id, msg_id))


async def reconcile_channel_now(db: Database, corp_id: int, channel_id: int) -> bool:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        code = await channels.get(s, corp_id, channel_id)
        async with client_for(corp) as client:
            return await rotation.reconcile(s, corp_id, client, code, now=utcnow())


@huey.task(retries=3, retry_delay=10)
def reconcile_channel(corp_id: int, channel_id: int) -> bool:
    """Bring one channel code's contact way in line with its rotation plan."""
    return run_async(lambda db: reconcile_channel_now(db, corp_id, channel_id))


async def reconcile_corp_now(db: Database, corp_id: int) -> int:
    """Rotation, accept windows and expiry for every live code of one corp."""
    changed = 0
    now = utcnow()
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        codes = await channels.live_codes(s, corp_id)
    async with client_for(corp) as client:
        for code in codes:
            try:
                async with db.unit_of_work() as s:
                    c = await channels.get(s, corp_id, code.id)
                    if c.expires_at is not None and c.expires_at <= now:
                        await api.del_contact_way(client, c.config_id)
                        c.deleted_at = now
                        changed += 1
                    elif await rotation.reconcile(s, corp_id, client, c, now=now):
                        changed += 1
            except WeComError as exc:  # one code's failure does not stop the others
                log.warning("reconcile of channel code %s failed: %s", code.id, exc)
    return changed


@huey.task()
def reconcile_corp(corp_id: int) -> int:
    return run_async(lambda db: reconcile_corp_now(db, corp_id))


async def _tick(db: Database) -> tuple[list[int], list[tuple[int, int]]]:
    async with db.unit_of_work() as s:
        ids = [c.id for c in await corps.list_corps(s)]
        stale = await ownership.pending_messages(s, before=utcnow() - timedelta(minutes=2))
    return ids, stale


@huey.periodic_task(crontab(minute="*"))
def acquisition_tick() -> int:
    """Every minute: one reconcile job per corp; re-send app messages whose job was lost."""
    corp_ids, stale = run_async(_tick)
    for corp_id in corp_ids:
        reconcile_corp(corp_id)
    for corp_id, msg_id in stale:
        send_app_message(corp_id, msg_id)
    return len(corp_ids)
