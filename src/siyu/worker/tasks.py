"""The one list of queue tasks and periodic jobs (importing this registers them all)."""

from siyu.events.tasks import process_event, sweep_pending_events
from siyu.sync.tasks import full_sync, periodic_sync
from siyu.tags.tasks import run_batch_tag_job

__all__ = [
    "full_sync",
    "periodic_sync",
    "process_event",
    "run_batch_tag_job",
    "sweep_pending_events",
]
