"""Rule tag routes (规则标签): CRUD with per-rule counts, and a run-now trigger."""

from __future__ import annotations

from fastapi import APIRouter, Response

from siyu.core.bounds import Id
from siyu.corps.deps import CorpDep, SessionDep
from siyu.messaging import outbox
from siyu.segments import rule_tags
from siyu.segments.schemas import RuleTagIn, RuleTagOut, RuleTagPatch
from siyu.segments.tasks import evaluate_rule_tag

router = APIRouter(prefix="/rule-tags", tags=["rule tags"])


@router.get("", response_model=list[RuleTagOut])
async def list_rule_tags(session: SessionDep, corp: CorpDep) -> list[RuleTagOut]:
    rows = await rule_tags.list_rule_tags(session, corp.id)
    return [await rule_tags.out(session, corp.id, r) for r in rows]


@router.post("", response_model=RuleTagOut, status_code=201)
async def create_rule_tag(session: SessionDep, corp: CorpDep, body: RuleTagIn) -> RuleTagOut:
    """Save a rule tag; its first evaluation is queued (when active)."""
    row = await rule_tags.create(session, corp, body)
    if row.active:
        outbox.enqueue(session, evaluate_rule_tag, corp.id, row.id)
    return await rule_tags.out(session, corp.id, row)


@router.get("/{rule_id}", response_model=RuleTagOut)
async def get_rule_tag(session: SessionDep, corp: CorpDep, rule_id: Id) -> RuleTagOut:
    return await rule_tags.out(session, corp.id, await rule_tags.get(session, corp.id, rule_id))


@router.patch("/{rule_id}", response_model=RuleTagOut)
async def update_rule_tag(
    session: SessionDep, corp: CorpDep, rule_id: Id, body: RuleTagPatch
) -> RuleTagOut:
    row = await rule_tags.update(session, corp, rule_id, body)
    return await rule_tags.out(session, corp.id, row)


@router.delete("/{rule_id}", status_code=204)
async def delete_rule_tag(session: SessionDep, corp: CorpDep, rule_id: Id) -> Response:
    await rule_tags.delete(session, corp.id, rule_id)
    return Response(status_code=204)


@router.post("/{rule_id}/run", status_code=202)
async def run_rule_tag(session: SessionDep, corp: CorpDep, rule_id: Id) -> dict[str, str]:
    """Queue a full evaluation now (it also runs every 15 minutes and on customer changes)."""
    await rule_tags.get(session, corp.id, rule_id)
    outbox.enqueue(session, evaluate_rule_tag, corp.id, rule_id)
    return {"status": "queued"}
