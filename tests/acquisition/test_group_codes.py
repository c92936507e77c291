"""Group codes (群活码) over the REST API: filtered, sorted pages, export, QR, poster, joins
per local day."""

from __future__ import annotations

import io
from datetime import date, timedelta

import httpx
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from siyu.db.session import Database
from siyu.groups.models import GroupChat
from tests.acquisition.test_channels import q
from tests.conftest import CorpHandle, Sandbox, events_settled

URL = "/api/v1/acquisition/group-codes"


def _make(api: httpx.Client, name: str, chats: list[str]) -> dict[str, object]:
    r = api.post(URL, json={"name": name, "chat_ids": chats, "room_base_name": name})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_list_filters_sort_pages_and_export(
    live: CorpHandle, api: httpx.Client, db: Database
) -> None:
    chats = [r[0] for r in q(db, select(GroupChat.chat_id).order_by(GroupChat.id).limit(2))]
    names = ["丙-老客群", "甲-新品群", "乙-门店群", "丁-会员群"]
    for i, n in enumerate(names):
        _make(api, n, [chats[i % 2]])
    # sorted by name across pages of 3: the second page continues the order
    first = api.get(URL, params={"sort": "name", "limit": 3}).json()
    second = api.get(
        URL, params={"sort": "name", "limit": 3, "cursor": first["next_cursor"]}
    ).json()
    got = [c["name"] for c in first["items"] + second["items"]]
    assert got == sorted(names) and second["next_cursor"] is None
    desc = api.get(URL, params={"sort": "-name", "limit": 2}).json()
    more = api.get(URL, params={"sort": "-name", "limit": 2, "cursor": desc["next_cursor"]})
    assert [c["name"] for c in desc["items"] + more.json()["items"]] == sorted(names)[::-1]
    newest = api.get(URL, params={"sort": "-created_at", "limit": 1}).json()["items"][0]
    assert newest["name"] == names[-1]
    # filters
    assert [c["name"] for c in api.get(URL, params={"keyword": "门店"}).json()["items"]] == [
        "乙-门店群"
    ]
    by_chat = api.get(URL, params={"chat_id": chats[1]}).json()["items"]
    assert sorted(c["name"] for c in by_chat) == sorted([names[1], names[3]])
    # clear errors for a bad sort or cursor
    r = api.get(URL, params={"sort": "owner"})
    assert r.status_code == 422 and "cannot sort by 'owner'" in r.text
    assert api.get(URL, params={"cursor": "garbage"}).status_code == 422
    # export honours the filter
    r = api.get(f"{URL}/export", params={"keyword": "群", "sort": "name"})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][1] == "名称" and [row[1] for row in rows[1:]] == sorted(names)
    csv = api.get(f"{URL}/export", params={"format": "csv", "chat_id": chats[0]}).text
    assert "丙-老客群" in csv and "甲-新品群" not in csv


def test_qr_poster_and_daily_trend(
    live: CorpHandle, sb: Sandbox, api: httpx.Client, db: Database
) -> None:
    chat = q(db, select(GroupChat.chat_id).order_by(GroupChat.id).limit(1))[0][0]
    code = _make(api, "周末活动群", [chat])
    qr = api.get(f"{URL}/{code['id']}/qr.png")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(qr.content)).size[0] > 100
    poster = api.get(f"{URL}/{code['id']}/poster.png")
    assert Image.open(io.BytesIO(poster.content)).size == (750, 1334)
    assert api.get(f"{URL}/999999/qr.png").status_code == 404

    joined = []
    for _ in range(2):
        joined.append(sb.act("scan_join_way", config_id=code["config_id"]))
        events_settled(db)
    sb.act("group", action="leave", chat_id=chat, members=[joined[0]["external_userid"]])
    events_settled(db)
    st = api.get(f"{URL}/{code['id']}/stats").json()
    assert (st["joins"], st["leaves"]) == (2, 1)
    assert len(st["trend"]) == 30 and st["groups"][0]["capacity"] == 200
    today = date.fromisoformat(st["end"])
    assert st["trend"][-1] == {"day": str(today), "joins": 2, "leaves": 1}
    assert sum(p["joins"] for p in st["trend"][:-1]) == 0
    old = api.get(
        f"{URL}/{code['id']}/stats",
        params={"start": str(today - timedelta(days=9)), "end": str(today - timedelta(days=1))},
    ).json()
    assert len(old["trend"]) == 9 and sum(p["joins"] for p in old["trend"]) == 0
    assert old["joins"] == 2  # totals stay all-time
    listed = api.get(URL).json()["items"]
    assert next(c for c in listed if c["id"] == code["id"])["joins"] == 2
