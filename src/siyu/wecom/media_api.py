"""WeCom media and visitor identity, as functions over a :class:`WeComClient`.

- ``media/upload``: temporary media (image ≤10 MB JPG/PNG, voice ≤2 MB AMR, video ≤10 MB MP4,
  file ≤20 MB; every file > 5 bytes), valid 3 days; an expired or unknown id is answered
  with 40007 wherever it is used.
- ``media/uploadimg``: a permanent image URL (JPG/PNG ≤2 MB) for link covers and articles.
- ``auth/getuserinfo`` for a web page opened by a WeChat user: ``openid`` and, when that
  person is a customer of the corp, ``external_userid`` (members get ``userid``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from siyu.wecom.client import WeComClient

__all__ = [
    "INVALID_MEDIA_ERRCODES",
    "MEDIA_TTL",
    "Visitor",
    "identify_visitor",
    "upload_image",
    "upload_temporary",
]

MEDIA_TTL = timedelta(days=3)
#: 40007 invalid media_id (unknown or expired); 40009 / 40004 are upload-side errors
INVALID_MEDIA_ERRCODES = frozenset({40007})


async def upload_temporary(
    client: WeComClient, *, kind: str, filename: str, content: bytes, content_type: str
) -> str:
    """``media/upload``: a temporary media id (valid 3 days) of type image|voice|video|file."""
    data = await client.call(
        "POST",
        "media/upload",
        params={"type": kind},
        files={"media": (filename, content, content_type)},
    )
    return str(data["media_id"])


async def upload_image(
    client: WeComClient, *, filename: str, content: bytes, content_type: str
) -> str:
    """``media/uploadimg``: a permanent URL of a JPG/PNG image (≤2 MB)."""
    data = await client.call(
        "POST", "media/uploadimg", files={"media": (filename, content, content_type)}
    )
    return str(data["url"])


@dataclass(frozen=True)
class Visitor:
    """Who opened a page through OAuth: a member (userid) or a WeChat user (openid, and the
    external_userid when they are a customer)."""

    userid: str = ""
    openid: str = ""
    external_userid: str = ""


async def identify_visitor(client: WeComClient, code: str) -> Visitor:
    """``auth/getuserinfo`` for any visitor (unlike :meth:`WeComClient.get_user_info`)."""
    data = await client.call("GET", "auth/getuserinfo", params={"code": code})
    return Visitor(
        userid=str(data.get("userid") or data.get("UserId") or ""),
        openid=str(data.get("openid") or data.get("OpenId") or ""),
        external_userid=str(data.get("external_userid") or ""),
    )
