"""Benchmark: encrypted WeCom callbacks POSTed over HTTP to a running Siyu until processed.

Four processes, so that none shares a GIL with another: the WeCom sandbox (``siyu sandbox``),
Siyu's API (Uvicorn, on SQLite), its ``siyu worker`` process with the Huey worker threads (as
``siyu serve`` runs them by default, in a child process; ``--worker-threads``: inside the API
process, as ``SIYU_WORKER_PROCESS=false`` does), and this script, which generates the load with a
minimal keep-alive HTTP/1.1 client on asyncio (cheaper per request than httpx, so the client is
less likely to be the bottleneck).

Events: ``change_external_contact`` / ``edit_external_contact`` for (customer, employee) pairs
that exist in the sandbox and were synced into Siyu first. Before the run, each pair's remark is
changed through the sandbox's WeCom API (which, like WeCom, sends no callback), so processing an
event does the real work: read the relation's fresh state from WeCom, diff, update the relation
and write a ``remark_changed`` timeline entry. By default the pairs are taken in relation id
order, i.e. a few employees' customers in turn (a bulk edit): Siyu reads such a burst by pages of
the employee's customers (``siyu.events.prefetch``). ``--shuffle`` scatters them over every
employee, so each event costs one ``externalcontact/get``.

Figures, all measured in the same run against the same Uvicorn process:
  * baseline: requests/s of a decrypt-only route added to the app here (verify the signature,
    AES-decrypt, answer ""): the HTTP + crypto ceiling of that server on this machine. It is
    matched first, like Siyu's callback route, and measured after the start-up warm-up thread
    ended, so neither figure pays for work the other does not;
  * Siyu: events/s from the first POST until every ``inbound_events`` row reached ``done``
    (polled in the database); the ratio to the baseline; goal >= 50%.

Run: ``.venv/bin/python benchmarks/callback_ingest.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h
from fastapi import Query, Request  # module level: FastAPI resolves the route's annotations here
from fastapi.responses import PlainTextResponse

GOAL = 0.5


# ---------------------------------------------------------------- the Siyu server (child process)


def serve(port: int, workers: int, route_last: bool = False) -> None:
    """Siyu's app plus the decrypt-only baseline route, served by Uvicorn (blocking)."""
    import uvicorn

    from siyu.api.app import create_app
    from siyu.core.settings import get_settings
    from siyu.wecom.crypto import CallbackCrypto
    from siyu.wecom.sandbox import SandboxConfig

    cfg = SandboxConfig()
    crypto = CallbackCrypto(cfg.token, cfg.aes_key, cfg.corp_id)
    app = create_app(get_settings(), workers=workers)

    @app.post("/bench/decrypt/{corp_id}")
    async def decrypt_only(
        corp_id: str,
        request: Request,
        msg_signature: str = Query(""),
        timestamp: str = Query(""),
        nonce: str = Query(""),
    ) -> PlainTextResponse:
        body = await request.body()
        crypto.decrypt_body(body, msg_signature, timestamp, nonce)
        return PlainTextResponse("")

    @app.get("/bench/settled")
    async def settled() -> dict[str, bool]:
        """Whether start-up work is over (the segment index warm-up thread takes the GIL for
        about a second at start: measuring during it would depress either figure)."""
        import threading

        return {"settled": not any(t.name == "segments-warm" for t in threading.enumerate())}

    # matched first, as Siyu matches its callback route first: both pay the same routing
    settled_route, decrypt_route = app.router.routes.pop(), app.router.routes.pop()
    app.router.routes.insert(0, settled_route)
    if route_last:  # the method before 2026-12-01: matched after every API route
        app.router.routes.append(decrypt_route)
    else:
        app.router.routes.insert(0, decrypt_route)
    from siyu.core.runtime import tune_gc

    tune_gc()  # as `siyu serve` does before serving
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# ---------------------------------------------------------------- load generator


def build_request(port: int, path: str, body: str, params: dict[str, str]) -> bytes:
    data = body.encode()
    head = (
        f"POST {path}?{urlencode(params)} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: text/xml\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def blast(port: int, requests: list[bytes], concurrency: int) -> tuple[float, Counter[int]]:
    """Send every request over ``concurrency`` keep-alive connections; (seconds, statuses)."""
    counter = itertools.count()
    statuses: Counter[int] = Counter()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (i := next(counter)) < len(requests):
                writer.write(requests[i])
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                statuses[status] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - started, statuses


def status_counts(db_path: str) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        rows = con.execute("SELECT status, count(*) FROM inbound_events GROUP BY status").fetchall()
    finally:
        con.close()
    return {str(s): int(n) for s, n in rows}


async def ingest(
    port: int, requests: list[bytes], concurrency: int, db_path: str, limit_s: float
) -> dict[str, Any]:
    """POST the events and poll the database until each row is done (or failed)."""
    n = len(requests)
    started = time.perf_counter()
    send = asyncio.create_task(blast(port, requests, concurrency))
    counts: dict[str, int] = {}
    while True:  # polled every 20 ms: the figure is at most that late (it was 100 ms before)
        await asyncio.sleep(0.02)
        counts = await asyncio.to_thread(status_counts, db_path)
        finished = counts.get("done", 0) + counts.get("failed", 0) + counts.get("ignored", 0)
        if send.done() and finished >= n:
            break
        if time.perf_counter() - started > limit_s:
            print(f"timed out after {limit_s:.0f}s: {counts}", file=sys.stderr)
            break
    elapsed = time.perf_counter() - started
    ack_seconds, statuses = await send
    return {"elapsed": elapsed, "ack_seconds": ack_seconds, "http": statuses, "rows": counts}


# ---------------------------------------------------------------- preparation


async def prepare_events(
    sandbox_url: str, corp_id: int, n: int, shuffle: bool = False
) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    """Sync the world into Siyu, change n remarks in the sandbox, build the n envelopes."""
    from sqlalchemy import select

    from siyu.core.settings import get_settings
    from siyu.corps import service as corps
    from siyu.customers.models import Customer, FollowRelation
    from siyu.db.session import Database
    from siyu.sync import service as sync
    from siyu.wecom.crypto import CallbackCrypto
    from siyu.wecom.sandbox import SandboxConfig

    db = Database.open(get_settings().database_url)
    try:
        async with db.unit_of_work() as s:
            corp = await corps.get(s, corp_id)
            run = await sync.start_or_resume(s, corp, trigger="benchmark")
        async with corps.wecom_client(corp, secret_key=h.SECRET_KEY) as client:
            await sync.run_full_sync(db, corp_id, run.id, client)
            async with db.unit_of_work() as s:
                rows = (
                    await s.execute(
                        select(Customer.external_userid, FollowRelation.userid)
                        .join(Customer, Customer.id == FollowRelation.customer_id)
                        .where(FollowRelation.deleted_at.is_(None))
                        .order_by(FollowRelation.id)
                    )
                ).all()
            pairs = [(str(e), str(u)) for e, u in rows]
            if shuffle:  # scattered over every employee instead of a few employees' customers
                random.Random(7).shuffle(pairs)
            picked = [pairs[i % len(pairs)] for i in range(n)]
            sem = asyncio.Semaphore(16)

            async def change(i: int, ext: str, userid: str) -> None:
                async with sem:
                    await client.remark(userid, ext, remark=f"基准{i}")

            await asyncio.gather(*(change(i, e, u) for i, (e, u) in enumerate(picked)))
    finally:
        await db.dispose()
    cfg = SandboxConfig()
    crypto = CallbackCrypto(cfg.token, cfg.aes_key, cfg.corp_id)
    base = int(time.time()) - n
    envelopes = []
    for i, (ext, userid) in enumerate(picked):
        xml = (
            f"<xml><ToUserName><![CDATA[{cfg.corp_id}]]></ToUserName>"
            "<FromUserName><![CDATA[sys]]></FromUserName>"
            f"<CreateTime>{base + i}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[change_external_contact]]></Event>"
            "<ChangeType><![CDATA[edit_external_contact]]></ChangeType>"
            f"<UserID><![CDATA[{userid}]]></UserID>"
            f"<ExternalUserID><![CDATA[{ext}]]></ExternalUserID></xml>"
        )
        envelopes.append(crypto.encrypt_envelope(xml))
    return envelopes, [ext for ext, _ in picked]


async def fetch_only(sandbox_url: str, exts: list[str], concurrency: int) -> tuple[float, float]:
    """Reference: ``externalcontact/get`` for each event's customer with Siyu's WeCom client
    (as many at once as a drain reads), in this otherwise idle process; (calls/s, CPU ms/call).
    Processing an event needs this read, so this rate bounds processing on this machine."""
    from siyu.events.prefetch import FETCHES
    from siyu.wecom.client import WeComClient
    from siyu.wecom.sandbox import SandboxConfig

    cfg = SandboxConfig()
    async with WeComClient(corp_id=cfg.corp_id, secret=cfg.secret, base_url=sandbox_url) as c:
        await c.get_external_contact(exts[0])  # token
        sem = asyncio.Semaphore(concurrency or FETCHES)

        async def one(ext: str) -> None:
            async with sem:
                await c.get_external_contact(ext)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(e) for e in exts))
        return len(exts) / (time.perf_counter() - started), (
            1000 * (time.process_time() - cpu) / len(exts)
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its threads so far (Linux ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, timeout: float = 120.0) -> None:
    """Until a process has gone idle (under 10 % of a core for half a second): the worker's
    start-up work (imports, the segment index warm-up) must not overlap the measurement."""
    deadline, last = time.monotonic() + timeout, cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - last < 0.05:
            return
        last = now
    raise SystemExit(f"process {pid} was still busy after {timeout:.0f} s")


def timeline_remarks(db_path: str) -> int:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        q = "SELECT count(*) FROM timeline_events WHERE kind = 'remark_changed'"
        return int(con.execute(q).fetchone()[0])
    finally:
        con.close()


def _sibling(path: str) -> str:
    """Where the worker's profile goes: ``worker-NAME`` next to the server's ``NAME``."""
    p = Path(path)
    return str(p.with_name("worker-" + p.name))


# ---------------------------------------------------------------- main


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--events", type=int, default=2000, help="events to send (default 2000)")
    p.add_argument("--concurrency", type=int, default=16, help="HTTP connections (default 16)")
    p.add_argument("--workers", type=int, default=2, help="Siyu worker threads (default 2)")
    p.add_argument("--customers", type=int, default=5000, help="sandbox customers (default 5000)")
    p.add_argument("--employees", type=int, default=30, help="sandbox employees (default 30)")
    p.add_argument("--timeout", type=float, default=600, help="give up after (s, default 600)")
    p.add_argument("--keep", action="store_true", help="keep the temporary Siyu home")
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="run the Siyu server under py-spy (all threads, idle included) into FILE "
        "(speedscope JSON if it ends in .json, else py-spy's collapsed stacks)",
    )
    p.add_argument(
        "--profile-gil",
        action="store_true",
        help="with --profile: sample only the thread holding the GIL (where the CPU goes)",
    )
    p.add_argument(
        "--profile-active",
        action="store_true",
        help="with --profile: sample only threads that are running (idle waits left out)",
    )
    layout = p.add_mutually_exclusive_group()
    layout.add_argument(
        "--worker-process",
        action="store_true",
        help="process events in a separate `siyu worker` process with its own GIL (the "
        "default: `siyu serve` runs its workers in a child process)",
    )
    layout.add_argument(
        "--worker-threads",
        action="store_true",
        help="process events in worker threads inside the API process "
        "(`siyu serve` with SIYU_WORKER_PROCESS=false)",
    )
    p.add_argument(
        "--shuffle",
        action="store_true",
        help="edit relations drawn at random from every employee (default: relations in id "
        "order, i.e. a few employees' customers, as in a bulk edit by those employees)",
    )
    p.add_argument(
        "--baseline-route-last",
        action="store_true",
        help="match the decrypt-only route after every API route, as this script did before "
        "2026-12-01 (it then pays routing that the callback route, matched first, does not)",
    )
    p.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)  # child mode: port
    args = p.parse_args()
    args.worker_process = not args.worker_threads
    if args.serve:
        serve(args.serve, args.workers, args.baseline_route_last)
        return

    home = h.prepare_env()
    db_path = str(home / "siyu.db")
    print(
        f"callback_ingest: {args.events} events, {args.concurrency} connections, "
        f"{args.workers} worker threads in "
        f"{'a worker process' if args.worker_process else 'the API process'}; home {home}"
    )
    with h.sandbox_process(customers=args.customers, employees=args.employees) as sb:
        counts = sb.info["counts"]
        print(f"sandbox: {counts['customers']} customers, {counts['follow_relations']} relations")
        corp_id = h.migrate_and_register(sb.url)
        t = time.perf_counter()
        envelopes, exts = asyncio.run(prepare_events(sb.url, corp_id, args.events, args.shuffle))
        print(f"prepared (sync + {args.events} remark changes) in {time.perf_counter() - t:.1f}s")

        port = h.free_port()
        in_server = 0 if args.worker_process else args.workers
        cmd = [sys.executable, __file__, "--serve", str(port), "--workers", str(in_server)]
        if args.baseline_route_last:
            cmd.append("--baseline-route-last")
        if args.profile:
            fmt = "speedscope" if args.profile.endswith(".json") else "raw"
            mode = ["--gil"] if args.profile_gil else [] if args.profile_active else ["--idle"]
            spy = [str(Path(sys.executable).parent / "py-spy"), "record", *mode, "--threads"]
            cmd = [*spy, "-r", "200", "-f", fmt, "-o", args.profile, "--", *cmd]
        # own process group: stopping it stops py-spy and the server it runs together
        server = subprocess.Popen(cmd, env=os.environ.copy(), start_new_session=True)
        worker = None
        if args.worker_process:
            wcmd = [*h.siyu_cli(), "worker", "--workers", str(args.workers)]
            if args.profile:  # the worker is profiled too, into FILE's sibling "worker-FILE"
                wcmd = [*spy, "-r", "200", "-f", fmt, "-o", _sibling(args.profile), "--", *wcmd]
            worker = subprocess.Popen(
                wcmd,
                env=os.environ.copy(),
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            h.wait_http(f"http://127.0.0.1:{port}/healthz", server, timeout=60)
            deadline = time.monotonic() + 120
            while not h.get_json(f"http://127.0.0.1:{port}/bench/settled")["settled"]:
                if time.monotonic() > deadline:
                    raise SystemExit("the server's start-up work did not end within 120 s")
                time.sleep(0.2)
            if worker is not None:
                wait_idle(worker.pid)
            corp = "wwsandbox0000000001"
            decrypt = [build_request(port, f"/bench/decrypt/{corp}", b, q) for b, q in envelopes]
            callback = [build_request(port, f"/wecom/callback/{corp}", b, q) for b, q in envelopes]
            asyncio.run(blast(port, decrypt[: min(200, len(decrypt))], args.concurrency))  # warm
            cpu0 = time.process_time()
            base_s, base_status = asyncio.run(blast(port, decrypt, args.concurrency))
            base_cpu = time.process_time() - cpu0
            if set(base_status) != {200}:
                raise SystemExit(f"decrypt-only answers: {dict(base_status)}")
            cpu0 = time.process_time()
            procs = {"siyu": server.pid, "sandbox": sb.proc.pid}
            if worker is not None:
                procs["worker"] = worker.pid
            if args.profile:  # py-spy runs the server as its child
                procs.pop("siyu")
                procs.pop("worker", None)
            before = {k: cpu_seconds(v) for k, v in procs.items()}
            calls0 = h.get_json(f"{sb.url}/sandbox/stats")
            res = asyncio.run(ingest(port, callback, args.concurrency, db_path, args.timeout))
            calls1 = h.get_json(f"{sb.url}/sandbox/stats")
            calls = {k: v - calls0.get(k, 0) for k, v in calls1.items() if v != calls0.get(k, 0)}
            ingest_cpu = time.process_time() - cpu0
            proc_cpu = {k: cpu_seconds(v) - before[k] for k, v in procs.items()}
        finally:
            h.stop(server, group=True)
            if worker is not None:
                h.stop(worker, group=True)
        fetch_rate, fetch_cpu = asyncio.run(fetch_only(sb.url, exts, 0))
    n = args.events
    baseline = n / base_s
    rate = res["rows"].get("done", 0) / res["elapsed"]
    ack_rate = n / res["ack_seconds"]
    ratio = rate / baseline
    remarks = timeline_remarks(db_path)
    print()
    print(
        f"baseline  decrypt-only endpoint : {baseline:8.0f} req/s  ({n} in {base_s:.2f}s, "
        f"client CPU {base_cpu / base_s:.0%} of one core)"
    )
    print(
        f"siyu      callback acknowledged : {ack_rate:8.0f} events/s ({res['ack_seconds']:.2f}s; "
        f"HTTP {dict(res['http'])})"
    )
    print(
        f"siyu      callback processed    : {rate:8.0f} events/s ({n} in {res['elapsed']:.2f}s; "
        f"rows {res['rows']}; client CPU {ingest_cpu / res['elapsed']:.0%})"
    )
    print(
        f"ratio processed / baseline      : {ratio:8.1%}  (goal >= {GOAL:.0%}: "
        f"{'met' if ratio >= GOAL else 'NOT met'})"
    )
    print(
        "CPU while ingesting             : "
        + ", ".join(f"{k} {v:.2f}s" for k, v in proc_cpu.items())
        + f", this client {ingest_cpu:.2f}s (of {res['elapsed']:.2f}s wall on "
        f"{os.cpu_count()} cores)"
    )
    print(
        f"reference externalcontact/get   : {fetch_rate:8.0f} calls/s ({fetch_cpu:.2f} ms CPU "
        "per call in an idle process; processing needs one per distinct customer)"
    )
    print(f"remark_changed timeline entries : {remarks}")
    print(f"WeCom calls while ingesting     : {calls}")
    print(f"machine: {h.machine_notes()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if args.json:
        print(
            json.dumps(
                {
                    "events": n,
                    "baseline_rps": baseline,
                    "ack_eps": ack_rate,
                    "processed_eps": rate,
                    "ratio": ratio,
                    "rows": res["rows"],
                    "remark_changed": remarks,
                    "fetch_only_cps": fetch_rate,
                }
            )
        )
    h.cleanup(home, args.keep)


if __name__ == "__main__":
    main()
