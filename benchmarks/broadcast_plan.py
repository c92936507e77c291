"""Benchmark: plan and submit a broadcast to 1,000,000 customers over 500 employees.

The sandbox runs as ``siyu sandbox`` in its own process; its customers are added in bulk
through ``POST /sandbox/groupmsg/bulk_customers`` (the seeded world would take minutes), and
the same customers and follow relations are bulk-inserted into Siyu's SQLite database.

Measured in child processes (peak RSS = that process's VmHWM, interpreter included):

- **plan + submit**: ``siyu.broadcasts.ledger.run`` — the assignment (one sender per customer,
  owner first) and the ledger written with two INSERT … SELECT statements, then one
  ``add_msg_template`` per sender job over real HTTP with the in-flight / submitted commits
  and every recipient moved to ``submitted``;
- **baseline**: just writing the same number of ledger rows (sender jobs + recipients) with
  SQLAlchemy Core bulk inserts (executemany of dicts), nothing else.

Goal: plan + submit < 60 s and < 500 MB on SQLite.

Run: ``.venv/bin/python benchmarks/broadcast_plan.py`` (``--customers``, ``--employees``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

GOAL_S = 60
GOAL_MB = 500
PREFIX = "wmbench"


def seed_siyu(corp_id: int, employees: list[str], per: int) -> None:
    """Customers and follow relations matching the sandbox's bulk customers."""
    import sqlite3
    from datetime import UTC, datetime

    from siyu.core.settings import get_settings

    path = get_settings().database_url.removeprefix("sqlite:///")
    now = datetime.now(UTC).isoformat(sep=" ")
    con = sqlite3.connect(path)
    seq = 0
    for i, userid in enumerate(employees):
        cust = []
        for n in range(per):
            seq += 1
            cust.append((corp_id, f"{PREFIX}{i:04d}{n:06d}", seq, f"客户{i}-{n}", now, now, now))
        con.executemany(
            "INSERT INTO customers (corp_id, external_userid, seq, name, avatar, type, gender,"
            " corp_name, position, unionid, first_added_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, '', 1, 0, '', '', '', ?, ?, ?)",
            cust,
        )
        first = seq - per + 1
        con.executemany(
            "INSERT INTO follow_relations (corp_id, customer_id, userid, remark, description,"
            " remark_corp_name, remark_mobiles, add_way, state, oper_userid, added_at,"
            " created_at, updated_at)"
            " SELECT ?, id, ?, '', '', '', '[]', 1, '', '', ?, ?, ? FROM customers"
            " WHERE corp_id = ? AND seq = ?",
            [(corp_id, userid, now, now, now, corp_id, first + n) for n in range(per)],
        )
    con.execute("UPDATE corps SET next_customer_seq = ? WHERE id = ?", (seq + 1, corp_id))
    con.commit()
    con.close()


async def plan_submit(corp_id: int) -> dict[str, Any]:
    from siyu.broadcasts import ledger
    from siyu.broadcasts.models import Broadcast
    from siyu.core.settings import get_settings
    from siyu.corps import service as corps
    from siyu.db.session import Database

    db = Database.open(get_settings().database_url)
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        b = Broadcast(corp_id=corp_id, name="基准", status="planning", text="周年庆", counts={})
        b.audience, b.attachments = {}, []
        s.add(b)
        await s.flush()
        bid = b.id
    started = time.perf_counter()
    async with db.unit_of_work() as s:  # the plan step alone (run() would do it first)
        b1 = await s.get(Broadcast, bid)
        assert b1 is not None
        await ledger.plan(s, b1, tz=corp.timezone)
    planned = time.perf_counter() - started
    async with corps.wecom_client(corp, secret_key=h.SECRET_KEY) as client:
        status = await ledger.run(db, corp_id, bid, client, tz=corp.timezone)
    wall = time.perf_counter() - started
    async with db.unit_of_work() as s:
        b2 = await s.get(Broadcast, bid)
        assert b2 is not None
        out = {"status": status, "total": b2.total, "jobs": b2.senders, "counts": b2.counts}
    await db.dispose()
    return {**out, "wall_s": round(wall, 2), "plan_s": round(planned, 2), "peak_mb": h.maxrss_mb()}


async def baseline(corp_id: int, employees: list[str], per: int) -> dict[str, Any]:
    from sqlalchemy import insert

    from siyu.broadcasts.models import Broadcast, BroadcastRecipient, BroadcastSender
    from siyu.core.settings import get_settings
    from siyu.db.base import utcnow
    from siyu.db.session import Database

    db = Database.open(get_settings().database_url)
    async with db.unit_of_work() as s:
        b = Broadcast(corp_id=corp_id, name="基线", status="submitted", text="x", counts={})
        b.audience, b.attachments = {}, []
        s.add(b)
        await s.flush()
        bid = b.id
    started = time.perf_counter()
    async with db.unit_of_work() as s:
        now = utcnow()
        for i, userid in enumerate(employees):
            job = BroadcastSender(corp_id=corp_id, broadcast_id=bid, userid=userid, chunk=0)
            job.status, job.recipients, job.attempts, job.reconciled, job.reminds = (
                "planned",
                per,
                0,
                False,
                0,
            )
            job.created_at = job.updated_at = now
            s.add(job)
            await s.flush()
            rows = [
                {
                    "corp_id": corp_id,
                    "broadcast_id": bid,
                    "sender_id": job.id,
                    "customer_id": i * per + n + 1,
                    "external_userid": f"{PREFIX}{i:04d}{n:06d}",
                    "userid": userid,
                    "state": "planned",
                }
                for n in range(per)
            ]
            await s.execute(insert(BroadcastRecipient), rows)
    wall = time.perf_counter() - started
    await db.dispose()
    return {"wall_s": round(wall, 2), "rows": len(employees) * per, "peak_mb": h.maxrss_mb()}


def child(mode: str, args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, *args], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--employees", type=int, default=500)
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    p.add_argument("--keep", action="store_true")
    a = p.parse_args()
    if a.child:
        import siyu.models  # noqa: F401  (every table)

        mode, corp_id, per, emps = a.child[0], int(a.child[1]), int(a.child[2]), a.child[3:]
        if mode == "run":
            result = asyncio.run(plan_submit(corp_id))
        else:
            result = asyncio.run(baseline(corp_id, emps, per))
        print(json.dumps(result))
        return
    home = h.prepare_env()
    per = a.customers // a.employees
    with h.sandbox_process(customers=0, employees=a.employees) as sb:
        body = json.dumps({"per_employee": per, "prefix": PREFIX}).encode()
        req = urllib.request.Request(
            f"{sb.url}/sandbox/groupmsg/bulk_customers",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=600) as r:
            added = json.loads(r.read())["added"]
        employees = sorted(e["userid"] for e in h.get_json(f"{sb.url}/sandbox/employees"))
        corp_id = h.migrate_and_register(sb.url)
        t = time.perf_counter()
        seed_siyu(corp_id, employees, per)
        print(f"seeded {added:,} customers in the sandbox; Siyu in {time.perf_counter() - t:.1f}s")
        run = child("run", [str(corp_id), str(per)])
        base = child("baseline", [str(corp_id), str(per), *employees])
        made = h.get_json(f"{sb.url}/sandbox/groupmsg/targets")
    print(h.machine_notes())
    print(
        f"plan + submit : {run['wall_s']:6.1f} s  (plan {run['plan_s']} s)  "
        f"peak {run['peak_mb']:.0f} MB  {run['total']:,} recipients, {run['jobs']} jobs, "
        f"status {run['status']}, {made['messages']} messages in the sandbox"
    )
    print(
        f"baseline      : {base['wall_s']:6.1f} s  peak {base['peak_mb']:.0f} MB  "
        f"({base['rows']:,} ledger rows, bulk insert only)"
    )
    ok = run["wall_s"] < GOAL_S and run["peak_mb"] < GOAL_MB
    print(f"goal < {GOAL_S} s and < {GOAL_MB} MB: {'met' if ok else 'NOT met'}")
    h.cleanup(home, a.keep)


if __name__ == "__main__":
    main()
