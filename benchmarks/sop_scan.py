"""SOP timers: the due probe and the batched scan over a million timer rows.

    python benchmarks/sop_scan.py                          # SQLite (WAL) in a temp dir
    python benchmarks/sop_scan.py --pg-url postgresql+psycopg://siyu@127.0.0.1:5432/postgres

Data: one corp, ``--customers`` customers (default 50,000) each running a template of
``--steps`` daily steps (default 20): 1,000,000 timer rows, all started at T0. At T0 + 12 h the
day-0 step of every customer is due (50,000 rows), the other 950,000 are not.

Figures: the minute tick's per-corp probe when nothing is due (``repository.has_due``, median
of 50) and the full
scan delivering the 50,000 due rows in batches of 500 (``delivery.scan_due``: claim, stop
checks, content, one app message per employee per round). Baseline, same run: the same probe
with the (corp_id, status, due_at) index disabled (SQLite ``NOT INDEXED``, PostgreSQL
``enable_indexscan/bitmapscan = off``), i.e. the full scan that the index avoids.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
USERIDS = [f"emp{i:03d}" for i in range(50)]


async def build(db: object, customers: int, steps: int) -> tuple[int, int]:
    from siyu.accounts import onboard
    from siyu.customers.models import Customer, FollowRelation
    from siyu.db.session import Database
    from siyu.sop.models import SopRun, SopStep, SopTask, SopTemplate

    assert isinstance(db, Database)
    async with db.unit_of_work() as s:
        corp = await onboard.add_corp(
            s,
            secret_key="bench-secret",
            name="基准企业",
            wecom_corp_id="wwbench0001",
            secret="s" * 20,
            token="t" * 20,
            aes_key="a" * 43,
            agent_id=1000002,
        )
        tpl = SopTemplate(
            corp_id=corp.id,
            name="新客培育",
            target="customer",
            trigger_kind="tag_added",
            trigger={"kind": "tag_added", "tag_ids": ["tagA"]},
            stop={"tags_removed": [], "converted_tags": ["won"]},
            enabled=True,
            version=1,
        )
        s.add(tpl)
        await s.flush()
        step_rows = [
            SopStep(
                corp_id=corp.id,
                template_id=tpl.id,
                version=1,
                position=d + 1,
                day=d,
                text=f"第{d}天",
            )
            for d in range(steps)
        ]
        s.add_all(step_rows)
        await s.flush()
        corp_id, tpl_id, step_ids = corp.id, tpl.id, [st.id for st in step_rows]
    chunk = 5000
    for start in range(0, customers, chunk):
        n = min(chunk, customers - start)
        async with db.unit_of_work() as s:
            await s.execute(
                insert(Customer),
                [
                    {
                        "corp_id": corp_id,
                        "external_userid": f"wm{i:09d}",
                        "seq": i + 1,
                        "name": f"客户{i}",
                    }
                    for i in range(start, start + n)
                ],
            )
            ids = list(
                (
                    await s.scalars(
                        select(Customer.id)
                        .where(Customer.seq > start, Customer.seq <= start + n)
                        .order_by(Customer.seq)
                    )
                ).all()
            )
            await s.execute(
                insert(FollowRelation),
                [
                    {
                        "corp_id": corp_id,
                        "customer_id": c,
                        "userid": USERIDS[c % len(USERIDS)],
                        "remark_mobiles": [],
                    }
                    for c in ids
                ],
            )
            await s.execute(
                insert(SopRun),
                [
                    {
                        "corp_id": corp_id,
                        "template_id": tpl_id,
                        "version": 1,
                        "customer_id": c,
                        "userid": USERIDS[c % len(USERIDS)],
                        "status": "running",
                        "stop_reason": "",
                        "started_at": T0,
                    }
                    for c in ids
                ],
            )
            runs = dict(
                (
                    await s.execute(
                        select(SopRun.customer_id, SopRun.id).where(SopRun.customer_id.in_(ids))
                    )
                ).all()
            )
            await s.execute(
                insert(SopTask),
                [
                    {
                        "corp_id": corp_id,
                        "run_id": runs[c],
                        "template_id": tpl_id,
                        "step_id": sid,
                        "position": d + 1,
                        "customer_id": c,
                        "userid": USERIDS[c % len(USERIDS)],
                        "status": "scheduled",
                        "due_at": T0 + timedelta(days=d),
                        "finished_by": "",
                        "content": {},
                    }
                    for c in ids
                    for d, sid in enumerate(step_ids)
                ],
            )
        print(f"  loaded {start + n:,} customers", end="\r", flush=True)
    print()
    return corp_id, tpl_id


async def main(url: str, customers: int, steps: int) -> None:
    from siyu.db import migrate
    from siyu.db.session import Database
    from siyu.sop import delivery
    from siyu.sop import repository as repo
    from siyu.sop.models import SopTask

    migrate.upgrade(url)
    db = Database.open(url, pooled=False)
    t = time.perf_counter()
    corp_id, _ = await build(db, customers, steps)
    print(f"built {customers * steps:,} timers in {time.perf_counter() - t:.0f} s")
    now = T0 + timedelta(hours=12)

    async def probe(indexed: bool, at: datetime) -> float:
        """One minute-tick probe; ``indexed=False`` is the same query forced to a table scan."""
        sql = (
            "SELECT id FROM sop_tasks {hint} WHERE corp_id = :c AND status = 'scheduled'"
            " AND due_at <= :n LIMIT 1"
        )
        async with db.unit_of_work() as s:
            if not indexed and db.dialect == "postgresql":
                await s.execute(text("SET LOCAL enable_indexscan = off"))
                await s.execute(text("SET LOCAL enable_bitmapscan = off"))
            t = time.perf_counter()
            if indexed:
                await repo.has_due(s, corp_id, now=at)
            else:
                hint = "NOT INDEXED" if db.dialect == "sqlite" else ""
                n = at.strftime("%Y-%m-%d %H:%M:%S.%f") if db.dialect == "sqlite" else at
                await s.execute(text(sql.format(hint=hint)), {"c": corp_id, "n": n})
            return time.perf_counter() - t

    # most minutes nothing is due: the probe must answer "no" without reading the timers
    idle = T0 - timedelta(hours=1)
    with_index = statistics.median([await probe(True, idle) for _ in range(50)])
    without = statistics.median([await probe(False, idle) for _ in range(5)])
    t = time.perf_counter()
    result = await delivery.scan_due(db, corp_id, now=now, batch=500)
    scan = time.perf_counter() - t
    async with db.unit_of_work() as s:
        untouched = await s.scalar(
            select(func.count()).where(
                SopTask.status == "scheduled", SopTask.delivered_at.is_(None)
            )
        )
    print(f"database: {db.dialect}; timers: {customers * steps:,}; due: {result.delivered:,}")
    print(f"probe, nothing due (index):    {with_index * 1000:9.2f} ms")
    print(
        f"baseline, same without index:  {without * 1000:9.2f} ms  ({without / with_index:,.0f}x)"
    )
    print(
        f"scan: {result.delivered:,} delivered in {result.rounds} rounds, {scan:.1f} s"
        f" ({result.delivered / scan:,.0f} rows/s); {untouched:,} timers untouched"
    )
    await db.dispose()


if __name__ == "__main__":
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--customers", type=int, default=50_000)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--pg-url", default=None)
    a = p.parse_args()
    home = tempfile.mkdtemp(prefix="siyu-bench-sop-")
    os.environ.setdefault("SIYU_QUEUE_URL", f"sqlite:///{home}/queue.db")
    os.environ.setdefault("SIYU_SECRET_KEY", "bench-secret")
    url = a.pg_url or f"sqlite:///{home}/siyu.db"
    os.environ["SIYU_DATABASE_URL"] = url
    asyncio.run(main(url, a.customers, a.steps))
