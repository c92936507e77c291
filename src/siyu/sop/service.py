"""SOP templates: create, edit (a new step version; runs keep theirs), enable, disable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import ChannelCode
from siyu.content.models import ContentItem
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.customers.models import Tag
from siyu.customers.stage_models import CustomerStage
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.groups.models import GroupChat
from siyu.sop import repository as repo
from siyu.sop import runs
from siyu.sop.models import SopStep, SopTemplate
from siyu.sop.schemas import StepIn, StepOut, TemplateIn, TemplateOut, TemplateStats

MAX_TEMPLATES = 200


async def _missing(
    session: AsyncSession, corp_id: int, column: Any, wanted: Sequence[Any]
) -> list[Any]:
    if not wanted:
        return []
    model = column.class_
    stmt = scoped(model, corp_id, column).where(column.in_(list(wanted)))
    for gone in ("deleted_at", "archived_at"):
        if hasattr(model, gone):
            stmt = stmt.where(getattr(model, gone).is_(None))
    found = set((await session.scalars(stmt)).all())
    return [w for w in wanted if w not in found]


async def validate(session: AsyncSession, corp_id: int, data: TemplateIn) -> None:
    """Every referenced channel code, tag, group chat and content item exists in this corp."""
    t, s = data.trigger, data.stop
    checks: list[tuple[Any, Sequence[Any], str]] = [
        (ChannelCode.id, t.channel_ids, "channel codes"),
        (Tag.tag_id, t.tag_ids + s.tags_removed + s.converted_tags, "tags"),
        (GroupChat.chat_id, t.chat_ids, "group chats"),
        (CustomerStage.id, t.stage_ids + s.stages, "customer stages"),
        (
            ContentItem.id,
            sorted({i for st in data.steps for i in st.item_ids}),
            "content items (or archived)",
        ),
    ]
    for column, wanted, what in checks:
        missing = await _missing(session, corp_id, column, wanted)
        if missing:
            raise InvalidInput(f"unknown {what}: {', '.join(map(str, missing[:10]))}")
    if set(t.tag_ids) & set(s.converted_tags):
        raise InvalidInput("a tag cannot both start the SOP and count as converted")


def _trigger(data: TemplateIn) -> dict[str, Any]:
    t = data.trigger
    out: dict[str, Any] = {"kind": t.kind}
    if t.kind == "channel":
        out["channel_ids"] = t.channel_ids
    elif t.kind == "tag_added":
        out["tag_ids"] = t.tag_ids
    elif t.kind == "joined_group":
        out["chat_ids"] = t.chat_ids
    elif t.kind == "stage_reached":
        out["stage_ids"] = t.stage_ids
    return out


def _add_steps(session: AsyncSession, tpl: SopTemplate, steps: Sequence[StepIn]) -> None:
    for pos, st in enumerate(steps, start=1):
        session.add(
            SopStep(
                corp_id=tpl.corp_id,
                template_id=tpl.id,
                version=tpl.version,
                position=pos,
                day=st.day,
                minutes=st.minutes,
                at_time=st.at_time,
                text=st.text.strip(),
                item_ids=list(st.item_ids),
            )
        )


def _same_steps(old: Sequence[SopStep], new: Sequence[StepIn]) -> bool:
    key = lambda d, m, a, t, i: (d, m, a, t.strip(), list(i))  # noqa: E731
    return [key(s.day, s.minutes, s.at_time, s.text, s.item_ids) for s in old] == [
        key(s.day, s.minutes, s.at_time, s.text, s.item_ids) for s in new
    ]


async def create(
    session: AsyncSession, corp_id: int, data: TemplateIn, *, created_by: str
) -> SopTemplate:
    await validate(session, corp_id, data)
    count = await session.scalar(
        scoped(SopTemplate, corp_id, func.count()).where(SopTemplate.deleted_at.is_(None))
    )
    if int(count or 0) >= MAX_TEMPLATES:
        raise InvalidInput(f"a corp keeps at most {MAX_TEMPLATES} SOPs; delete unused ones")
    tpl = SopTemplate(
        corp_id=corp_id,
        name=data.name,
        target=data.target,
        trigger_kind=data.trigger.kind,
        trigger=_trigger(data),
        stop=data.stop.model_dump(),
        enabled=False,
        version=1,
        created_by=created_by,
        backfill_status="",
        backfill_total=0,
        backfill_done=0,
    )
    session.add(tpl)
    await session.flush()
    _add_steps(session, tpl, data.steps)
    await session.flush()
    return tpl


async def get(session: AsyncSession, corp_id: int, template_id: int) -> SopTemplate:
    tpl = await repo.template(session, corp_id, template_id)
    if tpl is None:
        raise NotFound(f"SOP {template_id} does not exist")
    return tpl


async def update(
    session: AsyncSession, corp_id: int, template_id: int, data: TemplateIn
) -> SopTemplate:
    """Edit a template. Changed steps become a new version for runs started from now on;
    running customers finish the steps they started with. Trigger and stop conditions apply
    at once (stop conditions are checked again before every step is delivered)."""
    tpl = await get(session, corp_id, template_id)
    if data.target != tpl.target:
        raise InvalidInput(
            "the target (customer or group) of an SOP cannot change; create a new one"
        )
    await validate(session, corp_id, data)
    old = await repo.steps(session, corp_id, tpl.id, tpl.version)
    tpl.name = data.name
    tpl.trigger_kind = data.trigger.kind
    tpl.trigger = _trigger(data)
    tpl.stop = data.stop.model_dump()
    tpl.updated_at = utcnow()
    if not _same_steps(old, data.steps):
        tpl.version += 1
        await session.flush()
        _add_steps(session, tpl, data.steps)
    await session.flush()
    return tpl


async def delete(session: AsyncSession, corp_id: int, template_id: int) -> None:
    """Soft-delete: the runs stop, open to-dos are cancelled; history stays."""
    tpl = await get(session, corp_id, template_id)
    now = utcnow()
    await runs.stop_template(session, corp_id, tpl.id, reason="deleted", now=now)
    tpl.enabled, tpl.deleted_at = False, now


async def enable(
    session: AsyncSession, corp_id: int, template_id: int, *, backfill: bool
) -> SopTemplate:
    tpl = await get(session, corp_id, template_id)
    if tpl.enabled:
        raise Conflict(f"SOP {tpl.name} is already enabled")
    if backfill and tpl.trigger_kind not in ("channel", "tag_added"):
        raise InvalidInput(
            "backfill starts customers already matching a channel or tag trigger only"
        )
    tpl.enabled = True
    repo.forget_in_use(session)
    if backfill:
        tpl.backfill_status, tpl.backfill_total, tpl.backfill_done = "pending", 0, 0
    return tpl


async def disable(session: AsyncSession, corp_id: int, template_id: int) -> SopTemplate:
    """Disable: no new runs, and the running ones stop (their pending steps are cancelled)."""
    tpl = await get(session, corp_id, template_id)
    if not tpl.enabled:
        raise Conflict(f"SOP {tpl.name} is already disabled")
    tpl.enabled = False
    if tpl.backfill_status in ("pending", "running"):
        tpl.backfill_status = "cancelled"
    await runs.stop_template(session, corp_id, tpl.id, reason="disabled", now=utcnow())
    return tpl


async def out(
    session: AsyncSession, corp_id: int, tpls: Sequence[SopTemplate]
) -> list[TemplateOut]:
    stats = await repo.run_stats(session, corp_id, [t.id for t in tpls], now=utcnow())
    result = []
    for t in tpls:
        steps = await repo.steps(session, corp_id, t.id, t.version)
        result.append(
            TemplateOut(
                id=t.id,
                name=t.name,
                target=t.target,  # type: ignore[arg-type]
                trigger=t.trigger,
                stop=t.stop,
                enabled=t.enabled,
                version=t.version,
                steps=[StepOut.model_validate(s) for s in steps],
                created_by=t.created_by,
                created_at=t.created_at,
                updated_at=t.updated_at,
                backfill_status=t.backfill_status,
                backfill_total=t.backfill_total,
                backfill_done=t.backfill_done,
                stats=stats.get(t.id, TemplateStats()),
            )
        )
    return result
