"""The one list of queue tasks and periodic jobs (importing this registers them all)."""

import siyu.acquisition.handlers  # noqa: F401  (domain-event handlers)
from siyu.acquisition.tasks import (
    acquisition_tick,
    apply_channel_extras,
    reconcile_channel,
    reconcile_corp,
    send_app_message,
)
from siyu.events.tasks import process_event, sweep_pending_events
from siyu.sync.tasks import full_sync, periodic_sync
from siyu.tags.tasks import run_batch_tag_job

__all__ = [
    "acquisition_tick",
    "apply_channel_extras",
    "full_sync",
    "periodic_sync",
    "process_event",
    "reconcile_channel",
    "reconcile_corp",
    "run_batch_tag_job",
    "send_app_message",
    "sweep_pending_events",
]
