"""A corp with many customers written straight to the database (no WeCom involved)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from siyu.accounts import onboard
from siyu.customers.models import Customer, FollowRelation, RelationTag, Tag, TagGroup
from siyu.db.session import Database
from siyu.employees.models import Employee
from siyu.sop import service
from siyu.sop.models import SopTemplate
from siyu.sop.schemas import TemplateIn

USERIDS = ["zhangwei", "lina", "wangfang"]


@dataclass
class World:
    corp_id: int
    customer_ids: list[int]


async def build(db: Database, customers: int, *, wecom_corp_id: str = "wwsop0001") -> World:
    async with db.unit_of_work() as s:
        corp = await onboard.add_corp(
            s,
            secret_key="test-secret-key",
            name="门店连锁",
            wecom_corp_id=wecom_corp_id,
            secret="s" * 20,
            token="t" * 20,
            aes_key="a" * 43,
            api_base="http://127.0.0.1:9",
            agent_id=1000002,
        )
        await s.execute(
            insert(Employee),
            [
                {"corp_id": corp.id, "userid": u, "name": n}
                for u, n in zip(USERIDS, ["张伟", "李娜", "王芳"], strict=True)
            ],
        )
        await s.execute(
            insert(Customer),
            [
                {"corp_id": corp.id, "external_userid": f"wm{i:08d}", "seq": i, "name": f"客户{i}"}
                for i in range(1, customers + 1)
            ],
        )
        group = TagGroup(corp_id=corp.id, group_id="etgroup", name="意向")
        s.add(group)
        await s.flush()
        s.add_all(
            Tag(corp_id=corp.id, tag_id=t, group_pk=group.id, name=n)
            for t, n in [("tagA", "高意向"), ("tagB", "到店"), ("won", "已成交")]
        )
        ids = list(
            (
                await s.scalars(
                    select(Customer.id).where(Customer.corp_id == corp.id).order_by(Customer.id)
                )
            ).all()
        )
        await s.execute(
            insert(FollowRelation),
            [
                {
                    "corp_id": corp.id,
                    "customer_id": c,
                    "userid": USERIDS[i % 3],
                    "state": "",
                    "remark_mobiles": [],
                }
                for i, c in enumerate(ids)
            ],
        )
        return World(corp.id, ids)


def userid_of(world: World, customer_id: int) -> str:
    return USERIDS[world.customer_ids.index(customer_id) % 3]


async def tag(db: Database, corp_id: int, customer_id: int, tag_id: str) -> None:
    async with db.unit_of_work() as s:
        rel = await s.scalar(
            select(FollowRelation.id).where(FollowRelation.customer_id == customer_id)
        )
        await s.execute(
            insert(RelationTag),
            [
                {
                    "relation_id": rel,
                    "tag_id": tag_id,
                    "corp_id": corp_id,
                    "customer_id": customer_id,
                }
            ],
        )


async def template(
    db: Database,
    corp_id: int,
    steps: Sequence[dict[str, Any]],
    *,
    stop: dict[str, Any] | None = None,
    tag_ids: Sequence[str] = ("tagA",),
) -> SopTemplate:
    """An enabled tag-triggered template."""
    data = TemplateIn.model_validate(
        {
            "name": "新客7天培育",
            "trigger": {"kind": "tag_added", "tag_ids": list(tag_ids)},
            "steps": list(steps),
            "stop": stop or {},
        }
    )
    async with db.unit_of_work() as s:
        tpl = await service.create(s, corp_id, data, created_by="test")
        tpl.enabled = True
        return tpl


def run(coro: Any) -> Any:
    return asyncio.run(coro)


__all__ = ["World", "build", "datetime", "run", "tag", "template", "userid_of"]
