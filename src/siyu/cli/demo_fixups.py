"""What the demo fixes in its own database at each start (the seed itself goes through the API,
``demo_seed``): `rehome_channel_codes`, because the demo's sandbox is rebuilt at each start and
the contact ways an earlier run created in it are gone; and `assign_stages`, the lifecycle
stages an operator would have set from the customers' 意向 tags."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import exists, select

from siyu.acquisition import channels as channel_codes
from siyu.cli.demo_seed import BY, REPEAT_LEVELS, REPEAT_STAGE, STAGE_OF
from siyu.corps import service as corps
from siyu.customers import stages
from siyu.customers.models import Customer, FollowRelation, RelationTag, Tag
from siyu.customers.stage_models import CustomerStageState
from siyu.db.session import Database


async def rehome_channel_codes(db: Database, wecom_corp_id: str, *, secret_key: str) -> int:
    """Re-create each live channel code's contact way in a freshly built sandbox.

    The demo's sandbox starts empty, so contact ways made by an earlier start are gone; the
    codes keep their ids, states and history and get a new config id and QR code."""
    async with db.unit_of_work() as s:
        corp = await corps.get_by_wecom_id(s, wecom_corp_id)
        if corp is None:
            return 0
        codes = await channel_codes.live_codes(s, corp.id)
        async with corps.wecom_client(corp, secret_key=secret_key) as client:
            for c in codes:
                await channel_codes.push_new(s, corp.id, client, c)
        return len(codes)


async def assign_stages(
    db: Database,
    wecom_corp_id: str,
    *,
    secret_key: str,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Give each customer without a stage the stage of their 意向 tag (:data:`STAGE_OF`), as
    an operator would one by one (a timeline entry each, by :data:`BY`); the number set.
    ``progress(done, total)`` is told after each transaction of 500."""
    async with db.unit_of_work() as s:
        corp = await corps.get_by_wecom_id(s, wecom_corp_id)
        if corp is None:
            return 0
        by_name = {st.name: st.id for st in await stages.list_stages(s, corp.id)}
        has_stage = exists().where(CustomerStageState.customer_id == RelationTag.customer_id)
        rows = await s.execute(
            select(RelationTag.customer_id, Tag.name)
            .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
            .join(Customer, Customer.id == RelationTag.customer_id)
            .join(Tag, (Tag.corp_id == RelationTag.corp_id) & (Tag.tag_id == RelationTag.tag_id))
            .where(
                RelationTag.corp_id == corp.id,
                FollowRelation.deleted_at.is_(None),
                Customer.deleted_at.is_(None),
                Tag.name.in_([*STAGE_OF, *REPEAT_LEVELS]),
                ~has_stage,
            )
        )
        names: dict[int, set[str]] = {}
        for customer_id, name in rows.all():
            names.setdefault(customer_id, set()).add(name)
    todo: list[tuple[int, int]] = []
    for customer_id, held in sorted(names.items()):
        intent = next((i for i in STAGE_OF if i in held), None)
        if intent is None:
            continue
        stage = STAGE_OF[intent]
        if intent == "已成交" and held & set(REPEAT_LEVELS):
            stage = REPEAT_STAGE
        if stage in by_name:  # an operator may have renamed the default stages
            todo.append((customer_id, by_name[stage]))
    progress(0, len(todo))
    async with corps.wecom_client(corp, secret_key=secret_key) as client:
        for i in range(0, len(todo), 500):
            async with db.unit_of_work() as s:
                for customer_id, stage_id in todo[i : i + 500]:
                    await stages.set_stage(
                        s, corp.id, customer_id, client, stage_id=stage_id, by=BY, userid=None
                    )
            progress(min(i + 500, len(todo)), len(todo))
    return len(todo)
