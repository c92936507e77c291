"""WeCom endpoints for acquisition, as functions over a :class:`WeComClient`.

「联系我」 contact ways, 「加入群聊」 join ways, ``send_welcome_msg``, ``media/upload`` and app
messages (``message/send``). Field names mirror WeCom's JSON (``shared/wecom/API.md`` §2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from siyu.wecom.client import WeComClient

__all__ = [
    "ContactWayRef",
    "add_contact_way",
    "add_join_way",
    "del_contact_way",
    "del_join_way",
    "get_contact_way",
    "get_join_way",
    "list_contact_ways",
    "send_app_message",
    "send_welcome_msg",
    "update_contact_way",
    "update_join_way",
    "upload_media",
]


@dataclass(frozen=True)
class ContactWayRef:
    config_id: str
    qr_code: str


async def add_contact_way(
    client: WeComClient,
    *,
    type: int,
    users: list[str],
    parties: list[int] | None = None,
    state: str,
    skip_verify: bool,
    remark: str = "",
    scene: int = 2,
) -> ContactWayRef:
    """``add_contact_way`` (QR scene by default); returns the config id and QR code URL."""
    body: dict[str, Any] = {
        "type": type,
        "scene": scene,
        "remark": remark[:30],
        "skip_verify": skip_verify,
        "state": state,
        "user": list(users),
    }
    if parties:
        body["party"] = list(parties)
    data = await client.call("POST", "externalcontact/add_contact_way", json=body)
    return ContactWayRef(str(data["config_id"]), str(data.get("qr_code") or ""))


async def get_contact_way(client: WeComClient, config_id: str) -> dict[str, Any]:
    data = await client.call(
        "POST", "externalcontact/get_contact_way", json={"config_id": config_id}
    )
    return dict(data["contact_way"])


async def update_contact_way(client: WeComClient, config_id: str, **fields: Any) -> None:
    """``update_contact_way``: only the given fields change (``user``/``party`` replace)."""
    await client.call(
        "POST", "externalcontact/update_contact_way", json={"config_id": config_id, **fields}
    )


async def del_contact_way(client: WeComClient, config_id: str) -> None:
    await client.call("POST", "externalcontact/del_contact_way", json={"config_id": config_id})


async def list_contact_ways(
    client: WeComClient, *, start_time: int | None = None, end_time: int | None = None
) -> list[str]:
    """Every config id ``list_contact_way`` returns (cursor paged, 1000 per page)."""
    out: list[str] = []
    cursor = ""
    while True:
        body: dict[str, Any] = {"cursor": cursor, "limit": 1000}
        if start_time is not None:
            body["start_time"] = start_time
        if end_time is not None:
            body["end_time"] = end_time
        data = await client.call("POST", "externalcontact/list_contact_way", json=body)
        out.extend(str(w["config_id"]) for w in data.get("contact_way", []))
        cursor = str(data.get("next_cursor") or "")
        if not cursor:
            return out


async def send_welcome_msg(
    client: WeComClient, welcome_code: str, *, text: str, attachments: list[dict[str, Any]]
) -> None:
    body: dict[str, Any] = {"welcome_code": welcome_code}
    if text:
        body["text"] = {"content": text}
    if attachments:
        body["attachments"] = attachments
    await client.call("POST", "externalcontact/send_welcome_msg", json=body)


async def upload_media(
    client: WeComClient, *, kind: str, filename: str, content: bytes, content_type: str
) -> str:
    """``media/upload``: a temporary media id (valid 3 days)."""
    data = await client.call(
        "POST",
        "media/upload",
        params={"type": kind},
        files={"media": (filename, content, content_type)},
    )
    return str(data["media_id"])


async def send_app_message(
    client: WeComClient, *, agent_id: int, userids: list[str], text: str, dedupe_seconds: int = 0
) -> dict[str, Any]:
    """``message/send`` a text app message; WeCom drops duplicates within ``dedupe_seconds``."""
    body: dict[str, Any] = {
        "touser": "|".join(userids),
        "msgtype": "text",
        "agentid": agent_id,
        "text": {"content": text},
    }
    if dedupe_seconds:
        body["enable_duplicate_check"] = 1
        body["duplicate_check_interval"] = dedupe_seconds
    return await client.call("POST", "message/send", json=body)


async def add_join_way(client: WeComClient, **fields: Any) -> str:
    data = await client.call("POST", "externalcontact/groupchat/add_join_way", json=fields)
    return str(data["config_id"])


async def get_join_way(client: WeComClient, config_id: str) -> dict[str, Any]:
    data = await client.call(
        "POST", "externalcontact/groupchat/get_join_way", json={"config_id": config_id}
    )
    return dict(data["join_way"])


async def update_join_way(client: WeComClient, config_id: str, **fields: Any) -> None:
    """``update_join_way`` overwrites the whole config: send every field."""
    await client.call(
        "POST",
        "externalcontact/groupchat/update_join_way",
        json={"config_id": config_id, **fields},
    )


async def del_join_way(client: WeComClient, config_id: str) -> None:
    await client.call(
        "POST", "externalcontact/groupchat/del_join_way", json={"config_id": config_id}
    )
