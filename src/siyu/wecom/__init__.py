"""WeCom integration: the typed async client, its models and errors, callback crypto."""

from siyu.wecom.client import RetryPolicy, TokenCache, WeComClient, WeComTokenAuth
from siyu.wecom.crypto import CallbackCrypto, CallbackCryptoError
from siyu.wecom.errors import WeComError, WeComRateLimited, WeComTokenError, WeComUnavailable
from siyu.wecom.models import (
    BatchItem,
    BatchPage,
    CorpTag,
    CorpTagGroup,
    Department,
    ExternalContact,
    ExternalContactDetail,
    FollowInfo,
    FollowTag,
    FollowUser,
    GroupAdmin,
    GroupChat,
    GroupChatPage,
    GroupChatRef,
    GroupMember,
    Invitor,
    User,
)

__all__ = [
    "BatchItem",
    "BatchPage",
    "CallbackCrypto",
    "CallbackCryptoError",
    "CorpTag",
    "CorpTagGroup",
    "Department",
    "ExternalContact",
    "ExternalContactDetail",
    "FollowInfo",
    "FollowTag",
    "FollowUser",
    "GroupAdmin",
    "GroupChat",
    "GroupChatPage",
    "GroupChatRef",
    "GroupMember",
    "Invitor",
    "RetryPolicy",
    "TokenCache",
    "User",
    "WeComClient",
    "WeComError",
    "WeComRateLimited",
    "WeComTokenAuth",
    "WeComTokenError",
    "WeComUnavailable",
]
