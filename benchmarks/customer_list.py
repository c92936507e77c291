"""The customer list at 1,000,000 customers: count, first page and export over HTTP, against the
segment preview of the same rule (the baseline, same server, same run); and the dashboard.

    .venv/bin/python benchmarks/customer_list.py                 # SQLite, then PostgreSQL
    .venv/bin/python benchmarks/customer_list.py --db sqlite --customers 200000

Data (the shape of benchmarks/segments.py, in Siyu's real migrated schema): 200 tags with
Zipf-like popularity (~15 per customer), 500 employees, one follow relation per customer with its
owner, first added over two years, 40 % through one of 50 channels, 5 % lost, 30 % at one of the
corp's lifecycle stages; timeline: every add and loss, and 1,000,000 tag events over the last
year. Loaded in bulk (secondary indexes dropped and rebuilt, as after a restore), then Siyu is
started in its own process (Uvicorn, no worker) and builds the segment index as it does at every
start.

Figures (medians; each filter set is drawn 5 times with random popular tags, each asked 5 times):
count, first page (50 rows, default order) and the preview of the same rule, for 1, 2 and 5
filters; the ratio count / preview (goal ≤ 2); export of ~100,000 rows (CSV and XLSX) in rows/s
with the server's RSS before and at its peak during the export; the dashboard for 30 and 365
days (goal < 300 ms). Goals of issue 13 §1: count within 2x of the preview, first page p50 <
150 ms, export >= 20,000 rows/s with flat memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
HOME = Path(tempfile.mkdtemp(prefix="siyu-bench-list-"))
os.environ["SIYU_QUEUE_URL"] = f"sqlite:///{HOME / 'queue.db'}"
os.environ["SIYU_SECRET_KEY"] = "benchmark-secret-key"
os.environ["SIYU_SYNC_INTERVAL_MINUTES"] = "0"
os.environ["SIYU_WECOM_API_BASES"] = "http://127.0.0.1:9"  # an unreachable WeCom
os.environ["SIYU_LOG_LEVEL"] = "WARNING"

import httpx  # noqa: E402
from _harness import free_port, machine_notes  # noqa: E402

TAGS, EMPLOYEES, DAYS, CHANNELS = 200, 500, 730, 50
TAG_EVENTS = 1_000_000
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone(TZ).date()
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def tag_probabilities() -> np.ndarray:
    p = 1.0 / np.arange(1, TAGS + 1) ** 0.7
    for _ in range(20):  # ~15 tags per customer, none above 90 % (as benchmarks/segments.py)
        p = np.minimum(p * 15 / p.sum(), 0.9)
    return p


class Data:
    """Generated columns of n customers (seq = id = 1..n, one relation each, id = seq)."""

    def __init__(self, n: int, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.owner = rng.integers(0, EMPLOYEES, n, dtype=np.int32)
        day = rng.integers(0, DAYS, n, dtype=np.int64)  # days before today (local)
        midnight = datetime.combine(TODAY, datetime.min.time(), TZ).timestamp()
        self.added = (midnight - day * 86400 + rng.integers(0, 86400, n)).astype(np.int64)
        self.added = np.minimum(self.added, int(NOW.timestamp()) - 60)
        self.lost = rng.random(n) < 0.05
        gone = self.added + rng.integers(3600, 60 * 86400, n)
        self.deleted = np.where(self.lost, np.minimum(gone, int(NOW.timestamp()) - 1), 0)
        self.channel = np.where(rng.random(n) < 0.4, rng.integers(0, CHANNELS, n), -1)
        self.add_way = rng.choice([0, 1, 2, 3], n, p=[0.1, 0.5, 0.2, 0.2]).astype(np.int32)
        self.gender = rng.integers(0, 3, n, dtype=np.int32)
        self.stage = np.where(rng.random(n) < 0.3, rng.integers(0, 5, n), -1)
        self.tags: list[np.ndarray] = []
        for p in tag_probabilities():
            self.tags.append(np.flatnonzero(rng.random(n, dtype=np.float32) < p) + 1)
        year = int(NOW.timestamp()) - 365 * 86400
        self.tag_event_at = rng.integers(year, int(NOW.timestamp()), TAG_EVENTS)
        self.tag_event_who = rng.integers(1, n + 1, TAG_EVENTS)
        # customers.last_active_at: the newest timeline entry (what timeline.touch keeps)
        self.last_active = np.maximum(self.added, self.deleted)
        np.maximum.at(self.last_active, self.tag_event_who - 1, self.tag_event_at)


# -- loading ----------------------------------------------------------------------------------


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime(SQLITE_TIME)


def customer_rows(d: Data, corp: int) -> Any:
    for i in range(d.n):
        seq = i + 1
        yield (
            seq,
            corp,
            f"wm{seq:09d}",
            seq,
            f"客户{seq}",
            int(d.gender[i]),
            iso(int(d.added[i])),
            iso(int(d.deleted[i])) if d.lost[i] else None,
            iso(int(d.last_active[i])),
        )


def relation_rows(d: Data, corp: int) -> Any:
    for i in range(d.n):
        seq = i + 1
        ch = int(d.channel[i])
        yield (
            seq,
            corp,
            seq,
            f"e{int(d.owner[i])}",
            f"备注{seq}" if seq % 10 == 0 else "",
            int(d.add_way[i]),
            f"ch{ch}" if ch >= 0 else "",
            iso(int(d.added[i])),
            iso(int(d.deleted[i])) if d.lost[i] else None,
            "customer" if d.lost[i] else None,
        )


def timeline_rows(d: Data, corp: int) -> Any:
    for i in range(d.n):
        seq = i + 1
        owner = f"e{int(d.owner[i])}"
        yield (corp, seq, "added", owner, iso(int(d.added[i])))
        if d.lost[i]:
            yield (corp, seq, "deleted_by_customer", owner, iso(int(d.deleted[i])))
    for at, who in zip(d.tag_event_at.tolist(), d.tag_event_who.tolist(), strict=True):
        yield (corp, who, "tagged", f"e{int(d.owner[who - 1])}", iso(at))


def tag_pairs(d: Data) -> tuple[np.ndarray, np.ndarray]:
    """(seq, tag index) of every customer tag, in seq order."""
    seqs = np.concatenate(d.tags)
    tags = np.concatenate([np.full(len(s), t, dtype=np.int32) for t, s in enumerate(d.tags)])
    order = np.argsort(seqs, kind="stable")
    return seqs[order], tags[order]


LOADED = ("customers", "follow_relations", "relation_tags", "customer_owners", "timeline_events")


def load_sqlite(path: str, d: Data, corp: int, stage_ids: list[int]) -> float:
    started = time.perf_counter()
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript(
        "PRAGMA journal_mode=DELETE; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
        " PRAGMA cache_size=-1000000; PRAGMA foreign_keys=OFF;"
    )
    marks = ",".join("?" * len(LOADED))
    indexes = con.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks})",
        LOADED,
    ).fetchall()
    for name, _ in indexes:
        con.execute(f'DROP INDEX "{name}"')
    con.execute("BEGIN")
    now = iso(int(NOW.timestamp()))
    con.executemany(
        "INSERT INTO customers (id, corp_id, external_userid, seq, name, avatar, type, gender,"
        " corp_name, position, unionid, first_added_at, deleted_at, last_active_at, created_at,"
        f" updated_at) VALUES (?,?,?,?,?,'',1,?,'','','',?,?,?,'{now}','{now}')",
        customer_rows(d, corp),
    )
    con.executemany(
        "INSERT INTO follow_relations (id, corp_id, customer_id, userid, remark, description,"
        " remark_corp_name, remark_mobiles, add_way, state, oper_userid, added_at, deleted_at,"
        " deleted_by, created_at, updated_at)"
        f" VALUES (?,?,?,?,?,'','','[]',?,?,'',?,?,?,'{now}','{now}')",
        relation_rows(d, corp),
    )
    seqs, tags = tag_pairs(d)
    con.executemany(
        "INSERT INTO relation_tags (relation_id, tag_id, corp_id, customer_id)"
        f" VALUES (?,?,{corp},?)",
        ((s, f"t{t}", s) for s, t in zip(seqs.tolist(), tags.tolist(), strict=True)),
    )
    con.executemany(
        f"INSERT INTO customer_owners (corp_id, customer_id, userid, since) VALUES ({corp},?,?,?)",
        ((i + 1, f"e{int(d.owner[i])}", iso(int(d.added[i]))) for i in range(d.n)),
    )
    con.executemany(
        "INSERT INTO customer_stage_states (customer_id, corp_id, stage_id, changed_at, changed_by)"
        f" VALUES (?,{corp},?,'{now}','bench')",
        ((i + 1, stage_ids[int(s)]) for i, s in enumerate(d.stage) if s >= 0),
    )
    con.executemany(
        "INSERT INTO timeline_events (corp_id, customer_id, kind, userid, occurred_at, data)"
        " VALUES (?,?,?,?,?,'{}')",
        timeline_rows(d, corp),
    )
    con.execute(f"UPDATE corps SET next_customer_seq = {d.n + 1} WHERE id = {corp}")
    con.execute("COMMIT")
    for _, sql in indexes:
        con.execute(sql)
    con.execute("ANALYZE")
    con.executescript("PRAGMA journal_mode=WAL;")
    con.close()
    return time.perf_counter() - started


def load_pg(url: str, d: Data, corp: int, stage_ids: list[int]) -> float:
    import psycopg

    started = time.perf_counter()
    step = 500_000
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con:
        con.execute("SET synchronous_commit = off")
        con.execute("SET maintenance_work_mem = '1GB'")
        indexes = con.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (list(LOADED),),
        ).fetchall()
        for name, _ in indexes:
            con.execute(f'DROP INDEX "{name}"')
        for table in LOADED:
            con.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        added = d.added.tolist()
        deleted = [int(x) if lost else None for x, lost in zip(d.deleted, d.lost, strict=True)]
        for i in range(0, d.n, step):
            ids = list(range(i + 1, min(d.n, i + step) + 1))
            part = slice(i, i + step)
            con.execute(
                "INSERT INTO customers (id, corp_id, external_userid, seq, name, avatar, type,"
                " gender, corp_name, position, unionid, first_added_at, deleted_at,"
                " last_active_at, created_at, updated_at) SELECT s, %s,"
                " 'wm' || lpad(s::text, 9, '0'), s, '客户' || s, '', 1, g, '', '', '',"
                " to_timestamp(a), to_timestamp(x), to_timestamp(z), now(), now()"
                " FROM unnest(%s::bigint[], %s::int[], %s::bigint[], %s::bigint[], %s::bigint[])"
                " AS u(s, g, a, x, z)",
                (
                    corp,
                    ids,
                    d.gender[part].tolist(),
                    added[part],
                    deleted[part],
                    d.last_active[part].tolist(),
                ),
            )
            con.execute(
                "INSERT INTO follow_relations (id, corp_id, customer_id, userid, remark,"
                " description, remark_corp_name, remark_mobiles, add_way, state, oper_userid,"
                " added_at, deleted_at, deleted_by, created_at, updated_at)"
                " SELECT s, %s, s, 'e' || o, CASE WHEN s %% 10 = 0 THEN '备注' || s ELSE '' END,"
                " '', '', '[]', w, CASE WHEN c >= 0 THEN 'ch' || c ELSE '' END, '',"
                " to_timestamp(a), to_timestamp(x), CASE WHEN x IS NULL THEN NULL ELSE 'customer'"
                " END, now(), now() FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[],"
                " %s::bigint[], %s::bigint[]) AS u(s, o, w, c, a, x)",
                (
                    corp,
                    ids,
                    d.owner[part].tolist(),
                    d.add_way[part].tolist(),
                    d.channel[part].tolist(),
                    added[part],
                    deleted[part],
                ),
            )
            con.execute(
                "INSERT INTO customer_owners (corp_id, customer_id, userid, since)"
                " SELECT %s, s, 'e' || o, to_timestamp(a)"
                " FROM unnest(%s::bigint[], %s::int[], %s::bigint[]) AS u(s, o, a)",
                (corp, ids, d.owner[part].tolist(), added[part]),
            )
        for t, seqs in enumerate(d.tags):
            con.execute(
                "INSERT INTO relation_tags (relation_id, tag_id, corp_id, customer_id)"
                " SELECT s, %s, %s, s FROM unnest(%s::bigint[]) AS s",
                (f"t{t}", corp, seqs.tolist()),
            )
        staged = np.flatnonzero(d.stage >= 0)
        con.execute(
            "INSERT INTO customer_stage_states (customer_id, corp_id, stage_id, changed_at,"
            " changed_by) SELECT s, %s, (%s::bigint[])[k + 1], now(), 'bench'"
            " FROM unnest(%s::bigint[], %s::int[]) AS u(s, k)",
            (corp, stage_ids, (staged + 1).tolist(), d.stage[staged].tolist()),
        )
        with (
            con.cursor() as cur,
            cur.copy(
                "COPY timeline_events (corp_id, customer_id, kind, userid, occurred_at, data)"
                " FROM STDIN"
            ) as copy,
        ):
            for c, s, kind, who, at in timeline_rows(d, corp):
                copy.write_row((c, s, kind, who, at + "+00", "{}"))
        con.execute(f"UPDATE corps SET next_customer_seq = {d.n + 1} WHERE id = {corp}")
        for table in LOADED:
            con.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
        con.commit()
        for _, sql in indexes:
            con.execute(sql)
        con.execute("SELECT setval(pg_get_serial_sequence('customers', 'id'), %s)", (d.n,))
        con.execute("SELECT setval(pg_get_serial_sequence('follow_relations', 'id'), %s)", (d.n,))
        con.commit()
        con.autocommit = True
        con.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


async def make_corp(url: str) -> tuple[int, str, list[int]]:
    from sqlalchemy import insert, select

    from siyu.accounts import onboard
    from siyu.corps import service as corps
    from siyu.customers.models import Tag, TagGroup
    from siyu.customers.stage_models import CustomerStage
    from siyu.db.session import Database
    from siyu.employees.models import Employee

    db = Database.open(url)
    async with db.unit_of_work() as s:
        corp = await onboard.add_corp(
            s,
            secret_key="benchmark-secret-key",
            name="百万客户企业",
            wecom_corp_id="wwbenchlist",
            secret="x",
            token="sandboxcallbacktoken",
            aes_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
            api_base="http://127.0.0.1:9",
        )
        key = await corps.create_api_key(s, corp, name="基准测试")
        await s.execute(
            insert(Employee),
            [
                {"corp_id": corp.id, "userid": f"e{i}", "name": f"员工{i}", "department_ids": []}
                for i in range(EMPLOYEES)
            ],
        )
        group = TagGroup(corp_id=corp.id, group_id="g1", name="兴趣")
        s.add(group)
        await s.flush()
        await s.execute(
            insert(Tag),
            [
                {"corp_id": corp.id, "tag_id": f"t{t}", "group_pk": group.id, "name": f"标签{t}"}
                for t in range(TAGS)
            ],
        )
        stage_ids = list(
            (
                await s.scalars(
                    select(CustomerStage.id)
                    .where(CustomerStage.corp_id == corp.id)
                    .order_by(CustomerStage.position)
                )
            ).all()
        )
        corp_id = corp.id
    await db.dispose()
    return corp_id, key, stage_ids


# -- the server and its memory ----------------------------------------------------------------

SERVER = """
import uvicorn
from siyu.api.app import create_app
from siyu.core.runtime import tune_gc
from siyu.core.settings import get_settings
app = create_app(get_settings(), workers=0)
tune_gc()  # as `siyu serve` does
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", access_log=False)
"""


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """The peak VmRSS of a process while a block runs (sampled every 20 ms)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self) -> RssSampler:
        self.before = rss_mb(self.pid)
        self.peak = self.before
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- measuring --------------------------------------------------------------------------------


def median_ms(fn: Any, runs: int) -> tuple[float, Any]:
    times, last = [], None
    for _ in range(runs):
        t = time.perf_counter()
        last = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), last


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), TZ)


def filter_set(k: int, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """k filters of the list (query params) and the same rule for the preview."""
    a, b, c, x = (f"t{t}" for t in rng.sample(range(60), 4))
    params: dict[str, Any] = {}
    terms: list[dict[str, Any]] = []
    if k == 1:
        params["tags_all"] = [a]
        terms.append({"type": "tags", "match": "all", "tag_ids": [a]})
    elif k == 2:
        params["tags_all"] = [a, b]
        terms.append({"type": "tags", "match": "all", "tag_ids": [a, b]})
    else:
        first = TODAY - timedelta(days=364)
        params.update(
            tags_any=[a, c],
            tags_all=[b],
            tags_none=[x],
            add_way=1,
            added_from=midnight(first).isoformat(),
            added_to=midnight(TODAY + timedelta(days=1)).isoformat(),
        )
        terms += [
            {"type": "tags", "match": "any", "tag_ids": [a, c]},
            {"type": "tags", "match": "all", "tag_ids": [b]},
            {"type": "tags", "match": "none", "tag_ids": [x]},
            {"type": "add_way", "values": [1]},
            {"type": "added", "from_date": str(first), "to_date": str(TODAY)},
        ]
    rule = terms[0] if len(terms) == 1 else {"type": "and", "terms": terms}
    return params, {"rule": rule}


def bench_db(kind: str, url: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    os.environ["SIYU_DATABASE_URL"] = url
    from siyu.core.settings import get_settings
    from siyu.db import migrate

    get_settings.cache_clear()
    migrate.upgrade(url)
    corp, key, stage_ids = asyncio.run(make_corp(url))
    t = time.perf_counter()
    d = Data(n)
    out: dict[str, Any] = {"db": kind, "customers": n, "generate_s": time.perf_counter() - t}
    out["tag_rows"] = int(sum(len(x) for x in d.tags))
    if kind == "sqlite":
        out["load_s"] = load_sqlite(url.removeprefix("sqlite:///"), d, corp, stage_ids)
    else:
        out["load_s"] = load_pg(url, d, corp, stage_ids)
    print(f"  {kind}: loaded in {out['load_s']:.0f} s", flush=True)

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(port=port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=600)
        deadline = time.monotonic() + 1800
        while True:
            try:
                status = http.get("/api/v1/segments/index").json()
                if status.get("state") == "built":
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the segment index was not built")
            time.sleep(0.5)
        out["index_build_ms"] = status["build_ms"]
        out["index_mb"] = status["memory_bytes"] / 2**20
        out["server_rss_mb"] = rss_mb(server.pid)
        out["server_hwm_mb"] = rss_mb(server.pid, "VmHWM")
        print(f"  index built in {status['build_ms'] / 1000:.0f} s", flush=True)
        rng = random.Random(11)
        for k in (1, 2, 5):
            counts, previews, pages, ns = [], [], [], []
            for _ in range(args.draws):
                params, rule = filter_set(k, rng)
                c_ms, got = median_ms(
                    lambda p=params: http.get("/api/v1/customers/count", params=p).json(),
                    args.runs,
                )
                p_ms, want = median_ms(
                    lambda r=rule: http.post("/api/v1/segments/preview", json=r).json(),
                    args.runs,
                )
                page_ms, page = median_ms(
                    lambda p=params: http.get("/api/v1/customers", params=p).json(), args.runs
                )
                assert got["count"] == want["count"], (params, got, want)
                assert len(page["items"]) == min(50, got["count"])
                counts.append(c_ms)
                previews.append(p_ms)
                pages.append(page_ms)
                ns.append(got["count"])
            out[f"f{k}"] = {
                "count_ms": statistics.median(counts),
                "preview_ms": statistics.median(previews),
                "page_ms": statistics.median(pages),
                "page_max_ms": max(pages),
                "mean_count": statistics.mean(ns),
            }
            print(f"  {k} filter(s): {out[f'f{k}']}", flush=True)
        extra = {
            "keyword": {"keyword": "客户12345"},
            "stage": {"stage_id": stage_ids[1]},
            "employee": {"userid": "e7"},
            "channel": {"state": "ch3"},
        }
        for name, params in extra.items():
            c_ms, got = median_ms(
                lambda p=params: http.get("/api/v1/customers/count", params=p).json(), args.runs
            )
            page_ms, _ = median_ms(
                lambda p=params: http.get("/api/v1/customers", params=p).json(), args.runs
            )
            out[name] = {"count_ms": c_ms, "page_ms": page_ms, "count": got["count"]}
            print(f"  {name}: {out[name]}", flush=True)
        # export: the tag whose members are closest to 100,000
        sizes = [len(x) for x in d.tags]
        tag = min(range(TAGS), key=lambda t: abs(sizes[t] * 0.95 - 100_000))
        for fmt in ("csv", "xlsx"):
            params = {"tags_any": [f"t{tag}"], "format": fmt}
            with RssSampler(server.pid) as rss:
                t = time.perf_counter()
                size = 0
                with http.stream("GET", "/api/v1/customers/export", params=params) as r:
                    r.raise_for_status()
                    first = None
                    for chunk in r.iter_bytes():
                        first = first or time.perf_counter()
                        size += len(chunk)
                took = time.perf_counter() - t
            rows = http.get("/api/v1/customers/count", params={"tags_any": [f"t{tag}"]}).json()
            out[f"export_{fmt}"] = {
                "rows": rows["count"],
                "s": took,
                "rows_per_s": rows["count"] / took,
                "first_byte_s": (first or t) - t,
                "mb": size / 2**20,
                "rss_before_mb": rss.before,
                "rss_peak_mb": rss.peak,
            }
            print(f"  export {fmt}: {out[f'export_{fmt}']}", flush=True)
        for days in (30, 365):
            window = {"start": str(TODAY - timedelta(days=days - 1)), "end": str(TODAY)}
            ms, dash = median_ms(
                lambda w=window: http.get("/api/v1/analytics/dashboard", params=w).json(),
                args.runs,
            )
            out[f"dashboard_{days}"] = {
                "ms": ms,
                "new": dash["new_customers"],
                "active": dash["active_customers"],
            }
            print(f"  dashboard {days} days: {out[f'dashboard_{days}']}", flush=True)
        http.close()
    finally:
        server.terminate()
        server.wait(30)
    return out


def report(r: dict[str, Any]) -> None:
    print(
        f"\n== customer_list on {r['db']}: {r['customers']:,} customers, "
        f"{r['tag_rows']:,} relation tags"
    )
    print(
        f"load {r['load_s']:.0f} s; segment index built at start in "
        f"{r['index_build_ms'] / 1000:.1f} s ({r['index_mb']:.0f} MB); server RSS "
        f"{r['server_rss_mb']:.0f} MB (peak {r['server_hwm_mb']:.0f} MB during the build)"
    )
    print("filters | count p50 | preview p50 (baseline) | ratio | first page p50 (max)")
    for k in (1, 2, 5):
        f = r[f"f{k}"]
        print(
            f"{k:7} | {f['count_ms']:7.1f} ms | {f['preview_ms']:7.1f} ms | "
            f"{f['count_ms'] / f['preview_ms']:5.2f} | {f['page_ms']:6.1f} ms "
            f"({f['page_max_ms']:.1f}) | mean count {f['mean_count']:,.0f}"
        )
    for name in ("keyword", "stage", "employee", "channel"):
        f = r[name]
        print(
            f"{name:>7} | {f['count_ms']:7.1f} ms | (no preview) | first page "
            f"{f['page_ms']:.1f} ms | count {f['count']:,}"
        )
    for fmt in ("csv", "xlsx"):
        e = r[f"export_{fmt}"]
        print(
            f"export {fmt}: {e['rows']:,} rows in {e['s']:.1f} s = {e['rows_per_s']:,.0f} rows/s "
            f"(first byte {e['first_byte_s']:.2f} s, {e['mb']:.0f} MB); server RSS "
            f"{e['rss_before_mb']:.0f} -> peak {e['rss_peak_mb']:.0f} MB"
        )
    for days in (30, 365):
        x = r[f"dashboard_{days}"]
        print(
            f"dashboard {days} days: p50 {x['ms']:.0f} ms "
            f"(new {x['new']:,}, active {x['active']:,}); goal < 300 ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--draws", type=int, default=5, help="random filter sets per size")
    parser.add_argument("--runs", type=int, default=5, help="requests per filter set")
    args = parser.parse_args()
    print(machine_notes(), flush=True)
    results = []
    if args.db in ("sqlite", "both"):
        results.append(bench_db("sqlite", f"sqlite:///{HOME / 'siyu.db'}", args.customers, args))
    if args.db in ("postgres", "both"):
        from tests.support.servers import Postgres

        pg = Postgres.start()
        try:
            results.append(bench_db("postgres", pg.url, args.customers, args))
        finally:
            pg.stop()
    for r in results:
        report(r)


if __name__ == "__main__":
    main()
