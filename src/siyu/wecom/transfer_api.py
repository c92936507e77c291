"""WeCom inheritance (离职继承 / 在职继承) as functions over a :class:`WeComClient`.

The facts, each with its documentation page, are in ``docs/inheritance.md``. A transfer call
only *starts* a takeover: WeCom answers per customer (or per group) and a non-zero per-item
errcode (e.g. 40097 not resigned, 40128 too frequent) is a typed result here, not an exception.
Whole-call errors (bad token, > 100 ids, an unknown successor) raise the client's errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from siyu.wecom.client import WeComClient

__all__ = [
    "ChatTransferFailure",
    "CustomerTransfer",
    "TransferErrcode",
    "TransferResult",
    "TransferStatus",
    "UnassignedCustomer",
    "onjob_transfer_group_chats",
    "resigned_transfer_customers",
    "resigned_transfer_result",
    "transfer_customers",
    "transfer_group_chats",
    "transfer_result",
    "unassigned_customers",
]

PATH = "externalcontact/"
MAX_CUSTOMERS = 100
MAX_CHATS = 100
MAX_SUCCESS_MSG = 200
UNASSIGNED_PAGE = 1000


class TransferErrcode(IntEnum):
    """Per-customer / per-group errcodes of the transfer calls (WeCom's global codes)."""

    OK = 0
    INVALID_EXTERNAL_USERID = 40096
    NOT_RESIGNED = 40097
    NOT_REAL_NAME = 40098
    CUSTOMER_LIMIT = 40099
    ALREADY_IN_TRANSFER = 40100
    TOO_FREQUENT = 40128  # on-job: a customer at most twice in 90 days
    IN_TRANSFER = 40129
    SAME_USER = 40130
    NOT_FOLLOWER = 40131
    NOT_ACTIVATED = 41054
    CHAT_OWNER_NOT_RESIGNED = 90500
    NOT_CUSTOMER_GROUP = 90501
    CHAT_OWNER_RESIGNED = 90502
    CHAT_FULL = 90503
    CHAT_SAME_OWNER = 90504
    CHAT_IN_TRANSFER = 90507
    CHAT_ALREADY_TRANSFERRED = 90508


class TransferStatus(IntEnum):
    """``transfer_result`` status (5 is documented for on-job only)."""

    ACCEPTED = 1  # 接替完毕
    WAITING = 2  # 等待接替
    REFUSED = 3  # 客户拒绝
    LIMIT_REACHED = 4  # 接替成员客户达到上限
    NO_RECORD = 5  # 无接替记录


@dataclass(frozen=True)
class UnassignedCustomer:
    handover_userid: str
    external_userid: str
    dimission_time: int


@dataclass(frozen=True)
class CustomerTransfer:
    """One customer's answer to a transfer call: errcode 0 = the takeover started."""

    external_userid: str
    errcode: int

    @property
    def started(self) -> bool:
        return self.errcode == 0


@dataclass(frozen=True)
class TransferResult:
    external_userid: str
    status: int
    #: the takeover time; for a waiting transfer, the future automatic takeover time
    takeover_time: int

    @property
    def final(self) -> bool:
        return self.status != TransferStatus.WAITING


@dataclass(frozen=True)
class ChatTransferFailure:
    chat_id: str
    errcode: int
    errmsg: str


async def unassigned_customers(
    client: WeComClient, *, page_size: int = UNASSIGNED_PAGE
) -> AsyncIterator[UnassignedCustomer]:
    """Every customer of a resigned member still waiting for a successor (cursor paging)."""
    if not 1 <= page_size <= UNASSIGNED_PAGE:
        raise ValueError(f"page_size must be 1-{UNASSIGNED_PAGE}")
    cursor = ""
    while True:
        body: dict[str, Any] = {"page_size": page_size}
        if cursor:
            body["cursor"] = cursor
        data = await client.call("POST", PATH + "get_unassigned_list", json=body)
        for row in data.get("info") or []:
            yield UnassignedCustomer(
                str(row["handover_userid"]),
                str(row["external_userid"]),
                int(row.get("dimission_time") or 0),
            )
        cursor = str(data.get("next_cursor") or "")
        if data.get("is_last", True) or not cursor:
            return


def _check_ids(ids: list[str], limit: int, name: str) -> None:
    if not ids:
        raise ValueError(f"{name} is empty")
    if len(ids) > limit:
        raise ValueError(f"at most {limit} {name} per call")


def _outcomes(data: dict[str, Any]) -> list[CustomerTransfer]:
    return [
        CustomerTransfer(str(row["external_userid"]), int(row.get("errcode") or 0))
        for row in data.get("customer") or []
    ]


async def resigned_transfer_customers(
    client: WeComClient, *, handover_userid: str, takeover_userid: str, external_userids: list[str]
) -> list[CustomerTransfer]:
    """``resigned/transfer_customer``: a resigned member's customers to a successor (≤ 100)."""
    _check_ids(external_userids, MAX_CUSTOMERS, "external_userid")
    body = {
        "handover_userid": handover_userid,
        "takeover_userid": takeover_userid,
        "external_userid": list(external_userids),
    }
    return _outcomes(await client.call("POST", PATH + "resigned/transfer_customer", json=body))


async def transfer_customers(
    client: WeComClient,
    *,
    handover_userid: str,
    takeover_userid: str,
    external_userids: list[str],
    transfer_success_msg: str | None = None,
) -> list[CustomerTransfer]:
    """``transfer_customer`` (on-job): ≤ 100 customers; the message ≤ 200 characters
    (WeCom's default text when omitted)."""
    _check_ids(external_userids, MAX_CUSTOMERS, "external_userid")
    body: dict[str, Any] = {
        "handover_userid": handover_userid,
        "takeover_userid": takeover_userid,
        "external_userid": list(external_userids),
    }
    if transfer_success_msg:
        if len(transfer_success_msg) > MAX_SUCCESS_MSG:
            raise ValueError(f"transfer_success_msg exceeds {MAX_SUCCESS_MSG} characters")
        body["transfer_success_msg"] = transfer_success_msg
    return _outcomes(await client.call("POST", PATH + "transfer_customer", json=body))


async def _results(
    client: WeComClient, path: str, handover_userid: str, takeover_userid: str
) -> list[TransferResult]:
    out: list[TransferResult] = []
    cursor = ""
    while True:
        body = {
            "handover_userid": handover_userid,
            "takeover_userid": takeover_userid,
            "cursor": cursor,
        }
        data = await client.call("POST", PATH + path, json=body)
        out.extend(
            TransferResult(
                str(row["external_userid"]),
                int(row.get("status") or 0),
                int(row.get("takeover_time") or 0),
            )
            for row in data.get("customer") or []
        )
        cursor = str(data.get("next_cursor") or "")
        if not cursor:
            return out


async def resigned_transfer_result(
    client: WeComClient, *, handover_userid: str, takeover_userid: str
) -> list[TransferResult]:
    """``resigned/transfer_result``: every page of one handover→takeover pair."""
    return await _results(client, "resigned/transfer_result", handover_userid, takeover_userid)


async def transfer_result(
    client: WeComClient, *, handover_userid: str, takeover_userid: str
) -> list[TransferResult]:
    """``transfer_result`` (on-job): every page of one handover→takeover pair."""
    return await _results(client, "transfer_result", handover_userid, takeover_userid)


async def _chats(
    client: WeComClient, path: str, chat_ids: list[str], new_owner: str
) -> list[ChatTransferFailure]:
    _check_ids(chat_ids, MAX_CHATS, "chat_id")
    body = {"chat_id_list": list(chat_ids), "new_owner": new_owner}
    data = await client.call("POST", PATH + path, json=body)
    return [
        ChatTransferFailure(
            str(row["chat_id"]), int(row.get("errcode") or 0), row.get("errmsg", "")
        )
        for row in data.get("failed_chat_list") or []
    ]


async def transfer_group_chats(
    client: WeComClient, *, chat_ids: list[str], new_owner: str
) -> list[ChatTransferFailure]:
    """``groupchat/transfer``: groups of resigned owners (1–100); the failures."""
    return await _chats(client, "groupchat/transfer", chat_ids, new_owner)


async def onjob_transfer_group_chats(
    client: WeComClient, *, chat_ids: list[str], new_owner: str
) -> list[ChatTransferFailure]:
    """``groupchat/onjob_transfer``: groups of on-job owners (1–100); the failures."""
    return await _chats(client, "groupchat/onjob_transfer", chat_ids, new_owner)
