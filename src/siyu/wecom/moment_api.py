"""WeCom corp moments (企业朋友圈): ``shared/wecom/API.md`` §2 (add_moment_task,
get_moment_task_result); ``get_moment_list`` is not in API.md (shape from the public SDKs,
unverified). Plain functions over :class:`WeComClient`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from siyu.wecom.client import WeComClient

PATH = "externalcontact/"


async def add_moment_task(
    client: WeComClient,
    *,
    text: str,
    attachments: list[dict[str, Any]],
    senders: list[str],
    tag_ids: list[str],
) -> str:
    """Start a moment task (senders empty: every member); its ``jobid`` (valid 24 h)."""
    rng: dict[str, Any] = {}
    if senders:
        rng["sender_list"] = {"user_list": senders}
    if tag_ids:
        rng["external_contact_list"] = {"tag_list": tag_ids}
    body: dict[str, Any] = {"attachments": attachments, "visible_range": rng}
    if text:
        body["text"] = {"content": text}
    data = await client.call("POST", PATH + "add_moment_task", json=body)
    return str(data["jobid"])


async def moment_task_result(client: WeComClient, jobid: str) -> dict[str, Any]:
    """``{status: 1 started | 2 creating | 3 done, result: {moment_id, invalid_*}}``."""
    return await client.call("GET", PATH + "get_moment_task_result", params={"jobid": jobid})


async def list_moments(
    client: WeComClient, *, start_time: int, end_time: int
) -> AsyncIterator[dict[str, Any]]:
    """Corp moments created in ``[start_time, end_time]`` (≤1 month)."""
    cursor = ""
    while True:
        body = {
            "start_time": start_time,
            "end_time": end_time,
            "filter_type": 0,
            "limit": 100,
            "cursor": cursor,
        }
        data = await client.call("POST", PATH + "get_moment_list", json=body)
        for item in data.get("moment_list") or []:
            yield item
        cursor = str(data.get("next_cursor") or "")
        if not cursor:
            return
