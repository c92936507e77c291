"""Channel statistics at 50 channels × 1,000,000 add/delete events.

Loads 700,000 adds (50 channels, 10 employees, spread over the last 365 days) and 300,000
deletions of those adds into a fresh database, builds the daily roll-up from them
(``stats.rebuild``, the same counters the event handlers maintain incrementally), then times:

- figure: ``GET /api/v1/acquisition/stats`` over HTTP (per channel, whole year, with totals and
  the 365-day trend; then per day for one channel),
- baseline: a plain SQL ``GROUP BY channel_id, day`` over the raw add/delete facts on the same
  database in the same run (what the endpoint would cost without the roll-up).

Goal (issue 3): the stats endpoint answers in < 200 ms at this size.

    .venv/bin/python benchmarks/channel_stats.py [--events N] [--postgres | --database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
HOME = Path(tempfile.mkdtemp(prefix="siyu-bench-stats-"))
os.environ.setdefault("SIYU_DATABASE_URL", f"sqlite:///{HOME / 'siyu.db'}")
os.environ["SIYU_QUEUE_URL"] = f"sqlite:///{HOME / 'queue.db'}"
os.environ["SIYU_SECRET_KEY"] = "benchmark-secret-key"
os.environ["SIYU_SYNC_INTERVAL_MINUTES"] = "0"
os.environ["SIYU_WECOM_API_BASES"] = "http://127.0.0.1:9"  # an unreachable WeCom

import httpx  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

CHANNELS = 50
EMPLOYEES = 10
TZ = ZoneInfo("Asia/Shanghai")


def median_ms(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


async def make_corp(url: str) -> tuple[int, str]:
    from siyu.accounts import onboard
    from siyu.corps import service as corps
    from siyu.db.session import Database

    db = Database.open(url)
    async with db.unit_of_work() as s:
        corp = await onboard.add_corp(
            s,
            secret_key="benchmark-secret-key",
            name="压测企业",
            wecom_corp_id="wwbenchstats",
            secret="x",
            token="sandboxcallbacktoken",
            aes_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
            api_base="http://127.0.0.1:9",
        )
        key = await corps.create_api_key(s, corp, name="bench")
        corp_id = corp.id
    await db.dispose()
    return corp_id, key


def load(url: str, corp_id: int, events: int, seed: int) -> tuple[int, int]:
    from siyu.acquisition.models import ChannelAdd, ChannelCode
    from siyu.customers.models import Customer
    from siyu.db.engine import sync_url
    from siyu.employees.models import Employee

    rng = random.Random(seed)
    engine = create_engine(sync_url(url))
    now = datetime.now(UTC).replace(microsecond=0)
    adds = events * 7 // 10
    deletes = events - adds
    customers = adds // 3
    with engine.begin() as conn:
        conn.execute(
            insert(Employee),
            [
                {"corp_id": corp_id, "userid": f"emp{i}", "name": f"员工{i}", "department_ids": []}
                for i in range(EMPLOYEES)
            ],
        )
        conn.execute(
            insert(ChannelCode),
            [
                {
                    "corp_id": corp_id,
                    "name": f"渠道{i:02d}",
                    "state": f"bench{i:02d}",
                    "config_id": f"cfg{i}",
                    "userids": [f"emp{i % EMPLOYEES}"],
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(CHANNELS)
            ],
        )
        channel_ids = [r[0] for r in conn.execute(text("SELECT id FROM channel_codes"))]
        for start in range(0, customers, 50_000):
            conn.execute(
                insert(Customer),
                [
                    {
                        "corp_id": corp_id,
                        "external_userid": f"wm{i:09d}",
                        "seq": i + 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(customers, start + 50_000))
                ],
            )
        first_customer = conn.execute(text("SELECT min(id) FROM customers")).scalar_one()
        deleted = set(rng.sample(range(adds), deletes))
        batch = []
        for i in range(adds):
            added = now - timedelta(seconds=rng.randrange(365 * 86400))
            gone = None
            if i in deleted:
                r = rng.random()
                hold = 86400 if r < 0.4 else 7 * 86400 if r < 0.7 else 60 * 86400
                gone = min(now, added + timedelta(seconds=rng.randrange(60, hold)))
            batch.append(
                {
                    "corp_id": corp_id,
                    "channel_id": rng.choice(channel_ids),
                    "customer_id": first_customer + rng.randrange(customers),
                    "userid": f"emp{rng.randrange(EMPLOYEES)}",
                    "added_at": added,
                    "day": added.astimezone(TZ).date(),
                    "deleted_at": gone,
                    "deleted_by": "customer" if gone else None,
                    "extras_status": "done",
                    "extras_error": "",
                }
            )
            if len(batch) == 50_000:
                conn.execute(insert(ChannelAdd), batch)
                batch = []
        if batch:
            conn.execute(insert(ChannelAdd), batch)
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return adds, deletes


async def build_rollup(url: str, corp_id: int) -> int:
    from siyu.acquisition import stats
    from siyu.db.session import Database

    db = Database.open(url)
    async with db.unit_of_work() as s:
        n = await stats.rebuild(s, corp_id, tz=TZ)
    await db.dispose()
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ["SIYU_DATABASE_URL"])
    parser.add_argument(
        "--postgres", action="store_true", help="run on a throwaway PostgreSQL cluster"
    )
    args = parser.parse_args()
    url = args.database_url
    pg = None
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from tests.support.servers import Postgres

        pg = Postgres.start()
        url = pg.url
    os.environ["SIYU_DATABASE_URL"] = url

    from siyu.api.app import create_app
    from siyu.core.serving import ThreadedServer
    from siyu.core.settings import get_settings
    from siyu.db import migrate
    from siyu.db.engine import sync_url

    get_settings.cache_clear()
    migrate.upgrade(url)
    corp_id, key = asyncio.run(make_corp(url))
    t = time.perf_counter()
    adds, deletes = load(url, corp_id, args.events, args.seed)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    rollup_rows = asyncio.run(build_rollup(url, corp_id))
    rollup_s = time.perf_counter() - t

    engine = create_engine(sync_url(url))
    baseline_sql = text(
        "SELECT channel_id, day, count(*) AS adds, count(deleted_at) AS lost "
        "FROM channel_adds WHERE corp_id = :c GROUP BY channel_id, day"
    )
    with engine.connect() as conn:
        base_rows = conn.execute(baseline_sql, {"c": corp_id}).all()
        baseline = median_ms(lambda: conn.execute(baseline_sql, {"c": corp_id}).all(), args.runs)
    engine.dispose()

    server = ThreadedServer(create_app(get_settings(), workers=0)).start()
    today = datetime.now(UTC).astimezone(TZ).date()
    year = {"start": str(today - timedelta(days=365)), "end": str(today)}
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as http:

        def by_channel() -> dict[str, object]:
            r = http.get("/api/v1/acquisition/stats", params={**year, "by": "channel"})
            r.raise_for_status()
            return dict(r.json())

        first = by_channel()
        figure = median_ms(by_channel, args.runs)
        one = str(first["rows"][0]["key"])  # type: ignore[index]
        per_day = median_ms(
            lambda: http.get(
                "/api/v1/acquisition/stats", params={**year, "by": "day", "channel_id": one}
            ).raise_for_status(),
            args.runs,
        )
    server.stop()
    totals = first["totals"]
    assert totals["adds"] == adds == sum(r[2] for r in base_rows), "roll-up disagrees"  # type: ignore[index]
    assert totals["lost"] == deletes, "roll-up loses deletions"  # type: ignore[index]

    dialect = "postgresql" if url.startswith("postgres") else "sqlite"
    print(f"channel_stats on {dialect}: {CHANNELS} channels, {adds:,} adds + {deletes:,} deletes")
    print(f"  load {load_s:.1f} s; roll-up rebuild {rollup_s:.1f} s -> {rollup_rows:,} rows")
    print(f"  figure   GET /stats by channel, 365 days (HTTP): {figure:.1f} ms (median)")
    print(f"           GET /stats by day, one channel  (HTTP): {per_day:.1f} ms (median)")
    print(f"  baseline plain SQL GROUP BY channel, day:       {baseline:.1f} ms (median)")
    print(f"  ratio    baseline / figure: {baseline / figure:.1f}x   goal: figure < 200 ms")
    if pg is not None:
        pg.stop()


if __name__ == "__main__":
    main()
