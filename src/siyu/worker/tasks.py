"""The one list of queue tasks and periodic jobs (importing this registers them all)."""

import siyu.acquisition.handlers  # (domain-event handlers)
import siyu.customers.follow_up_handlers  # (follow-ups follow a transferred customer)
import siyu.segments.handlers
import siyu.sop.handlers  # noqa: F401  (SOP triggers and stop conditions)
from siyu.acquisition.tasks import (
    acquisition_tick,
    apply_channel_extras,
    reconcile_channel,
    reconcile_corp,
    send_app_message,
)
from siyu.broadcasts.tasks import broadcast_tick, run_broadcast, sync_broadcast
from siyu.customers.profile_tasks import resume_remark_writes, write_remark
from siyu.events.tasks import drain_events, process_event, sweep_pending_events
from siyu.frontline.follow_up_tasks import follow_up_tick
from siyu.frontline.tasks import frontline_tick, remind_task, sync_task
from siyu.segments.tasks import (
    evaluate_rule_tag,
    evaluate_rule_tags,
    periodic_rule_tags,
    prune_segment_changes,
    resume_rule_tag_jobs,
)
from siyu.sop.tasks import sop_backfill, sop_scan, sop_tick
from siyu.sync.tasks import full_sync, periodic_sync
from siyu.tags.tasks import resume_batch_tag_jobs, run_batch_tag_job

__all__ = [
    "acquisition_tick",
    "apply_channel_extras",
    "broadcast_tick",
    "drain_events",
    "evaluate_rule_tag",
    "evaluate_rule_tags",
    "follow_up_tick",
    "frontline_tick",
    "full_sync",
    "periodic_rule_tags",
    "periodic_sync",
    "process_event",
    "prune_segment_changes",
    "reconcile_channel",
    "reconcile_corp",
    "remind_task",
    "resume_batch_tag_jobs",
    "resume_remark_writes",
    "resume_rule_tag_jobs",
    "run_batch_tag_job",
    "run_broadcast",
    "send_app_message",
    "sop_backfill",
    "sop_scan",
    "sop_tick",
    "sweep_pending_events",
    "sync_broadcast",
    "sync_task",
    "write_remark",
]
