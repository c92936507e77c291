"""Decrypted callback XML → a typed event with a stable idempotency key."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field

from siyu.wecom.crypto import MalformedError, xml_to_dict

CONTACT_CHANGES = {
    "add_external_contact",
    "add_half_external_contact",
    "edit_external_contact",
    "del_external_contact",
    "del_follow_user",
    "transfer_fail",
}
CHAT_CHANGES = {"create", "update", "dismiss"}
TAG_CHANGES = {"create", "update", "delete", "shuffle"}


@dataclass(frozen=True)
class CallbackEvent:
    """One WeCom event: ``fields`` holds every element of the XML by tag name."""

    event: str
    change_type: str
    fields: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def key(self) -> str:
        """Stable across WeCom's redeliveries: MsgId when present, else a hash of the content
        (computed once per event: storing and logging an event read it several times)."""
        if self.fields.get("MsgId"):
            return "msg:" + self.fields["MsgId"]
        digest = hashlib.sha1(json.dumps(self.fields, sort_keys=True).encode()).hexdigest()
        return f"evt:{self.event}:{self.change_type}:{digest}"

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


def parse_event(xml: str, *, corp_id: str) -> CallbackEvent:
    """Parse decrypted callback XML; MalformedError if it is not an event for ``corp_id``."""
    fields = xml_to_dict(xml)
    to_user = fields.get("ToUserName", "")
    if to_user and to_user != corp_id:
        raise MalformedError(f"event addressed to {to_user!r}, not {corp_id!r}")
    msg_type = fields.get("MsgType", "")
    if not msg_type:
        raise MalformedError("no MsgType in the event")
    return CallbackEvent(
        event=fields.get("Event", "") if msg_type == "event" else msg_type,
        change_type=fields.get("ChangeType", ""),
        fields=fields,
    )


TRANSFER_FAIL_REASONS = {"customer_refused", "customer_limit_exceed"}


@dataclass(frozen=True)
class TransferFail:
    """``change_external_contact``/``transfer_fail`` (docs/inheritance.md): a takeover failed.

    ``takeover_userid`` is the event's UserID (the successor, not the former follower); the
    event does not tell on-job from resigned transfers. ``reason`` is ``customer_refused`` or
    ``customer_limit_exceed`` (any other value is kept as sent).
    """

    takeover_userid: str
    external_userid: str
    reason: str
    create_time: int


def transfer_fail(event: CallbackEvent) -> TransferFail | None:
    """The typed ``transfer_fail`` of ``event``, or None for any other event."""
    if event.event != "change_external_contact" or event.change_type != "transfer_fail":
        return None
    try:
        created = int(event.get("CreateTime") or 0)
    except ValueError:
        created = 0
    return TransferFail(
        takeover_userid=event.get("UserID"),
        external_userid=event.get("ExternalUserID"),
        reason=event.get("FailReason"),
        create_time=created,
    )
