"""The model registry: imports every table so that ``Base.metadata`` is complete (Alembic
migrations, tests). A composition root: nothing in a domain imports it."""

from siyu.accounts.models import AuditEntry, ConsoleUser
from siyu.acquisition.models import (
    AcquisitionImage,
    AcquisitionSettings,
    AppMessage,
    ChannelAdd,
    ChannelCode,
    ChannelDailyStat,
    ChannelDayStat,
    Collision,
    CustomerOwner,
    CustomerSource,
    GroupCode,
    GroupCodeEvent,
    LossRecord,
    OwnerChange,
    WelcomeSend,
)
from siyu.broadcasts.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastSender,
    BroadcastSettings,
)
from siyu.content.models import ContentFile, ContentFolder, ContentItem, ContentTag, RadarOpen
from siyu.corps.models import ApiKey, Corp
from siyu.customers.models import (
    Customer,
    CustomerChange,
    FollowRelation,
    RelationTag,
    Tag,
    TagGroup,
    TimelineEvent,
)
from siyu.customers.profile_models import (
    CustomerProfile,
    CustomField,
    CustomFieldValue,
    FollowUp,
    FollowUpDigest,
    RemarkWrite,
)
from siyu.customers.stage_models import CustomerStage, CustomerStageState
from siyu.db.base import Base
from siyu.employees.models import Department, Employee
from siyu.events.models import InboundEvent
from siyu.frontline.models import FrontlineAssignee, FrontlineTask
from siyu.groups.models import GroupChat, GroupMember
from siyu.groups.tag_models import GroupChatTag, GroupTag
from siyu.phrases.models import Phrase, PhraseDepartment, PhraseFolder, PhraseUse
from siyu.segments.models import RuleTag, Segment, SegmentSnapshot
from siyu.sop.models import SopRun, SopStep, SopTask, SopTemplate
from siyu.sync.models import SyncRun
from siyu.tags.models import BatchTagItem, BatchTagJob

__all__ = [
    "AcquisitionImage",
    "AcquisitionSettings",
    "ApiKey",
    "AppMessage",
    "AuditEntry",
    "Base",
    "BatchTagItem",
    "BatchTagJob",
    "Broadcast",
    "BroadcastRecipient",
    "BroadcastSender",
    "BroadcastSettings",
    "ChannelAdd",
    "ChannelCode",
    "ChannelDailyStat",
    "ChannelDayStat",
    "Collision",
    "ConsoleUser",
    "ContentFile",
    "ContentFolder",
    "ContentItem",
    "ContentTag",
    "Corp",
    "CustomField",
    "CustomFieldValue",
    "Customer",
    "CustomerChange",
    "CustomerOwner",
    "CustomerProfile",
    "CustomerSource",
    "CustomerStage",
    "CustomerStageState",
    "Department",
    "Employee",
    "FollowRelation",
    "FollowUp",
    "FollowUpDigest",
    "FrontlineAssignee",
    "FrontlineTask",
    "GroupChat",
    "GroupChatTag",
    "GroupCode",
    "GroupCodeEvent",
    "GroupMember",
    "GroupTag",
    "InboundEvent",
    "LossRecord",
    "OwnerChange",
    "Phrase",
    "PhraseDepartment",
    "PhraseFolder",
    "PhraseUse",
    "RadarOpen",
    "RelationTag",
    "RemarkWrite",
    "RuleTag",
    "Segment",
    "SegmentSnapshot",
    "SopRun",
    "SopStep",
    "SopTask",
    "SopTemplate",
    "SyncRun",
    "Tag",
    "TagGroup",
    "TimelineEvent",
    "WelcomeSend",
]
