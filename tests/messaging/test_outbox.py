"""Jobs enqueued inside a unit of work are sent only after it commits."""

from __future__ import annotations

import pytest

from siyu.db.session import Database
from siyu.messaging import outbox
from siyu.messaging.queue import huey, make_huey


@huey.task()
def _probe(value: int) -> int:
    return value


async def test_jobs_go_out_after_commit_and_never_after_rollback(db: Database) -> None:
    huey.flush()
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as s:
            outbox.enqueue(s, _probe, 1)
            assert huey.pending_count() == 0  # not before the commit
            raise RuntimeError("the request failed")
    assert huey.pending_count() == 0  # dropped with the rollback
    async with db.unit_of_work() as s:
        outbox.enqueue(s, _probe, 2)
        outbox.enqueue(s, _probe, 3)
        assert huey.pending_count() == 0
    assert huey.pending_count() == 2
    assert sorted(t.args[0] for t in huey.pending()) == [2, 3]
    huey.flush()


def test_queue_url_picks_the_backend(tmp_path: object) -> None:
    assert type(make_huey("redis://127.0.0.1:6399/0")).__name__ == "RedisHuey"
    assert type(make_huey(f"sqlite:///{tmp_path}/q.db")).__name__ == "SqliteHuey"
    with pytest.raises(ValueError, match="SIYU_QUEUE_URL"):
        make_huey("amqp://nope")
