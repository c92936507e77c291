"""Process-wide settings of a long-running Siyu process (``siyu serve``, ``siyu worker``,
``siyu demo``).

CPython's cyclic garbage collector walks every tracked object of the oldest generation on each
full collection, and with the default thresholds (700 allocations) a busy process runs one
every few milliseconds of work. A Siyu process holds some 200,000 long-lived objects after its
imports (modules, SQLAlchemy's mappers and compiled caches, FastAPI's routes), so those walks
were about a third of a worker's CPU per callback event (measured with
``benchmarks/callback_ingest.py``). :func:`tune_gc` moves what exists at start-up into the
permanent generation (``gc.freeze``: never walked again, still freed by reference counting)
and lets the young generation grow larger before it is collected.
"""

from __future__ import annotations

import gc

#: allocations between young-generation collections (CPython's default: 700)
GC_GEN0_THRESHOLD = 20_000


def tune_gc() -> None:
    """Freeze the objects made so far and raise the young generation's threshold (call once,
    after the imports and the app are built, before serving)."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)
