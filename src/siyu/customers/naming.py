"""Names a person reads for ids the customer base only stores: a follow relation's channel
``state`` is named by the domain that owns channel codes (``acquisition``), which registers
itself here; the customer base does not know it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession

#: (session, corp id, states) → {state: name} for the states the namer knows.
StateNamer = Callable[[AsyncSession, int, list[str]], Awaitable[dict[str, str]]]
_state_namers: list[StateNamer] = []


def names_states(namer: StateNamer) -> StateNamer:
    """Register ``namer`` to name channel states (idempotent per function)."""
    if namer not in _state_namers:
        _state_namers.append(namer)
    return namer


async def state_names(
    session: AsyncSession, corp_id: int, states: Iterable[str | None]
) -> dict[str, str]:
    """state → the channel's name, for the states a registered namer knows (others absent)."""
    wanted = sorted({s for s in states if s})
    out: dict[str, str] = {}
    if not wanted:
        return out
    for namer in list(_state_namers):
        out.update(await namer(session, corp_id, wanted))
    return out
