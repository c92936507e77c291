"""Jobs enqueued inside a unit of work are sent after it commits and dropped on rollback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "siyu_outbox"


def enqueue(session: AsyncSession, task: Callable[..., Any], *args: Any) -> None:
    """Call ``task(*args)`` (a Huey task: this enqueues it) once the session commits."""
    session.sync_session.info.setdefault(_KEY, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    jobs = session.info.pop(_KEY, [])
    for task, args in jobs:
        try:
            task(*args)
        except Exception:  # the durable row is there; the sweeper re-enqueues it
            log.exception("could not enqueue %s%r after commit", getattr(task, "name", task), args)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_KEY, None)
