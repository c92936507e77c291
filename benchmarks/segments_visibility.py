"""Incremental visibility across processes: another process commits a tag change (and its
change-log row) to a real migrated Siyu database; this process's next preview must show it.
Reports commit → visible latency (this process polls the way an API process answers)."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from sqlalchemy import insert, select

import siyu.models  # noqa: F401  (every table)
from siyu.corps.models import Corp
from siyu.customers.models import Customer, FollowRelation, Tag, TagGroup
from siyu.db import migrate
from siyu.db.session import Database
from siyu.segments import engine
from siyu.segments.registry import REGISTRY
from siyu.segments.rules import Definition

WRITER = """
import asyncio, sys, time
from sqlalchemy import insert
import siyu.models
from siyu.customers.models import RelationTag
from siyu.db.session import Database
from siyu.customers import changelog

async def main(url, corp_id, pairs, out):
    db = Database.open(url)
    with open(out, "w") as f:
        for rel, cust in pairs:
            async with db.unit_of_work() as s:
                await s.execute(insert(RelationTag), {"relation_id": rel, "tag_id": "vis",
                                                      "corp_id": corp_id, "customer_id": cust})
                await changelog.record(s, corp_id, [cust])
            f.write(f"{time.time()}\\n"); f.flush()
            await asyncio.sleep(0.2)
    await db.dispose()

a = sys.argv
pairs = [tuple(map(int, p.split(":"))) for p in a[3].split(",")]
asyncio.run(main(a[1], int(a[2]), pairs, a[4]))
"""


async def _setup(url: str, customers: int) -> tuple[int, list[tuple[int, int]]]:
    db = Database.open(url)
    async with db.unit_of_work() as s:
        corp = Corp(
            wecom_corp_id="wwbench", name="压测", secret_enc="-", token_enc="-", aes_key_enc="-"
        )
        s.add(corp)
        await s.flush()
        group = TagGroup(corp_id=corp.id, group_id="g", name="压测")
        s.add(group)
        await s.flush()
        s.add(Tag(corp_id=corp.id, tag_id="vis", group_pk=group.id, name="可见性"))
        await s.execute(
            insert(Customer),
            [
                {"corp_id": corp.id, "seq": i, "external_userid": f"wm{i}"}
                for i in range(1, customers + 1)
            ],
        )
        ids = (await s.scalars(select(Customer.id).order_by(Customer.id))).all()
        await s.execute(
            insert(FollowRelation),
            [{"corp_id": corp.id, "customer_id": c, "userid": "e1"} for c in ids],
        )
        rels = (await s.execute(select(FollowRelation.id, FollowRelation.customer_id))).all()
        corp_id = corp.id
    await db.dispose()
    return corp_id, [(r, c) for r, c in rels]


async def _watch(url: str, corp_id: int, changes: int) -> list[float]:
    db = Database.open(url)
    definition = Definition.model_validate({"rule": {"type": "tags", "tag_ids": ["vis"]}})
    seen: list[float] = []
    async with db.unit_of_work() as s:
        corp = await s.get(Corp, corp_id)
        assert corp is not None
        await REGISTRY.get(s, corp)
    deadline = time.time() + 60
    while len(seen) < changes and time.time() < deadline:
        async with db.unit_of_work() as s:
            ix = await REGISTRY.get(s, corp)
            plan = await engine.compile_rule(s, corp_id, definition.rule)
            n = len(
                await engine.evaluate(
                    plan, ix, s, engine.candidates(ix, include_deleted=False), engine_now()
                )
            )
        while len(seen) < n:
            seen.append(time.time())
        await asyncio.sleep(0.005)
    await db.dispose()
    return seen


def engine_now() -> Any:
    from siyu.db.base import utcnow

    return utcnow()


def visibility(customers: int = 20_000, changes: int = 20) -> str:
    folder = tempfile.mkdtemp(prefix="siyu-vis-")
    url = f"sqlite:///{folder}/siyu.db"
    migrate.upgrade(url)
    corp_id, rels = asyncio.run(_setup(url, customers))
    pairs = ",".join(f"{r}:{c}" for r, c in rels[:changes])
    out = os.path.join(folder, "commits.txt")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(corp_id), pairs, out])
    seen = asyncio.run(_watch(url, corp_id, changes))
    writer.wait()
    with open(out) as f:
        commits = [float(x) for x in f.read().split()]
    lat = [(s - c) * 1000 for s, c in zip(seen, commits, strict=False)]
    return (
        f"{len(lat)} tag changes committed by another process: visible to this process's next "
        f"preview after p50 {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms "
        f"(corp of {customers:,} customers; goal < 1000 ms)"
    )


if __name__ == "__main__":
    print(visibility())
