"""A read (and a GET request) sees one snapshot of the database, on SQLite and on PostgreSQL.

On PostgreSQL's default READ COMMITTED every statement takes a new snapshot, so a page made of
several queries could count a customer its list does not show (or the reverse) when a commit
lands between them. Read sessions and GET requests run REPEATABLE READ there.
"""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from siyu.accounts import onboard
from siyu.core.serving import ThreadedServer
from siyu.corps.deps import SessionDep
from siyu.corps.models import Corp
from siyu.db.session import Database

KEY = "k" * 32


async def _add_corp(db: Database, n: int) -> None:
    async with db.unit_of_work() as s:
        await onboard.add_corp(
            s,
            secret_key=KEY,
            name=f"快照企业{n}",
            wecom_corp_id=f"wwsnap{n}",
            secret="s",
            token="t",
            aes_key="a" * 43,
        )


def _corps() -> object:
    return select(func.count()).select_from(Corp)


def test_a_read_session_sees_one_snapshot(db: Database) -> None:
    async def main() -> tuple[int, int, int]:
        await _add_corp(db, 1)
        async with db.read() as reader:
            before = int(await reader.scalar(_corps()) or 0)
            await _add_corp(db, 2)  # committed by another session meanwhile
            again = int(await reader.scalar(_corps()) or 0)
        async with db.read() as later:
            after = int(await later.scalar(_corps()) or 0)
        return before, again, after

    assert asyncio.run(main()) == (1, 1, 2)


def test_a_get_request_reads_one_snapshot(db: Database) -> None:
    """A commit between two queries of one GET is invisible to the second query."""
    if db.dialect == "sqlite":
        pytest.skip("a request's unit of work holds SQLite's write lock: no commit lands between")
    first_read, go_on = threading.Event(), threading.Event()
    app = FastAPI()
    app.state.db = Database.open(db.url, pooled=False)

    @app.get("/counts")
    async def counts(session: SessionDep) -> list[int]:
        one = int(await session.scalar(_corps()) or 0)
        first_read.set()
        await asyncio.to_thread(go_on.wait, 30)
        two = int(await session.scalar(_corps()) or 0)
        return [one, two]

    asyncio.run(_add_corp(db, 1))
    server = ThreadedServer(app).start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            answer: list[list[int]] = []
            t = threading.Thread(target=lambda: answer.append(http.get("/counts").json()))
            t.start()
            assert first_read.wait(30)
            asyncio.run(_add_corp(db, 2))
            go_on.set()
            t.join(60)
            assert answer == [[1, 1]]
            assert http.get("/counts").json() == [2, 2]  # the next request sees the commit
    finally:
        go_on.set()
        server.stop()
        asyncio.run(app.state.db.dispose())
