"""Step due times in the corp's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from siyu.sop.schedule import due_at, end_of_local_day

SH = ZoneInfo("Asia/Shanghai")
# 2026-03-02 10:30 in Shanghai
TRIGGER = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


def test_offsets_and_times_of_day() -> None:
    assert due_at(TRIGGER, day=0, minutes=10, at_time="", tz=SH) == datetime(
        2026, 3, 2, 2, 40, tzinfo=UTC
    )
    # day 3 at 20:00 Shanghai = 12:00 UTC
    assert due_at(TRIGGER, day=3, minutes=0, at_time="20:00", tz=SH) == datetime(
        2026, 3, 5, 12, 0, tzinfo=UTC
    )
    # 09:00 on day 0 already passed at 10:30: due at the trigger, not skipped
    assert due_at(TRIGGER, day=0, minutes=0, at_time="09:00", tz=SH) == TRIGGER
    # the local day decides: a trigger at 23:50 Shanghai, "day 1 at 08:00" is the next morning
    late = datetime(2026, 3, 2, 15, 50, tzinfo=UTC)
    assert due_at(late, day=1, minutes=0, at_time="08:00", tz=SH) == datetime(
        2026, 3, 3, 0, 0, tzinfo=UTC
    )


def test_overdue_at_local_midnight() -> None:
    assert end_of_local_day(TRIGGER, SH) == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(0, 30),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_due_never_before_trigger_and_on_the_right_local_day(
    trigger: datetime, day: int, h: int, m: int
) -> None:
    due = due_at(trigger, day=day, minutes=0, at_time=f"{h:02d}:{m:02d}", tz=SH)
    assert due >= trigger
    assert (due.astimezone(SH).date() - trigger.astimezone(SH).date()).days == day
