"""The in-memory bitmap index of one corp over dense customer ``seq``: one roaring bitmap per
tag, employee, owner, channel state, add way, gender, customer type, lifecycle stage and local
day of first add.

Mutations happen under ``lock`` (the API thread and worker threads of one process share an
index); every read makes new bitmaps, so a reader never sees a half-applied batch.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pyroaring import BitMap


@dataclass
class Facts:
    """Segment facts of some customers, as loaded from the database."""

    # (seq, gender, type, deleted, first_added_at)
    customers: list[tuple[int, int, int, bool, datetime | None]] = field(default_factory=list)
    # live relations: (seq, userid, state, add_way)
    relations: list[tuple[int, str, str, int]] = field(default_factory=list)
    # tags on live relations: (seq, tag_id)
    tags: list[tuple[int, str]] = field(default_factory=list)
    # owner (归属员工): (seq, userid)
    owners: list[tuple[int, str]] = field(default_factory=list)
    # current lifecycle stage (客户阶段): (seq, stage id)
    stages: list[tuple[int, int]] = field(default_factory=list)


FAMILIES = (
    "tags",
    "employees",
    "owners",
    "states",
    "add_ways",
    "days",
    "genders",
    "types",
    "stages",
)


def local_day(at: datetime, tz: ZoneInfo) -> int:
    """The proleptic ordinal of ``at``'s calendar day in the corp's time zone."""
    return at.astimezone(tz).date().toordinal()


class CorpIndex:
    """Bitmaps of one corp, current up to change ``last_change_id``."""

    def __init__(self, timezone: str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(timezone)
        self.universe = BitMap()
        self.live = BitMap()
        self.tags: dict[str, BitMap] = {}
        self.employees: dict[str, BitMap] = {}
        self.owners: dict[str, BitMap] = {}
        self.states: dict[str, BitMap] = {}
        self.add_ways: dict[int, BitMap] = {}
        self.days: dict[int, BitMap] = {}
        self.genders: dict[int, BitMap] = {}
        self.types: dict[int, BitMap] = {}
        self.stages: dict[int, BitMap] = {}
        self.last_change_id = 0
        self.caught_up_at = time.monotonic()  # when the change log was last read to its end
        self.lock = threading.Lock()

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def from_facts(cls, facts: Facts, *, timezone: str, last_change_id: int) -> CorpIndex:
        index = cls(timezone)
        index._add(facts)
        index.last_change_id = last_change_id
        index.optimize()
        return index

    def _add(self, facts: Facts) -> None:
        groups: dict[str, dict[Any, array[int]]] = {f: defaultdict(_seqs) for f in FAMILIES}
        universe, live = _seqs(), _seqs()
        for seq, gender, ctype, deleted, first in facts.customers:
            universe.append(seq)
            if not deleted:
                live.append(seq)
            groups["genders"][gender].append(seq)
            groups["types"][ctype].append(seq)
            if first is not None:
                groups["days"][local_day(first, self.tz)].append(seq)
        for seq, userid, state, add_way in facts.relations:
            groups["employees"][userid].append(seq)
            if state:
                groups["states"][state].append(seq)
            groups["add_ways"][add_way].append(seq)
        for seq, tag_id in facts.tags:
            groups["tags"][tag_id].append(seq)
        for seq, userid in facts.owners:
            groups["owners"][userid].append(seq)
        for seq, stage_id in facts.stages:
            groups["stages"][stage_id].append(seq)
        self.universe.update(universe)
        self.live.update(live)
        for name, by_key in groups.items():
            family: dict[Any, BitMap] = getattr(self, name)
            for key, seqs in by_key.items():
                bm = family.get(key)
                if bm is None:
                    family[key] = BitMap(seqs)
                else:
                    bm.update(seqs)

    def optimize(self) -> None:
        for bm in self._bitmaps():
            bm.run_optimize()
            bm.shrink_to_fit()

    def _bitmaps(self) -> Iterable[BitMap]:
        yield self.universe
        yield self.live
        for name in FAMILIES:
            family: dict[Hashable, BitMap] = getattr(self, name)
            yield from family.values()

    # -- incremental ------------------------------------------------------------------------

    def apply(self, seqs: Iterable[int], facts: Facts, *, change_id: int) -> bool:
        """Replace what the index knows of ``seqs`` by ``facts`` (their current state), if this
        batch is newer than what was applied already; returns whether it was applied."""
        changed = BitMap(seqs)
        with self.lock:
            if change_id <= self.last_change_id:
                return False
            if changed:
                for bm in self._bitmaps():
                    bm.difference_update(changed)
                self._add(facts)
            self.last_change_id = change_id
            return True

    # -- reading ----------------------------------------------------------------------------

    def union(self, family: str, keys: Iterable[Hashable]) -> BitMap:
        """The union of the family's bitmaps for ``keys``. With one key this is the index's own
        bitmap (no copy): callers must not modify the result in place."""
        maps: dict[Hashable, BitMap] = getattr(self, family)
        found = [maps[k] for k in set(keys) if k in maps]
        if len(found) == 1:
            return found[0]
        with self.lock:
            return BitMap.union(*found) if found else BitMap()

    def intersection(self, family: str, keys: Iterable[Hashable]) -> BitMap:
        maps: dict[Hashable, BitMap] = getattr(self, family)
        keys = list(keys)
        if not all(k in maps for k in keys):
            return BitMap()
        with self.lock:
            return BitMap.intersection(*(maps[k] for k in keys))

    def days_between(self, first: date | None, last: date | None) -> BitMap:
        lo = first.toordinal() if first else None
        hi = last.toordinal() if last else None
        keys = [d for d in self.days if (lo is None or d >= lo) and (hi is None or d <= hi)]
        return self.union("days", keys)

    def copy_of(self, which: str) -> BitMap:
        with self.lock:
            return BitMap(getattr(self, which))

    def memory_bytes(self) -> int:
        """Serialized size of every bitmap (a close lower bound of the index's memory)."""
        return sum(bm.__sizeof__() for bm in self._bitmaps())

    def bitmap_count(self) -> int:
        return sum(1 for _ in self._bitmaps())


def _seqs() -> array[int]:
    return array("I")
