"""WeCom corp mass messages (企业群发) to customers: ``shared/wecom/API.md`` §2.

Plain functions over :class:`WeComClient` (``client.call``); errors are the client's tree.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from siyu.wecom.client import WeComClient

PATH = "externalcontact/"
MAX_RECIPIENTS = 10_000


async def add_msg_template(
    client: WeComClient,
    *,
    sender: str,
    external_userids: list[str],
    text: str,
    attachments: list[dict[str, Any]],
    chat_type: str = "single",
) -> tuple[str, list[str]]:
    """Create a mass message for one sender's customers (``chat_type`` single) or group
    chats (group: ``external_userids`` are chat ids): ``(msgid, fail_list)``."""
    if len(external_userids) > MAX_RECIPIENTS:
        raise ValueError(f"at most {MAX_RECIPIENTS} external_userid per call")
    key = "chat_id_list" if chat_type == "group" else "external_userid"
    body: dict[str, Any] = {
        "chat_type": chat_type,
        "sender": sender,
        key: external_userids,
        "attachments": attachments,
    }
    if text:
        body["text"] = {"content": text}
    data = await client.call("POST", PATH + "add_msg_template", json=body)
    return str(data.get("msgid") or ""), [str(e) for e in data.get("fail_list") or []]


async def list_groupmsg(
    client: WeComClient,
    *,
    start_time: int,
    end_time: int,
    filter_type: int = 0,
    chat_type: str = "single",
) -> AsyncIterator[dict[str, Any]]:
    """Every mass message of ``chat_type`` created in ``[start_time, end_time]`` (≤1 month)."""
    cursor = ""
    while True:
        body: dict[str, Any] = {
            "chat_type": chat_type,
            "start_time": start_time,
            "end_time": end_time,
            "filter_type": filter_type,
            "limit": 100,
            "cursor": cursor,
        }
        data = await client.call("POST", PATH + "get_groupmsg_list_v2", json=body)
        for item in data.get("group_msg_list") or []:
            yield item
        cursor = str(data.get("next_cursor") or "")
        if not cursor:
            return


async def groupmsg_tasks(client: WeComClient, msgid: str) -> list[dict[str, Any]]:
    """The senders of a message and whether each sent it (status 0 unsent, 2 sent)."""
    out: list[dict[str, Any]] = []
    cursor = ""
    while True:
        body = {"msgid": msgid, "limit": 1000, "cursor": cursor}
        data = await client.call("POST", PATH + "get_groupmsg_task", json=body)
        out.extend(data.get("task_list") or [])
        cursor = str(data.get("next_cursor") or "")
        if not cursor:
            return out


async def groupmsg_send_results(
    client: WeComClient, msgid: str, userid: str
) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of one sender's per-customer results (status 0 unsent, 1 sent, 2 not a friend,
    3 already received another mass message: the frequency cap)."""
    cursor = ""
    while True:
        body = {"msgid": msgid, "userid": userid, "limit": 1000, "cursor": cursor}
        data = await client.call("POST", PATH + "get_groupmsg_send_result", json=body)
        yield list(data.get("send_list") or [])
        cursor = str(data.get("next_cursor") or "")
        if not cursor:
            return


async def remind_groupmsg_send(client: WeComClient, msgid: str) -> None:
    """Remind the senders who have not sent yet (≤3 per message per 24 h)."""
    await client.call("POST", PATH + "remind_groupmsg_send", json={"msgid": msgid})


async def cancel_groupmsg_send(client: WeComClient, msgid: str) -> None:
    """Stop the message for senders who have not sent it yet."""
    await client.call("POST", PATH + "cancel_groupmsg_send", json={"msgid": msgid})
