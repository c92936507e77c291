"""Segment preview counts: the bitmap engine vs the same query on SQLite (and PostgreSQL).

    python benchmarks/segments.py                     # 1M and 10M customers, SQLite at both
    python benchmarks/segments.py --sizes 10000000 --pg-url postgresql://... --pg-queries 5

Data per size: 200 tags with Zipf-like popularity (~15 per customer), 500 employees (one owner
per customer), first added over 2 years. Rule: (A AND (B OR C)) AND NOT D AND added within
30 days AND owner in 20 employees, with A..D and the employees drawn at random per query.
The engine's bitmaps are built straight from the generated arrays (what ``engine.build`` does
from rows); the baseline databases are bulk-loaded with the same data (SQLite executemany with
no journal, PostgreSQL server-side unnest of int arrays; indexes after the load) and get an
extra (customer_id, tag_id) index so that their EXISTS probes are index lookups.
Incremental visibility is measured across two processes on a real migrated Siyu database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from array import array
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
from pyroaring import BitMap

from siyu.segments import engine
from siyu.segments.index import CorpIndex
from siyu.segments.rules import Definition

TAGS, EMPLOYEES, DAYS, TAGS_PER_CUSTOMER = 200, 500, 730, 15
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
TODAY = NOW.astimezone(TZ).date()


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def tag_probabilities() -> np.ndarray:
    p = 1.0 / np.arange(1, TAGS + 1) ** 0.7
    for _ in range(20):  # scale to ~15 tags per customer with no tag above 90%
        p = np.minimum(p * TAGS_PER_CUSTOMER / p.sum(), 0.9)
    return p


class Data:
    """Generated columns: owner, local day of first add, and per tag the sorted member seqs."""

    def __init__(self, n: int, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.owner = rng.integers(0, EMPLOYEES, n, dtype=np.int32)
        self.day = rng.integers(0, DAYS, n, dtype=np.int32)  # days before today (local)
        self.second = rng.integers(0, 86400, n, dtype=np.int32)
        self.tags = []
        for p in tag_probabilities():
            mask = rng.random(n, dtype=np.float32) < p
            self.tags.append((np.flatnonzero(mask) + 1).astype(np.uint32))

    def added_epoch(self) -> np.ndarray:
        midnight = datetime.combine(TODAY, datetime.min.time(), TZ).timestamp()
        return (midnight - self.day.astype(np.int64) * 86400 + self.second).astype(np.int64)


def groups(keys: np.ndarray, n_keys: int) -> list[np.ndarray]:
    order = np.argsort(keys, kind="stable").astype(np.uint32) + 1
    bounds = np.searchsorted(keys[order - 1], np.arange(n_keys + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(n_keys)]


def build_index(d: Data) -> CorpIndex:
    ix = CorpIndex("Asia/Shanghai")
    ix.universe = (
        BitMap.from_range(1, d.n + 1)
        if hasattr(BitMap, "from_range")
        else BitMap(range(1, d.n + 1))
    )
    ix.live = BitMap(ix.universe)
    for t, seqs in enumerate(d.tags):
        ix.tags[f"t{t}"] = BitMap(array("I", seqs.tobytes()))
    for e, seqs in enumerate(groups(d.owner, EMPLOYEES)):
        ix.owners[f"e{e}"] = BitMap(array("I", np.sort(seqs).tobytes()))
        ix.employees[f"e{e}"] = BitMap(ix.owners[f"e{e}"])
    for back, seqs in enumerate(groups(d.day, DAYS)):
        ix.days[(TODAY - timedelta(days=back)).toordinal()] = BitMap(
            array("I", np.sort(seqs).tobytes())
        )
    ix.optimize()
    return ix


def random_query(rng: np.random.Generator) -> tuple[list[str], list[str]]:
    a, b, c, d = (f"t{t}" for t in rng.choice(TAGS, 4, replace=False))
    owners = [f"e{e}" for e in rng.choice(EMPLOYEES, 20, replace=False)]
    return [a, b, c, d], owners


def rule_of(tags: list[str], owners: list[str]) -> Definition:
    a, b, c, d = tags
    return Definition.model_validate(
        {
            "rule": {
                "type": "and",
                "terms": [
                    {"type": "tags", "tag_ids": [a]},
                    {
                        "type": "or",
                        "terms": [
                            {"type": "tags", "tag_ids": [b]},
                            {"type": "tags", "tag_ids": [c]},
                        ],
                    },
                    {"type": "tags", "match": "none", "tag_ids": [d]},
                    {"type": "added", "within_days": 30},
                    {"type": "owner", "userids": owners},
                ],
            }
        }
    )


async def engine_count(ix: CorpIndex, definition: Definition) -> int:
    plan = await engine.compile_rule(cast(Any, None), 1, definition.rule, check=False)
    cand = engine.candidates(ix, include_deleted=False)
    return len(await engine.evaluate(plan, ix, None, cand, NOW))


SQL = """
SELECT count(*) FROM customers c
WHERE c.corp_id = 1 AND c.deleted_at IS NULL AND c.first_added_at >= {p}
  AND EXISTS (SELECT 1 FROM customer_owners o WHERE o.customer_id = c.id AND o.userid IN ({owners}))
  AND EXISTS (SELECT 1 FROM relation_tags t WHERE t.customer_id = c.id AND t.tag_id = {p})
  AND (EXISTS (SELECT 1 FROM relation_tags t WHERE t.customer_id = c.id AND t.tag_id = {p})
       OR EXISTS (SELECT 1 FROM relation_tags t WHERE t.customer_id = c.id AND t.tag_id = {p}))
  AND NOT EXISTS (SELECT 1 FROM relation_tags t WHERE t.customer_id = c.id AND t.tag_id = {p})
"""
SCHEMA = [
    "CREATE TABLE customers (id BIGINT PRIMARY KEY, corp_id INT, seq INT,"
    " first_added_at BIGINT, deleted_at BIGINT)",
    "CREATE TABLE customer_owners (customer_id BIGINT, corp_id INT, userid VARCHAR(64))",
    "CREATE TABLE relation_tags (relation_id BIGINT, tag_id VARCHAR(64), corp_id INT,"
    " customer_id BIGINT)",
]
INDEXES = [
    "CREATE INDEX ix_customers_corp_added ON customers (corp_id, first_added_at)",
    "CREATE INDEX ix_owners_customer ON customer_owners (customer_id)",
    "CREATE INDEX ix_owners_corp_userid ON customer_owners (corp_id, userid)",
    "CREATE INDEX ix_relation_tags_corp_tag ON relation_tags (corp_id, tag_id)",
    "CREATE INDEX ix_relation_tags_customer_tag ON relation_tags (customer_id, tag_id)",
]


def since_epoch() -> int:
    start = TODAY - timedelta(days=29)
    return int(datetime.combine(start, datetime.min.time(), TZ).timestamp())


def sql_args(tags: list[str], owners: list[str]) -> list[Any]:
    a, b, c, d = tags
    return [since_epoch(), *owners, a, b, c, d]


def load_sqlite(path: str, d: Data) -> tuple[float, float]:
    """Bulk load (executemany per table, no journal), then the indexes; (load s, index s)."""
    started = time.perf_counter()
    con = sqlite3.connect(path)
    con.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;"
        " PRAGMA temp_store=FILE;"
    )
    for stmt in SCHEMA:
        con.execute(stmt)
    added = d.added_epoch().tolist()
    con.executemany(
        "INSERT INTO customers VALUES (?,1,?,?,NULL)",
        ((i + 1, i + 1, added[i]) for i in range(d.n)),
    )
    con.executemany(
        "INSERT INTO customer_owners VALUES (?,1,?)",
        ((i + 1, f"e{o}") for i, o in enumerate(d.owner.tolist())),
    )
    for t, seqs in enumerate(d.tags):
        name = f"t{t}"
        con.executemany(
            "INSERT INTO relation_tags VALUES (?,?,1,?)", ((x, name, x) for x in seqs.tolist())
        )
    con.commit()
    loaded = time.perf_counter()
    for stmt in INDEXES:
        con.execute(stmt)
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return loaded - started, time.perf_counter() - loaded


def load_pg(url: str, d: Data) -> tuple[float, float]:
    """Bulk load (server-side ``unnest`` of int arrays, 1M elements a statement), then the
    indexes; (load s, index s)."""
    import psycopg

    step = 1_000_000
    started = time.perf_counter()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con:
        con.execute("SET synchronous_commit = off")
        con.execute("SET maintenance_work_mem = '1GB'")
        for t in ("customers", "customer_owners", "relation_tags"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        for stmt in SCHEMA:
            con.execute(stmt)
        added, owner = d.added_epoch(), d.owner
        for i in range(0, d.n, step):
            ids = list(range(i + 1, min(d.n, i + step) + 1))
            con.execute(
                "INSERT INTO customers SELECT s, 1, s, a, NULL"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS u(s, a)",
                (ids, added[i : i + step].tolist()),
            )
            con.execute(
                "INSERT INTO customer_owners SELECT s, 1, 'e' || o"
                " FROM unnest(%s::bigint[], %s::int[]) AS u(s, o)",
                (ids, owner[i : i + step].tolist()),
            )
        for t, seqs in enumerate(d.tags):
            for i in range(0, len(seqs), step):
                con.execute(
                    "INSERT INTO relation_tags SELECT s, %s, 1, s FROM unnest(%s::bigint[]) AS s",
                    (f"t{t}", seqs[i : i + step].tolist()),
                )
        con.commit()
        loaded = time.perf_counter()
        for stmt in INDEXES:
            con.execute(stmt)
        con.execute("ANALYZE")
    return loaded - started, time.perf_counter() - loaded


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"customers": n}
    t = time.perf_counter()
    d = Data(n)
    out["generate_s"] = time.perf_counter() - t
    out["tag_rows"] = int(sum(len(x) for x in d.tags))
    before = rss_mb()
    t = time.perf_counter()
    ix = build_index(d)
    out["build_s"] = time.perf_counter() - t
    out["index_mb"] = ix.memory_bytes() / 2**20
    out["rss_delta_mb"] = rss_mb() - before
    out["bitmaps"] = ix.bitmap_count()
    rng = np.random.default_rng(11)
    queries = [random_query(rng) for _ in range(args.queries)]
    lat, counts = [], []
    for tags, owners in queries:
        definition = rule_of(tags, owners)
        t = time.perf_counter()
        counts.append(asyncio.run(engine_count(ix, definition)))
        lat.append((time.perf_counter() - t) * 1000)
    out["engine_p50_ms"], out["engine_p99_ms"] = pct(lat, 0.5), pct(lat, 0.99)
    out["mean_count"] = statistics.mean(counts)
    # One tag change applied in memory (the in-process half of incremental visibility).
    from siyu.segments.index import Facts

    seq = n // 2
    facts = Facts(
        customers=[(seq, 0, 1, False, NOW)],
        relations=[(seq, "e1", "", 1)],
        tags=[(seq, "t0")],
        owners=[(seq, "e1")],
    )
    t = time.perf_counter()
    ix.apply([seq], facts, change_id=ix.last_change_id + 1)
    out["apply_one_change_ms"] = (time.perf_counter() - t) * 1000
    print(f"  engine: {out}", flush=True)
    for name, enabled, loader, runner, n_queries in (
        ("sqlite", n <= args.sql_max, load_sqlite, run_sqlite, args.sql_queries),
        ("pg", bool(args.pg_url) and n <= args.sql_max, load_pg, run_pg, args.pg_queries),
    ):
        if not enabled:
            continue
        target = args.pg_url if name == "pg" else os.path.join(args.workdir, f"bench-{n}.db")
        if name == "sqlite" and os.path.exists(target):
            os.remove(target)
        out[f"{name}_load_s"], out[f"{name}_index_s"] = loader(target, d)
        print(f"  {name} loaded in {out[f'{name}_load_s']:.0f} s", flush=True)
        sample = queries[:n_queries]
        lat_sql, agree = [], True
        for (tags, owners), want in zip(sample, counts, strict=False):
            t = time.perf_counter()
            got = runner(target, tags, owners)
            lat_sql.append((time.perf_counter() - t) * 1000)
            agree &= got == want
        out[f"{name}_p50_ms"], out[f"{name}_p99_ms"] = pct(lat_sql, 0.5), pct(lat_sql, 0.99)
        out[f"{name}_queries"], out[f"{name}_agrees"] = len(sample), agree
        print(f"  {name}: p50 {out[f'{name}_p50_ms']:.0f} ms, agrees {agree}", flush=True)
        if name == "sqlite":
            os.remove(target)
    return out


def run_sqlite(path: str, tags: list[str], owners: list[str]) -> int:
    con = sqlite3.connect(path)
    try:
        sql = SQL.format(p="?", owners=",".join("?" * len(owners)))
        return int(con.execute(sql, sql_args(tags, owners)).fetchone()[0])
    finally:
        con.close()


def run_pg(url: str, tags: list[str], owners: list[str]) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con:
        sql = SQL.format(p="%s", owners=",".join(["%s"] * len(owners)))
        return int(con.execute(sql, sql_args(tags, owners)).fetchone()[0])  # type: ignore[index]


def report(r: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\n== {r['customers']:,} customers ({r['tag_rows']:,} customer-tag pairs, "
        f"{r['bitmaps']} bitmaps)"
    )
    print(
        f"generate {r['generate_s']:.1f} s; build {r['build_s']:.1f} s; "
        f"index {r['index_mb']:.0f} MB serialized, RSS +{r['rss_delta_mb']:.0f} MB"
    )
    print(
        f"engine preview: p50 {r['engine_p50_ms']:.2f} ms  p99 {r['engine_p99_ms']:.2f} ms "
        f"over {args.queries} queries (mean count {r['mean_count']:.0f})"
    )
    print(f"one change applied in memory: {r['apply_one_change_ms']:.2f} ms")
    for name in ("sqlite", "pg"):
        if f"{name}_p50_ms" in r:
            print(
                f"{name}: load {r[f'{name}_load_s']:.0f} s + indexes "
                f"{r[f'{name}_index_s']:.0f} s; p50 {r[f'{name}_p50_ms']:.0f} ms  "
                f"p99 {r[f'{name}_p99_ms']:.0f} ms over {r[f'{name}_queries']} queries; "
                f"same counts as the engine: {r[f'{name}_agrees']}"
            )
        elif name == "sqlite":
            print(f"{name}: not loaded at this size (--sql-max {args.sql_max:,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--queries", type=int, default=200, help="engine previews per size")
    parser.add_argument("--sql-queries", type=int, default=20, help="database previews per size")
    parser.add_argument(
        "--sql-max", type=int, default=10_000_000, help="largest size loaded into the databases"
    )
    parser.add_argument("--pg-queries", type=int, default=20, help="PostgreSQL previews")
    parser.add_argument("--pg-url", default="")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    parser.add_argument("--skip-visibility", action="store_true")
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        r = bench_size(n, args)
        report(r, args)
    if not args.skip_visibility:
        from segments_visibility import visibility

        print("\n== incremental visibility across processes (real Siyu schema, SQLite)")
        print(visibility())


if __name__ == "__main__":
    main()
