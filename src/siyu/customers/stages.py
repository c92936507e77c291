"""Customer lifecycle stages (客户阶段): the corp's ordered stage list and a customer's stage.

Stages are per corp (seeded with defaults when the corp is registered), each with a kind
(``open`` / ``won`` / ``lost``) that SOP stop conditions and reports read. A customer has at most
one current stage (per customer, not per follow relation); every change writes a
``stage_changed`` timeline entry and publishes ``customer.stage_changed`` in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.customers import changelog, timeline
from siyu.customers import repository as repo
from siyu.customers.stage_models import CustomerStage, CustomerStageState
from siyu.customers.stage_schemas import (
    CustomerStageIn,
    CustomerStagePatch,
)
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.messaging import bus
from siyu.wecom.client import WeComClient

MAX_STAGES = 20

#: ``(session, corp_id, stage)``: raises :class:`Conflict` to refuse deleting ``stage``.
#: Domains that refer to stages register one (SOP triggers and stop conditions do), so the
#: customer base does not know who uses its stages.
StageGuard = Callable[[AsyncSession, int, CustomerStage], Awaitable[None]]
_delete_guards: list[StageGuard] = []


def guard_deletion(guard: StageGuard) -> StageGuard:
    """Register ``guard`` to run before any stage is deleted (idempotent per function)."""
    if guard not in _delete_guards:
        _delete_guards.append(guard)
    return guard


DEFAULTS: list[tuple[str, str]] = [
    ("潜在客户", "open"),
    ("意向客户", "open"),
    ("成交客户", "won"),
    ("复购客户", "won"),
    ("流失", "lost"),
]


def seed_defaults(session: AsyncSession, corp_id: int) -> None:
    """Give a newly registered corp the default stages (a data migration gave existing corps
    theirs); a corp that later deletes them all keeps none."""
    for pos, (name, kind) in enumerate(DEFAULTS, start=1):
        session.add(CustomerStage(corp_id=corp_id, name=name, kind=kind, position=pos))


async def list_stages(session: AsyncSession, corp_id: int) -> list[CustomerStage]:
    """The corp's stages in order."""
    stmt = scoped(CustomerStage, corp_id).order_by(CustomerStage.position, CustomerStage.id)
    return list((await session.scalars(stmt)).all())


async def get_stage(session: AsyncSession, corp_id: int, stage_id: int) -> CustomerStage:
    stage = await session.scalar(scoped(CustomerStage, corp_id).where(CustomerStage.id == stage_id))
    if stage is None:
        raise NotFound(f"customer stage {stage_id} does not exist")
    return stage


async def _name_taken(
    session: AsyncSession, corp_id: int, name: str, *, but: int | None = None
) -> None:
    stmt = scoped(CustomerStage, corp_id, CustomerStage.id).where(CustomerStage.name == name)
    if but is not None:
        stmt = stmt.where(CustomerStage.id != but)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"a stage named {name} already exists")


async def counts(session: AsyncSession, corp_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(CustomerStageState.stage_id, func.count())
        .where(CustomerStageState.corp_id == corp_id)
        .group_by(CustomerStageState.stage_id)
    )
    return {s: int(n) for s, n in rows.all()}


async def create_stage(session: AsyncSession, corp_id: int, data: CustomerStageIn) -> CustomerStage:
    stages = await list_stages(session, corp_id)
    if len(stages) >= MAX_STAGES:
        raise InvalidInput(f"a corp keeps at most {MAX_STAGES} stages")
    await _name_taken(session, corp_id, data.name)
    stage = CustomerStage(
        corp_id=corp_id,
        name=data.name,
        kind=data.kind,
        position=max((s.position for s in stages), default=0) + 1,
    )
    session.add(stage)
    await session.flush()
    return stage


async def update_stage(
    session: AsyncSession, corp_id: int, stage_id: int, data: CustomerStagePatch
) -> CustomerStage:
    stage = await get_stage(session, corp_id, stage_id)
    if data.name is not None and data.name != stage.name:
        await _name_taken(session, corp_id, data.name, but=stage.id)
        stage.name = data.name
    if data.kind is not None:
        stage.kind = data.kind
    await session.flush()
    return stage


async def reorder(session: AsyncSession, corp_id: int, ids: Sequence[int]) -> list[CustomerStage]:
    stages = await list_stages(session, corp_id)
    by_id = {s.id: s for s in stages}
    if len(ids) != len(set(ids)) or set(ids) != set(by_id):
        raise InvalidInput("give every stage id of the corp exactly once, in the new order")
    for pos, sid in enumerate(ids, start=1):
        by_id[sid].position = pos
    await session.flush()
    return sorted(stages, key=lambda s: s.position)


async def delete_stage(session: AsyncSession, corp_id: int, stage_id: int) -> None:
    """Delete an unused stage (customers at it must be moved first: their history stays true)."""
    stage = await get_stage(session, corp_id, stage_id)
    n = (await counts(session, corp_id)).get(stage.id, 0)
    if n:
        raise Conflict(f"{n} customers are at stage {stage.name}; move them to another stage first")
    for guard in list(_delete_guards):
        await guard(session, corp_id, stage)
    await session.delete(stage)
    await session.flush()


async def set_stage(
    session: AsyncSession,
    corp_id: int,
    customer_id: int,
    client: WeComClient,
    *,
    stage_id: int,
    note: str = "",
    by: str,
    userid: str | None,
    visible: frozenset[str] | None = None,
) -> bool:
    """Move a customer (within the caller's data scope) to a stage. False when already there."""
    customer = await repo.by_id(session, corp_id, customer_id, visible_userids=visible)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    stage = await get_stage(session, corp_id, stage_id)
    state = await session.get(CustomerStageState, customer.id)
    if state is not None and state.corp_id != corp_id:  # pragma: no cover - ids are global
        raise NotFound(f"customer {customer_id} does not exist")
    before = await session.get(CustomerStage, state.stage_id) if state is not None else None
    if before is not None and before.id == stage.id:
        return False
    now = utcnow()
    if state is None:
        session.add(
            CustomerStageState(
                customer_id=customer.id,
                corp_id=corp_id,
                stage_id=stage.id,
                changed_at=now,
                changed_by=by,
            )
        )
    else:
        state.stage_id, state.changed_at, state.changed_by = stage.id, now, by
    row = timeline.entry(
        corp_id,
        customer.id,
        timeline.STAGE_CHANGED,
        at=now,
        userid=userid or "",
        from_stage_id=before.id if before else None,
        from_name=before.name if before else "",
        to_stage_id=stage.id,
        to_name=stage.name,
        to_kind=stage.kind,
        by=by,
        note=note.strip(),
    )
    await timeline.record(session, [row])
    await changelog.record(session, corp_id, [customer.id])  # the segment index has stages
    await session.flush()
    event = bus.DomainEvent(
        bus.CUSTOMER_STAGE_CHANGED,
        corp_id,
        now,
        {
            "customer_id": customer.id,
            "from_stage_id": before.id if before else None,
            "stage_id": stage.id,
            "kind": stage.kind,
            "userid": userid or "",
        },
    )
    await bus.publish(bus.EventContext(session, client), event)
    return True
