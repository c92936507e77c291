"""规则标签: apply a tag to the customers a rule matches, through the durable batch tag queue.

Writes reuse ``siyu.tags`` batch jobs (one ``mark_tag`` per follow relation, items
pending → done | failed with the reason, rate limits retried by the queue). A rule tag's jobs
are named ``rule_tag:<id>:add`` / ``rule_tag:<id>:remove`` in ``requested_by``, which is how
its counts are found. Relations with a pending write of the same rule are never queued twice.
"""

from __future__ import annotations

from datetime import datetime

from pyroaring import BitMap
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.corps.models import Corp
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.segments import engine
from siyu.segments import repository as repo
from siyu.segments import rule_tag_repository as rrepo
from siyu.segments import service as segments
from siyu.segments.models import RuleTag
from siyu.segments.registry import REGISTRY
from siyu.segments.rules import Definition
from siyu.segments.schemas import Failure, RuleTagCounts, RuleTagIn, RuleTagOut, RuleTagPatch


def job_name(rule_id: int, direction: str) -> str:
    return f"rule_tag:{rule_id}:{direction}"


async def get(session: AsyncSession, corp_id: int, rule_id: int) -> RuleTag:
    row = await session.scalar(scoped(RuleTag, corp_id).where(RuleTag.id == rule_id))
    if row is None:
        raise NotFound(f"rule tag {rule_id} does not exist")
    return row


async def list_rule_tags(session: AsyncSession, corp_id: int) -> list[RuleTag]:
    return list((await session.scalars(scoped(RuleTag, corp_id).order_by(RuleTag.id))).all())


async def _name_free(
    session: AsyncSession, corp_id: int, name: str, *, but: int | None = None
) -> None:
    found = await session.scalar(scoped(RuleTag, corp_id, RuleTag.id).where(RuleTag.name == name))
    if found is not None and found != but:
        raise Conflict(f"a rule tag named {name} already exists")


async def create(session: AsyncSession, corp: Corp, body: RuleTagIn) -> RuleTag:
    """Save a rule tag (checked: the tag exists, the rule compiles); evaluate it afterwards."""
    if body.tag_id not in await repo.known_tags(session, corp.id, [body.tag_id]):
        raise InvalidInput(f"unknown tag id: {body.tag_id}")
    await engine.compile_rule(session, corp.id, body.rule)
    await _name_free(session, corp.id, body.name)
    row = RuleTag(
        corp_id=corp.id,
        name=body.name,
        rule=body.rule.model_dump(mode="json"),
        tag_id=body.tag_id,
        remove_when_unmatched=body.remove_when_unmatched,
        active=body.active,
    )
    session.add(row)
    await session.flush()
    rrepo.forget_active(session)
    return row


async def update(session: AsyncSession, corp: Corp, rule_id: int, body: RuleTagPatch) -> RuleTag:
    row = await get(session, corp.id, rule_id)
    if body.name is not None and body.name != row.name:
        await _name_free(session, corp.id, body.name, but=row.id)
        row.name = body.name
    if body.rule is not None:
        await engine.compile_rule(session, corp.id, body.rule)
        row.rule = body.rule.model_dump(mode="json")
    if body.remove_when_unmatched is not None:
        row.remove_when_unmatched = body.remove_when_unmatched
    if body.active is not None:
        row.active = body.active
    await session.flush()
    rrepo.forget_active(session)
    return row


async def delete(session: AsyncSession, corp_id: int, rule_id: int) -> None:
    """Delete the rule; writes already queued finish, tags already applied stay."""
    await session.delete(await get(session, corp_id, rule_id))
    await session.flush()
    rrepo.forget_active(session)


async def counts(session: AsyncSession, corp_id: int, row: RuleTag) -> RuleTagCounts:
    by: dict[tuple[str, str], int] = {}
    reasons: dict[str, int] = {}
    for name, status, error, n in await rrepo.item_counts(
        session, corp_id, [job_name(row.id, "add"), job_name(row.id, "remove")]
    ):
        key = (name.rsplit(":", 1)[1], status)
        by[key] = by.get(key, 0) + n
        if status == "failed":
            reasons[error or "unknown"] = reasons.get(error or "unknown", 0) + n
    # what the customers carry now, from the same index state as the match: the writes above
    # count relations over all time, the customers' tags are the truth an operator compares
    corp = await session.get(Corp, corp_id)
    assert corp is not None
    definition = Definition.model_validate({"rule": row.rule})
    problem = None
    try:
        matched = await segments.members_bitmap(session, corp, definition)
    except InvalidInput as exc:  # e.g. a tag of the rule was deleted since: say so, list the rest
        matched, problem = BitMap(), str(exc)
    tagged = (await REGISTRY.get(session, corp)).union("tags", [row.tag_id])
    return RuleTagCounts(
        matched=len(matched),
        tagged=matched.intersection_cardinality(tagged),
        tagged_unmatched=len(tagged - matched),
        applied=by.get(("add", "done"), 0),
        removed=by.get(("remove", "done"), 0),
        pending=sum(by.get((d, st), 0) for d in ("add", "remove") for st in ("pending", "sending")),
        failed=by.get(("add", "failed"), 0) + by.get(("remove", "failed"), 0),
        failures=[Failure(reason=k, count=v) for k, v in sorted(reasons.items())],
        rule_error=problem,
    )


async def out(session: AsyncSession, corp_id: int, row: RuleTag) -> RuleTagOut:
    return RuleTagOut(
        id=row.id,
        name=row.name,
        rule=row.rule,
        tag_id=row.tag_id,
        remove_when_unmatched=row.remove_when_unmatched,
        active=row.active,
        evaluated_at=row.evaluated_at,
        counts=await counts(session, corp_id, row),
    )


async def evaluate(
    session: AsyncSession,
    corp: Corp,
    row: RuleTag,
    *,
    customer_ids: list[int] | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Queue the tag writes that make the corp (or these customers) agree with the rule;
    returns the ids of the batch jobs created (to run after commit)."""
    now = now or utcnow()
    definition = Definition.model_validate({"rule": row.rule})
    index = await REGISTRY.get(session, corp)
    within: BitMap | None = None
    if customer_ids is not None:
        within = BitMap(await rrepo.seqs_of(session, corp.id, customer_ids))
    matched = await segments.members_bitmap(session, corp, definition, now=now, within=within)
    tagged = index.union("tags", [row.tag_id])
    if within is None:
        row.matched, row.evaluated_at = len(matched), now
        add = matched - tagged  # customers with the tag on no live relation yet
        remove = tagged - matched
    else:
        add = matched  # one customer: every live relation that lacks the tag
        remove = (tagged & within) - matched
    jobs = []
    add_name = job_name(row.id, "add")
    rels = await rrepo.relations_for(session, corp.id, list(add), row.tag_id, having=False)
    rels = sorted(set(rels) - await rrepo.pending_relations(session, corp.id, add_name))
    if rels:
        jobs.append(await rrepo.new_job(session, corp.id, add_name, rels, add=[row.tag_id]))
    if row.remove_when_unmatched and remove:
        rm_name = job_name(row.id, "remove")
        rels = await rrepo.relations_for(session, corp.id, list(remove), row.tag_id, having=True)
        rels = sorted(set(rels) - await rrepo.pending_relations(session, corp.id, rm_name))
        if rels:
            jobs.append(await rrepo.new_job(session, corp.id, rm_name, rels, remove=[row.tag_id]))
    await session.flush()
    return jobs


async def evaluate_all(
    session: AsyncSession, corp: Corp, *, customer_ids: list[int] | None = None
) -> list[int]:
    """Evaluate every active rule tag of the corp (for these customers, or all)."""
    jobs: list[int] = []
    for row in await list_rule_tags(session, corp.id):
        if row.active:
            jobs.extend(await evaluate(session, corp, row, customer_ids=customer_ids))
    return jobs
