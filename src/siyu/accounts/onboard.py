"""Registering a corp with what every corp starts with.

``corps.add_corp`` stores the tenant and its encrypted credentials and knows nothing of the
domains above it; this adds the default customer stages. Every path that registers a corp
(``siyu corp add``, the demo, tests and benchmarks) goes through here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.customers import stages


async def add_corp(session: AsyncSession, *, secret_key: str, **fields: Any) -> Corp:
    """Register a corp (see :func:`siyu.corps.service.add_corp`) and seed its stages."""
    corp = await corps.add_corp(session, secret_key=secret_key, **fields)
    stages.seed_defaults(session, corp.id)
    await session.flush()
    return corp
