"""Channel codes over the REST API: validation before WeCom, CRUD, list, export, QR, poster,
batch creation, group codes, tenancy."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook
from PIL import Image
from sqlalchemy import select

from siyu.accounts import onboard
from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.db.session import Database
from siyu.groups.models import GroupChat
from tests.conftest import CorpHandle, Sandbox, events_settled

URL = "/api/v1/acquisition/channels"


def q(db: Database, stmt: Any) -> list[Any]:
    async def go() -> list[Any]:
        async with db.unit_of_work() as s:
            return list((await s.execute(stmt)).all())

    return asyncio.run(go())


def ways(sb: Sandbox) -> list[dict[str, Any]]:
    return list(sb.get("/sandbox/contact_ways"))


def test_bad_input_is_422_before_wecom(live: CorpHandle, sb: Sandbox, api: httpx.Client) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    link = {"type": "link", "title": "t", "url": "https://example.com"}
    cases = [
        ({"state": "x" * 31}, "at most 30"),
        ({"welcome": {"text": "hi", "attachments": [link] * 10}}, "at most 9"),
        ({"userids": [a, "nobody"]}, "unknown employee: nobody"),
        ({"welcome": {"text": "  ", "attachments": []}}, "welcome text is empty"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, "expired"),
        ({"expires_at": "2020-01-01T08:00:00"}, "expired"),  # no zone: the corp's
        ({"tag_ids": ["etNOPE"]}, "unknown tag"),
        ({"welcome": {"attachments": [{"type": "image"}]}}, "asset_id or a pic_url"),
    ]
    for extra, message in cases:
        r = api.post(URL, json={"name": "坏码", "userids": [a], **extra})
        assert r.status_code == 422, (extra, r.text)
        assert message in r.text, (message, r.text)
    assert ways(sb) == []  # nothing reached WeCom
    assert api.get(URL).json()["items"] == []


def test_crud_list_export_qr_poster(
    live: CorpHandle, sb: Sandbox, api: httpx.Client, db: Database
) -> None:
    a, b = (e["userid"] for e in sb.get("/sandbox/employees")[:2])
    made = [
        api.post(URL, json={"name": f"门店{i}", "group_name": g, "userids": [u]}).json()
        for i, (g, u) in enumerate([("门店", a), ("门店", b), ("广告", a)])
    ]
    assert {w["state"] for w in ways(sb)} == {m["state"] for m in made}
    page = api.get(URL, params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = api.get(URL, params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [c["name"] for c in page["items"] + rest["items"]] == ["门店0", "门店1", "门店2"]
    assert [c["name"] for c in api.get(URL, params={"group_name": "广告"}).json()["items"]] == [
        "门店2"
    ]
    assert [c["name"] for c in api.get(URL, params={"userid": b}).json()["items"]] == ["门店1"]
    # Edit: employees and welcome; WeCom's contact way follows.
    r = api.patch(f"{URL}/{made[0]['id']}", json={"userids": [a, b], "welcome": {"text": "你好"}})
    assert r.status_code == 200, r.text
    way = next(w for w in ways(sb) if w["config_id"] == made[0]["config_id"])
    assert way["user"] == [a, b]
    assert api.patch(f"{URL}/{made[0]['id']}", json={"userids": ["ghost"]}).status_code == 422
    # Export.
    x = api.get(f"{URL}/export", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet is not None and [r[1] for r in sheet.iter_rows(values_only=True)][1:] == [
        "门店0",
        "门店1",
        "门店2",
    ]
    # QR and poster are PNGs.
    qr = Image.open(io.BytesIO(api.get(f"{URL}/{made[0]['id']}/qr.png").content))
    assert qr.format == "PNG" and qr.size[0] == qr.size[1]
    bg = io.BytesIO()
    Image.new("RGB", (300, 500), (10, 80, 160)).save(bg, format="JPEG")
    asset = api.post(
        "/api/v1/acquisition/assets", files={"file": ("bg.jpg", bg.getvalue(), "image/jpeg")}
    ).json()
    poster = api.get(
        f"{URL}/{made[0]['id']}/poster.png",
        params={"background_id": asset["id"], "caption": "扫码领取新人礼"},
    )
    img = Image.open(io.BytesIO(poster.content))
    assert poster.status_code == 200 and img.size == (750, 1334)
    assert img.convert("RGB").getpixel((5, 5)) != (255, 255, 255)
    # Delete removes the contact way in WeCom.
    assert api.delete(f"{URL}/{made[1]['id']}").status_code == 204
    assert made[1]["config_id"] not in {w["config_id"] for w in ways(sb)}
    assert api.get(f"{URL}/{made[1]['id']}").status_code == 404


def test_batch_create_from_xlsx_and_csv(live: CorpHandle, sb: Sandbox, api: httpx.Client) -> None:
    a, b = (e["userid"] for e in sb.get("/sandbox/employees")[:2])
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["名称", "员工", "欢迎语"])
    for i in range(5):
        ws.append([f"关键词{i}", f"{a},{b}" if i % 2 else a, f"欢迎来自关键词{i}的朋友"])
    buf = io.BytesIO()
    wb.save(buf)
    r = api.post(
        f"{URL}/batch",
        files={"file": ("codes.xlsx", buf.getvalue(), "application/octet-stream")},
        data={"group_name": "搜索广告"},
    )
    assert r.status_code == 201, r.text
    created = r.json()["created"]
    assert [c["name"] for c in created] == [f"关键词{i}" for i in range(5)]
    assert {c["group_name"] for c in created} == {"搜索广告"} and len(ways(sb)) == 5
    # One bad row: nothing at all is created.
    csv = f"name,employees\n门店A,{a}\n门店B,ghost\n".encode()
    r = api.post(f"{URL}/batch", files={"file": ("s.csv", csv, "text/csv")})
    assert r.status_code == 422 and "row 3" in r.text and "ghost" in r.text
    assert len(ways(sb)) == 5


def test_batch_preview_by_names(live: CorpHandle, sb: Sandbox, api: httpx.Client) -> None:
    """Employees and tags by name; a preview lists every row with all its errors, writes
    nothing; the same file without errors creates every code."""
    a, b = sb.get("/sandbox/employees")[:2]
    group = api.get("/api/v1/tags/groups").json()[0]
    tag = group["tags"][0]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["渠道名称", "员工", "标签", "欢迎语", "免验证"])
    ws.append(["地推-南京西路", f"{a['name']}、{b['userid']}", tag["name"], "欢迎！", "否"])
    ws.append(["地推-静安寺", "不存在的人", f"{group['name']}/{tag['name']}, 没有的标签", "", ""])
    ws.append(["地推-南京西路", a["name"], "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    upload = {"file": ("地推.xlsx", buf.getvalue(), "application/octet-stream")}
    before = len(ways(sb))
    r = api.post(f"{URL}/batch/preview", files=upload, data={"group_name": "地推"})
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["valid"], p["invalid"]) == (1, 2)
    first, second, third = p["rows"]
    assert first["row"] == 2 and first["errors"] == []
    assert first["employees"] == [a["name"], b["name"]] and first["tags"] == [tag["name"]]
    assert first["group_name"] == "地推" and first["skip_verify"] is False
    assert second["row"] == 3 and len(second["errors"]) == 2  # both problems, not the first
    assert any("不存在的人" in e for e in second["errors"])
    assert any("没有的标签" in e for e in second["errors"])
    assert third["errors"] == ["the name 地推-南京西路 appears twice in the file"]
    assert len(ways(sb)) == before  # nothing reached WeCom
    assert all(c["group_name"] != "地推" for c in api.get(URL).json()["items"])
    # creating the same file is refused as a whole, naming the rows
    r = api.post(f"{URL}/batch", files=upload)
    assert r.status_code == 422 and "row 3" in r.text and len(ways(sb)) == before

    # fixed: every row is created, by name
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["渠道名称", "员工", "标签"])
    ws.append(["地推-南京西路", f"{a['name']}、{b['userid']}", tag["name"]])
    ws.append(["地推-静安寺", a["name"], f"{group['name']}/{tag['name']}"])
    buf = io.BytesIO()
    wb.save(buf)
    upload = {"file": ("地推.xlsx", buf.getvalue(), "application/octet-stream")}
    assert api.post(f"{URL}/batch/preview", files=upload).json()["invalid"] == 0
    r = api.post(f"{URL}/batch", files=upload)
    assert r.status_code == 201, r.text
    made = {c["name"]: c for c in r.json()["created"]}
    assert made["地推-南京西路"]["userids"] == [a["userid"], b["userid"]]
    assert made["地推-静安寺"]["tag_ids"] == [tag["tag_id"]]
    template = api.get(f"{URL}/batch/template")
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_group_codes(live: CorpHandle, sb: Sandbox, api: httpx.Client, db: Database) -> None:
    chats = [r[0] for r in q(db, select(GroupChat.chat_id).order_by(GroupChat.id).limit(6))]
    url = "/api/v1/acquisition/group-codes"
    six = [f"wr{i}" for i in range(6)]
    r = api.post(url, json={"name": "粉丝群", "chat_ids": six, "room_base_name": "粉丝群"})
    assert r.status_code == 422 and "at most 5" in r.text
    r = api.post(url, json={"name": "粉丝群", "chat_ids": ["nope"], "room_base_name": "粉丝群"})
    assert r.status_code == 422 and "unknown group chat" in r.text
    code = api.post(
        url,
        json={
            "name": "粉丝群",
            "chat_ids": chats[:1],
            "room_base_name": "粉丝群",
            "room_base_id": 7,
        },
    ).json()
    assert code["qr_code"] and len(code["state"]) <= 30
    sb.put("/sandbox/limits", {"group_capacity": len(sb_chat(sb, chats[0])) + 1})
    first = sb.act("scan_join_way", config_id=code["config_id"])
    assert first["chat_id"] == chats[0] and not first["created"]
    second = sb.act("scan_join_way", config_id=code["config_id"])  # full: WeCom opens 粉丝群7
    assert second["created"]
    events_settled(db)
    st = api.get(f"{url}/{code['id']}/stats").json()
    assert st["joins"] == 2 and st["leaves"] == 0
    assert {g["chat_id"]: g["joins"] for g in st["groups"]} == {
        chats[0]: 1,
        second["chat_id"]: 1,
    }
    assert next(g for g in st["groups"] if g["chat_id"] == second["chat_id"])["name"] == "粉丝群7"
    assert api.get(f"{url}/{code['id']}").json()["chat_ids"] == [chats[0], second["chat_id"]]
    sb.act("group", action="leave", chat_id=chats[0], members=[first["external_userid"]])
    events_settled(db)
    st = api.get(f"{url}/{code['id']}/stats").json()
    assert (st["joins"], st["leaves"], st["net"]) == (2, 1, 1)
    assert api.delete(f"{url}/{code['id']}").status_code == 204
    assert sb.get("/sandbox/join_ways") == []


def sb_chat(sb: Sandbox, chat_id: str) -> list[Any]:
    token = sb.http.get(
        "/cgi-bin/gettoken", params={"corpid": sb.config.corp_id, "corpsecret": sb.config.secret}
    ).json()["access_token"]
    chat = sb.http.post(
        "/cgi-bin/externalcontact/groupchat/get",
        params={"access_token": token},
        json={"chat_id": chat_id},
    ).json()["group_chat"]
    return list(chat["member_list"])


async def test_other_corps_see_nothing(
    live: CorpHandle, sb: Sandbox, api: httpx.Client, db: Database, siyu: Any
) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    made = api.post(URL, json={"name": "A的码", "userids": [a]}).json()
    key = await other_corp(db, sb)
    with httpx.Client(base_url=siyu.url, headers={"Authorization": f"Bearer {key}"}) as b:
        assert b.get(URL).json()["items"] == []
        assert b.get(f"{URL}/{made['id']}").status_code == 404
        assert b.get(f"{URL}/{made['id']}/qr.png").status_code == 404
        assert b.get("/api/v1/acquisition/stats").json()["rows"] == []
        assert b.get("/api/v1/acquisition/group-codes").json()["items"] == []
        assert b.get("/api/v1/acquisition/collisions").json()["items"] == []
        assert b.get("/api/v1/acquisition/losses").json()["items"] == []


async def other_corp(db: Database, sb: Sandbox) -> str:
    cfg = sb.config
    async with db.unit_of_work() as s:
        corp = await onboard.add_corp(
            s,
            secret_key=get_settings().secret_key.get_secret_value(),
            name="另一家",
            wecom_corp_id="wwothercorp",
            secret=cfg.secret,
            token=cfg.token,
            aes_key=cfg.aes_key,
            api_base=sb.url,
        )
        return await corps.create_api_key(s, corp, name="other")
