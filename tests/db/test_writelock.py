"""The process's SQLite write lock and read sessions: no lost commits, errors reach the caller,
waiters are served in order across event loops, and reads do not queue behind writers."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from siyu.db.session import Database
from siyu.db.writelock import WriteLock, WriteLockTimeout

# ------------------------------------------------------------------ the lock alone


def test_waiters_are_served_in_arrival_order() -> None:
    async def main() -> list[str]:
        lock, order = WriteLock(), []
        first = object()
        await lock.acquire(first, within=5)

        async def writer(name: str) -> None:
            owner = object()
            await lock.acquire(owner, within=5)
            order.append(name)
            await asyncio.sleep(0)
            lock.release(owner)

        tasks = []
        for name in "abcde":
            tasks.append(asyncio.create_task(writer(name)))
            await asyncio.sleep(0)  # each one queues before the next
        assert lock.waiting() == 5
        lock.release(first)
        await asyncio.gather(*tasks)
        assert lock.owner is None
        return order

    assert asyncio.run(main()) == list("abcde")


def test_handover_between_event_loops_of_two_threads() -> None:
    lock = WriteLock()
    held = threading.Event()
    got: list[str] = []

    async def holder() -> None:
        owner = object()
        await lock.acquire(owner, within=5)
        held.set()
        await asyncio.sleep(0.2)
        got.append("holder done")
        lock.release(owner)

    async def waiter() -> None:
        owner = object()
        await lock.acquire(owner, within=5)
        got.append("waiter in")
        lock.release(owner)

    t = threading.Thread(target=lambda: asyncio.run(holder()))
    t.start()
    assert held.wait(5)
    asyncio.run(waiter())
    t.join(5)
    assert got == ["holder done", "waiter in"] and lock.owner is None


def test_timeout_and_cancellation_leave_the_lock_usable() -> None:
    async def main() -> None:
        lock = WriteLock()
        holder, late, gone, next_ = object(), object(), object(), object()
        await lock.acquire(holder, within=5)
        with pytest.raises(WriteLockTimeout, match="database is locked"):
            await lock.acquire(late, within=0.05)
        cancelled = asyncio.create_task(lock.acquire(gone, within=5))
        await asyncio.sleep(0)
        following = asyncio.create_task(lock.acquire(next_, within=5))
        await asyncio.sleep(0)
        assert lock.waiting() == 2
        cancelled.cancel()
        await asyncio.sleep(0)
        assert not lock.release(object())  # not the owner: nothing happens
        assert lock.release(holder)
        await asyncio.wait_for(following, 5)
        assert lock.owner is next_ and lock.waiting() == 0
        lock.release(next_)
        assert lock.owner is None

    asyncio.run(main())


def test_a_waiter_cancelled_after_the_grant_passes_the_lock_on() -> None:
    async def main() -> None:
        lock = WriteLock()
        a, b, c = object(), object(), object()
        await lock.acquire(a, within=5)
        tb = asyncio.create_task(lock.acquire(b, within=5))
        await asyncio.sleep(0)
        tc = asyncio.create_task(lock.acquire(c, within=5))
        await asyncio.sleep(0)
        lock.release(a)  # granted to b; b is cancelled before it runs
        tb.cancel()
        try:
            await tb
            lock.release(b)  # acquire returned: b owns the lock and must release it
        except asyncio.CancelledError:
            pass  # acquire raised: b never owned it, the lock went on by itself
        await asyncio.wait_for(tc, 5)
        assert lock.owner is c

    asyncio.run(main())


# ------------------------------------------------------------------ through the engine


async def _counter(db: Database) -> int:
    async with db.read() as s:
        return int(await s.scalar(text("SELECT n FROM bench_counter")) or 0)


async def _setup(db: Database) -> None:
    async with db.unit_of_work() as s:
        await s.execute(text("DROP TABLE IF EXISTS bench_counter"))
        await s.execute(text("CREATE TABLE bench_counter (n INTEGER NOT NULL, u INTEGER UNIQUE)"))
        await s.execute(text("INSERT INTO bench_counter (n) VALUES (0)"))


async def _drop(db: Database) -> None:
    async with db.unit_of_work() as s:
        await s.execute(text("DROP TABLE IF EXISTS bench_counter"))


async def _increment(db: Database, times: int) -> None:
    for _ in range(times):
        async with db.unit_of_work() as s:  # a read, a pause, a write: every commit must count
            await s.scalar(text("SELECT n FROM bench_counter"))
            await asyncio.sleep(0)
            await s.execute(text("UPDATE bench_counter SET n = n + 1"))


def test_concurrent_units_of_work_from_two_threads_lose_no_commit(database_url: str) -> None:
    main = Database.open(database_url)
    asyncio.run(_setup(main))
    errors: list[BaseException] = []

    def other_thread() -> None:
        db = Database.open(database_url, pooled=False)  # as a worker thread has its own
        try:

            async def run() -> None:
                await asyncio.gather(*(_increment(db, 10) for _ in range(4)))
                await db.dispose()

            asyncio.run(run())
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    async def here() -> None:
        await asyncio.gather(*(_increment(main, 10) for _ in range(4)))

    t = threading.Thread(target=other_thread)
    t.start()
    asyncio.run(here())
    t.join(60)
    assert not errors
    try:
        assert asyncio.run(_counter(main)) == 80
    finally:
        asyncio.run(_drop(main))
        asyncio.run(main.dispose())


def test_a_failed_commit_reaches_its_caller_and_the_others_commit(database_url: str) -> None:
    db = Database.open(database_url)

    async def good() -> None:
        async with db.unit_of_work() as s:
            await s.execute(text("UPDATE bench_counter SET n = n + 1"))

    async def bad() -> None:
        async with db.unit_of_work() as s:
            await s.execute(text("INSERT INTO bench_counter (n, u) VALUES (100, 1)"))
            await s.execute(text("INSERT INTO bench_counter (n, u) VALUES (100, 1)"))

    async def main() -> list[BaseException | None]:
        await _setup(db)
        results = await asyncio.gather(good(), bad(), good(), bad(), good(), return_exceptions=True)
        return list(results)

    try:
        results = asyncio.run(main())
        assert [type(r) for r in results] == [
            type(None),
            IntegrityError,
            type(None),
            IntegrityError,
            type(None),
        ]
        assert asyncio.run(_counter(db)) == 3  # the three good ones; nothing of the bad ones
    finally:
        asyncio.run(_drop(db))
        asyncio.run(db.dispose())


def test_a_read_session_does_not_wait_for_an_open_write(database_url: str) -> None:
    db = Database.open(database_url)

    async def main() -> tuple[int, int]:
        await _setup(db)
        writing, finish = asyncio.Event(), asyncio.Event()

        async def writer() -> None:
            async with db.unit_of_work() as s:
                await s.execute(text("UPDATE bench_counter SET n = 7"))
                writing.set()
                await finish.wait()

        task = asyncio.create_task(writer())
        await writing.wait()
        # The writer holds its transaction open: a read still answers, from before the write.
        during = await asyncio.wait_for(_counter(db), 10)
        finish.set()
        await task
        return during, await _counter(db)

    try:
        assert asyncio.run(main()) == (0, 7)
    finally:
        asyncio.run(_drop(db))
        asyncio.run(db.dispose())


def test_an_owner_whose_event_loop_ended_does_not_block_the_others() -> None:
    lock, gone = WriteLock(), object()

    async def take() -> None:
        await lock.acquire(gone, within=5)  # and never releases (its loop ends)

    asyncio.run(take())
    assert lock.owner is gone

    async def later() -> object | None:
        mine = object()
        await lock.acquire(mine, within=1)
        return lock.owner is mine

    assert asyncio.run(later())


def test_a_waiter_queued_behind_an_owner_whose_loop_ends_gets_the_lock() -> None:
    lock, gone = WriteLock(), object()
    taken, queued = threading.Event(), threading.Event()

    def owner_thread() -> None:
        async def take() -> None:
            await lock.acquire(gone, within=5)
            taken.set()
            queued.wait(5)  # the waiter is queued; then this loop ends without releasing

        asyncio.run(take())

    t = threading.Thread(target=owner_thread)
    t.start()
    assert taken.wait(5)

    async def waiter() -> bool:
        mine = object()
        task = asyncio.create_task(lock.acquire(mine, within=10))
        await asyncio.sleep(0.05)
        assert lock.waiting() == 1
        queued.set()
        await task
        return lock.owner is mine

    assert asyncio.run(waiter())
    t.join(5)
