"""Benchmark: full sync of a 100,000-customer sandbox corp over real HTTP, on SQLite.

The sandbox runs as ``siyu sandbox`` in its own process. The sync runs in a child process of
this script (``start_or_resume`` + ``run_full_sync``, what ``siyu sync`` does minus the progress
bar), so its peak memory is that process's own ``ru_maxrss``: the resident set an operator
would see (interpreter and libraries included), not just Python allocations (tracemalloc
would miss the SQLite page cache and C buffers and slow the run down).

Baseline, measured in the same run against the same sandbox: a child process that only pulls
the same ``batch/get_by_user`` pages with Siyu's WeCom client (parsed into the client's models)
and writes nothing. The ratio sync customers step / pull shows what Siyu's writes cost.

Figures: customers/s over the whole sync (every step: departments, employees, tags, customers,
groups, reconcile), the same over the customers step alone, peak RSS; goal >= 3,000
customers/s and < 500 MB.

Run: ``.venv/bin/python benchmarks/full_sync.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

GOAL_RATE = 3000
GOAL_MB = 500


# ---------------------------------------------------------------- child processes


async def pull_only(sandbox_url: str) -> dict[str, Any]:
    """Every customer page from the sandbox, parsed, nothing written."""
    from siyu.sync.service import PAGE_LIMIT
    from siyu.wecom.client import WeComClient
    from siyu.wecom.sandbox import SandboxConfig

    cfg = SandboxConfig()
    started = time.perf_counter()
    relations = tags = pages = 0
    customers: set[str] = set()
    async with WeComClient(corp_id=cfg.corp_id, secret=cfg.secret, base_url=sandbox_url) as c:
        userids = sorted(await c.get_follow_user_list())
        async for page in c.iter_batch_get_by_user(userids, limit=PAGE_LIMIT):
            pages += 1
            for item in page.items:
                relations += 1
                customers.add(item.external_contact.external_userid)
                tags += len(item.follow_info.tag_id or [])
    return {
        "seconds": time.perf_counter() - started,
        "pages": pages,
        "relations": relations,
        "customers": len(customers),
        "tags": tags,
        "employees": len(userids),
        "maxrss_mb": h.maxrss_mb(),
        "cpu_s": _cpu_seconds(),
    }


async def sync_once(corp_id: int) -> dict[str, Any]:
    """One full sync of the corp; seconds per step and in total."""
    from siyu.core.settings import get_settings
    from siyu.corps import service as corps
    from siyu.db.session import Database
    from siyu.sync import service

    db = Database.open(get_settings().database_url)
    marks: dict[str, list[float]] = {}

    def progress(step: str, done: int, total: int | None) -> None:
        now = time.perf_counter()
        marks.setdefault(step, [now, now])[1] = now

    try:
        started = time.perf_counter()
        async with db.unit_of_work() as s:
            corp = await corps.get(s, corp_id)
            run = await service.start_or_resume(s, corp, trigger="benchmark")
        async with corps.wecom_client(corp, secret_key=h.SECRET_KEY) as client:
            result = await service.run_full_sync(db, corp_id, run.id, client, progress=progress)
        total = time.perf_counter() - started
    finally:
        await db.dispose()
    # A step's duration: from the previous step's last progress call to its own last one.
    steps, prev = {}, started
    for step in service.STEPS:
        if step in marks:
            steps[step] = marks[step][1] - prev
            prev = marks[step][1]
    return {
        "seconds": total,
        "status": result.status,
        "steps": steps,
        "maxrss_mb": h.maxrss_mb(),
        "cpu_s": _cpu_seconds(),
    }


def _cpu_seconds() -> float:
    """User + system CPU time of this process (every thread): unlike wall time, it hardly
    moves with the load other processes put on the machine."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def child(args: list[str], profile: str | None = None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, *args]
    if profile:
        fmt = "speedscope" if profile.endswith(".json") else "raw"
        spy = str(Path(sys.executable).parent / "py-spy")
        cmd = [spy, "record", "--threads", "-r", "200", "-f", fmt, "-o", profile, "--", *cmd]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return dict(json.loads([line for line in out.splitlines() if line.startswith("{")][-1]))


def _pressure() -> str:
    """Linux CPU pressure (share of the last 60 s some task waited for a CPU), if available."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return ""
    avg60 = dict(kv.split("=") for kv in line.split()[1:]).get("avg60", "?")
    return f"CPU pressure avg60 {avg60} %; "


def db_counts(db_path: str) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {
            t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("customers", "follow_relations", "relation_tags", "timeline_events")
        }
    finally:
        con.close()


# ---------------------------------------------------------------- main


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--customers", type=int, default=100_000, help="default 100,000")
    p.add_argument(
        "--employees",
        type=int,
        default=100,
        help="employees with customer contact (default 100: the seed gives each customer 1-3 "
        "of them, 1.9 on average, whenever there are at least 3)",
    )
    p.add_argument("--seed", type=int, default=1, help="sandbox world seed (default 1)")
    p.add_argument("--keep", action="store_true", help="keep the temporary Siyu home")
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="run the sync child under py-spy (CPU samples, every thread) into FILE "
        "(speedscope JSON if it ends in .json, else py-spy's collapsed stacks)",
    )
    p.add_argument("--child", choices=["pull", "sync"], help=argparse.SUPPRESS)
    p.add_argument("--target", default="", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child == "pull":
        print(json.dumps(asyncio.run(pull_only(args.target))))
        return
    if args.child == "sync":
        print(json.dumps(asyncio.run(sync_once(int(args.target)))))
        return

    home = h.prepare_env()
    db_path = str(home / "siyu.db")
    print(f"full_sync: {args.customers} customers, {args.employees} employees; home {home}")
    t = time.perf_counter()
    with h.sandbox_process(
        customers=args.customers, employees=args.employees, seed=args.seed
    ) as sb:
        counts = sb.info["counts"]
        print(f"sandbox seeded in {time.perf_counter() - t:.1f}s: {counts}")
        corp_id = h.migrate_and_register(sb.url)
        pull = child(["--child", "pull", "--target", sb.url])
        sync = child(["--child", "sync", "--target", str(corp_id)], args.profile)
    rows = db_counts(db_path)
    n = counts["customers"]
    rate = n / sync["seconds"]
    cust_s = sync["steps"].get("customers", sync["seconds"])
    pull_rate = pull["customers"] / pull["seconds"]
    ratio = (n / cust_s) / pull_rate
    print()
    print(
        f"world     {n} customers, {pull['relations']} follow relations "
        f"({pull['relations'] / n:.2f}/customer), {pull['tags']} relation tags "
        f"({pull['tags'] / pull['relations']:.2f}/relation, "
        f"{pull['tags'] / n:.2f}/customer), {pull['pages']} pages of <= 100 relations"
    )
    print(
        f"baseline  pull only (no writes)   : {pull_rate:8.0f} customers/s "
        f"({pull['seconds']:.1f}s, {pull['cpu_s']:.1f}s CPU, peak RSS {pull['maxrss_mb']:.0f} MB)"
    )
    print(
        f"siyu      customers step          : {n / cust_s:8.0f} customers/s "
        f"({cust_s:.1f}s; {ratio:.1%} of the pull-only rate)"
    )
    print(
        f"siyu      whole sync              : {rate:8.0f} customers/s ({sync['seconds']:.1f}s, "
        f"{sync['cpu_s']:.1f}s CPU in the sync process, "
        f"status {sync['status']}; goal >= {GOAL_RATE}: "
        f"{'met' if rate >= GOAL_RATE else 'NOT met'})"
    )
    print(
        f"siyu      peak RSS of the sync    : {sync['maxrss_mb']:8.0f} MB "
        f"(goal < {GOAL_MB}: {'met' if sync['maxrss_mb'] < GOAL_MB else 'NOT met'})"
    )
    print("steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in sync["steps"].items()))
    print(f"rows: {rows}")
    print(f"machine: {h.machine_notes()}; {_pressure()}{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if args.json:
        print(json.dumps({"world": counts, "pull": pull, "sync": sync, "rows": rows}))
    h.cleanup(home, args.keep)


if __name__ == "__main__":
    main()
