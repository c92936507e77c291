"""Import every table so that ``Base.metadata`` is complete (Alembic, tests)."""

from siyu.accounts.models import AuditEntry, ConsoleUser
from siyu.corps.models import ApiKey, Corp
from siyu.customers.models import Customer, FollowRelation, RelationTag, TimelineEvent
from siyu.db.base import Base
from siyu.employees.models import Department, Employee
from siyu.events.models import InboundEvent
from siyu.groups.models import GroupChat, GroupMember
from siyu.sync.models import SyncRun
from siyu.tags.models import BatchTagItem, BatchTagJob, Tag, TagGroup

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "BatchTagItem",
    "BatchTagJob",
    "ConsoleUser",
    "Corp",
    "Customer",
    "Department",
    "Employee",
    "FollowRelation",
    "GroupChat",
    "GroupMember",
    "InboundEvent",
    "RelationTag",
    "SyncRun",
    "Tag",
    "TagGroup",
    "TimelineEvent",
]
