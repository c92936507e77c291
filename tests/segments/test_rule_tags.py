"""Rule tags end to end: the first evaluation, event-driven re-evaluation and removal, with
writes going to the sandbox through the durable batch queue under rate limiting."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from siyu.customers.models import FollowRelation, RelationTag
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, Siyu, wait_for
from tests.segments.test_endpoints import _preview, _sync, _tag_usage


def _counts(api: httpx.Client, rule_id: int) -> dict[str, Any]:
    r = api.get(f"/api/v1/rule-tags/{rule_id}")
    assert r.status_code == 200, r.text
    return dict(r.json()["counts"])


def _sandbox_tags(sb: Sandbox, external_userid: str) -> set[str]:
    truth = sb.get(f"/sandbox/customers/{external_userid}")
    return {t["tag_id"] for f in truth["follows"] for t in f.get("tags", [])}


async def test_rule_tag_applies_follows_changes_and_removes(
    db: Database, sb: Sandbox, corp: CorpHandle, siyu: Siyu, api: httpx.Client
) -> None:
    await _sync(db, corp)
    sb.put("/sandbox/config", {"callback_url": f"{siyu.url}/wecom/callback/{corp.wecom_corp_id}"})
    usage = await _tag_usage(db, corp.id)
    source, target = usage.most_common()[0][0], usage.most_common()[-1][0]
    rule = {"type": "tags", "tag_ids": [source]}
    missing = {
        "type": "and",
        "terms": [rule, {"type": "tags", "match": "none", "tag_ids": [target]}],
    }
    assert _preview(api, missing) > 0
    async with db.unit_of_work() as s:  # live relations of matched customers without the tag
        has_target = select(RelationTag.customer_id).where(RelationTag.tag_id == target)
        has_source = select(RelationTag.customer_id).where(RelationTag.tag_id == source)
        expected = await s.scalar(
            select(func.count())
            .select_from(FollowRelation)
            .where(
                FollowRelation.corp_id == corp.id,
                FollowRelation.deleted_at.is_(None),
                FollowRelation.customer_id.in_(has_source),
                FollowRelation.customer_id.not_in(has_target),
            )
        )
    sb.put("/sandbox/faults", {"rate_limit": 3})  # WeCom pushes back at first

    bad = api.post("/api/v1/rule-tags", json={"name": "x", "rule": rule, "tag_id": "nope"})
    assert bad.status_code == 422 and "unknown tag id" in bad.text
    r = api.post(
        "/api/v1/rule-tags",
        json={"name": "自动高意向", "rule": rule, "tag_id": target, "remove_when_unmatched": True},
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    wait_for(
        lambda: _counts(api, rid)["applied"] == expected and _counts(api, rid)["pending"] == 0,
        what="the first evaluation's writes",
    )
    counts = _counts(api, rid)
    assert counts["matched"] == _preview(api, rule) and counts["failed"] == 0
    assert _preview(api, missing) == 0  # mirrored locally, and the bitmaps caught up
    # 命中 and 已打标 are both customers, read from what the customers carry now
    assert counts["tagged"] == counts["matched"]
    assert counts["tagged_unmatched"] == 0  # remove_when_unmatched took the others off

    # A customer gains the source tag in WeCom: the callback re-evaluates just them.
    outsider = next(
        c
        for c in api.get("/api/v1/customers", params={"limit": 500}).json()["items"]
        if source not in {t["tag_id"] for t in c["tags"]} and c["userids"]
    )
    ext, userid = outsider["external_userid"], outsider["userids"][0]
    sb.act("employee_edit", userid=userid, external_userid=ext, add_tag=[source])
    wait_for(lambda: target in _sandbox_tags(sb, ext), what="the rule tag on the new match")
    wait_for(lambda: _preview(api, missing) == 0, what="the local mirror")
    # the counts follow at once (no wait for the next full evaluation)
    counts = _counts(api, rid)
    assert counts["matched"] == _preview(api, rule) == counts["tagged"]

    # ... and loses it: the rule tag is taken off again.
    sb.act("employee_edit", userid=userid, external_userid=ext, remove_tag=[source])
    wait_for(lambda: target not in _sandbox_tags(sb, ext), what="the rule tag removed")
    wait_for(lambda: _counts(api, rid)["removed"] >= 1, what="the removal counted")

    listed = api.get("/api/v1/rule-tags").json()
    assert [x["id"] for x in listed] == [rid]
    assert api.patch(f"/api/v1/rule-tags/{rid}", json={"active": False}).json()["active"] is False
    assert api.delete(f"/api/v1/rule-tags/{rid}").status_code == 204


async def test_counts_agree_with_the_customers_tags(
    db: Database, sb: Sandbox, corp: CorpHandle, siyu: Siyu, api: httpx.Client
) -> None:
    """Matched customers who already carried the tag need no write: 已打标 still counts them,
    and a customer followed by two employees is one customer, however many writes it took."""
    await _sync(db, corp)
    sb.put("/sandbox/config", {"callback_url": f"{siyu.url}/wecom/callback/{corp.wecom_corp_id}"})
    usage = await _tag_usage(db, corp.id)
    source, target = usage.most_common()[0][0], usage.most_common()[-1][0]
    rule = {"type": "tags", "tag_ids": [source]}
    members = api.post(
        "/api/v1/segments/preview/members", json={"rule": rule, "limit": 500}
    ).json()["items"]
    # one matched customer already carries the target tag (given by hand in WeCom)
    first = next(c for c in members if c["userids"])
    sb.act(
        "employee_edit",
        userid=first["userids"][0],
        external_userid=first["external_userid"],
        add_tag=[target],
    )
    has_target = {"type": "and", "terms": [rule, {"type": "tags", "tag_ids": [target]}]}
    wait_for(lambda: _preview(api, has_target) >= 1, what="the hand-made tag mirrored")
    r = api.post("/api/v1/rule-tags", json={"name": "已有标签", "rule": rule, "tag_id": target})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    wait_for(
        lambda: (c := _counts(api, rid))["pending"] == 0 and c["applied"] > 0,
        what="the writes",
    )
    counts = _counts(api, rid)
    matched = _preview(api, rule)
    assert counts["matched"] == matched == counts["tagged"] == _preview(api, has_target)
    async with db.unit_of_work() as s:  # relations written: every live relation but the one
        relations = await s.scalar(
            select(func.count())
            .select_from(FollowRelation)
            .where(
                FollowRelation.corp_id == corp.id,
                FollowRelation.deleted_at.is_(None),
                FollowRelation.customer_id.in_(
                    select(RelationTag.customer_id).where(RelationTag.tag_id == source)
                ),
            )
        )
    assert counts["applied"] < relations  # the hand-tagged relation needed no write

    # a customer tagged by hand outside the rule shows apart (removal is off for this rule)
    others = counts["tagged_unmatched"]
    outsider = next(
        c
        for c in api.get("/api/v1/customers", params={"limit": 500}).json()["items"]
        if source not in {t["tag_id"] for t in c["tags"]}
        and target not in {t["tag_id"] for t in c["tags"]}
        and c["userids"]
    )
    sb.act(
        "employee_edit",
        userid=outsider["userids"][0],
        external_userid=outsider["external_userid"],
        add_tag=[target],
    )
    wait_for(
        lambda: _counts(api, rid)["tagged_unmatched"] == others + 1, what="the hand tag counted"
    )
    assert _counts(api, rid)["tagged"] == matched
