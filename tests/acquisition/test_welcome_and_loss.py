"""Welcome messages (once per code, media re-upload, variants, failures recorded), loss alerts,
owner reassignment, and the statistics' loss windows."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from PIL import Image
from sqlalchemy import select

from siyu.acquisition import attribution, channels, rotation, stats, welcome
from siyu.acquisition.models import ChannelCode, WelcomeSend
from siyu.acquisition.schemas import ChannelCodeIn
from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.customers.models import Customer
from siyu.db.session import Database
from siyu.events.models import InboundEvent
from siyu.wecom.crypto import CallbackCrypto
from tests.conftest import CorpHandle, Sandbox, events_settled, wait_for

URL = "/api/v1/acquisition/channels"
SH = ZoneInfo("Asia/Shanghai")


def q(db: Database, stmt: Any) -> list[Any]:
    async def go() -> list[Any]:
        async with db.unit_of_work() as s:
            return list((await s.execute(stmt)).all())

    return asyncio.run(go())


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_welcome_with_image_once_and_reuploaded_when_expired(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    asset = api.post(
        "/api/v1/acquisition/assets", files={"file": ("gift.png", png(), "image/png")}
    ).json()
    code = api.post(
        URL,
        json={
            "name": "图片欢迎",
            "userids": [a],
            "welcome": {"text": "", "attachments": [{"type": "image", "asset_id": asset["id"]}]},
        },
    ).json()
    first = sb.act("scan", config_id=code["config_id"])
    events_settled(db)
    sent = sb.get("/sandbox/welcome_messages")
    assert len(sent) == 1 and sent[0]["welcome_code"] == first["welcome_code"]
    media_id = sent[0]["attachments"][0]["image"]["media_id"]
    assert [m["media_id"] for m in sb.get("/sandbox/media")] == [media_id]

    # WeCom redelivers the same callback: nothing is sent again.
    ev_count = len(q(db, select(InboundEvent.id)))
    cb = next(c for c in sb.get("/sandbox/callbacks") if c["change_type"] == "add_external_contact")
    cfg = sb.config
    body, params = CallbackCrypto(cfg.token, cfg.aes_key, cfg.corp_id).encrypt_envelope(cb["xml"])
    r = httpx.post(cb["url"], content=body.encode(), params=params)
    assert r.status_code == 200
    events_settled(db)
    assert len(q(db, select(InboundEvent.id))) == ev_count
    assert len(sb.get("/sandbox/welcome_messages")) == 1

    # Three days later the media id is dead in WeCom: Siyu uploads the image again.
    sb.http.post("/sandbox/clock", json={"seconds": 3 * 86400 + 60})
    second = sb.act("scan", config_id=code["config_id"])
    events_settled(db)
    sent = sb.get("/sandbox/welcome_messages")
    assert [m["welcome_code"] for m in sent] == [first["welcome_code"], second["welcome_code"]]
    assert sent[1]["attachments"][0]["image"]["media_id"] != media_id
    assert len(sb.get("/sandbox/media")) == 2
    statuses = [w["status"] for w in api.get(f"{URL}/{code['id']}/welcome_sends").json()]
    assert statuses == ["sent", "sent"]


async def test_expired_welcome_code_is_recorded_as_failed(
    db: Database, sb: Sandbox, corp: CorpHandle
) -> None:
    from siyu.sync import service as sync

    a = sb.get("/sandbox/employees")[0]["userid"]
    secret = get_settings().secret_key.get_secret_value()
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        run = await sync.start_or_resume(s, c, trigger="test")
    async with corps.wecom_client(c, secret_key=secret) as client:
        await sync.run_full_sync(db, corp.id, run.id, client)
        async with db.unit_of_work() as s:
            code = await channels.create(
                s,
                corp.id,
                client,
                ChannelCodeIn(name="慢", userids=[a], welcome={"text": "你好"}),  # type: ignore[arg-type]
            )
        added = sb.act("scan", config_id=code.config_id)  # no callback URL: nobody reacts
        sb.http.post("/sandbox/clock", json={"seconds": 25})
        async with db.unit_of_work() as s:
            code = await channels.get(s, corp.id, code.id)
            row = await welcome.send(
                s,
                corp.id,
                client,
                code,
                welcome_code=added["welcome_code"],
                external_userid=added["external_userid"],
                userid=a,
                nickname="王五",
                employee="张三",
                tz=SH,
            )
            assert row is not None and row.status == "failed" and "expired" in row.error
            again = await welcome.send(
                s,
                corp.id,
                client,
                code,
                welcome_code=added["welcome_code"],
                external_userid=added["external_userid"],
                userid=a,
                nickname="王五",
                employee="张三",
                tz=SH,
            )
            assert again is row  # one durable row per welcome code
    assert sb.get("/sandbox/welcome_messages") == []
    async with db.unit_of_work() as s:
        rows = (await s.scalars(select(WelcomeSend))).all()
        assert len(rows) == 1


def test_welcome_variant_by_time_of_day() -> None:
    code = ChannelCode(
        name="夜间",
        welcome={"text": "白天好"},
        welcome_variants=[{"start": "22:00", "end": "08:00", "text": "夜深了，明早回复您"}],
    )
    night = datetime(2026, 3, 2, 23, 30, tzinfo=SH)
    day = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    assert (welcome.choose(code, night) or {})["text"] == "夜深了，明早回复您"
    assert (welcome.choose(code, day) or {})["text"] == "白天好"
    assert welcome.fill("{channel}-{nickname}-{x}", channel="抖音", nickname="李雷") == (
        "抖音-李雷-{x}"
    )


def test_schedules_and_accept_window() -> None:
    mon_10 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a Monday
    assert rotation.in_window("09:00", "18:00", mon_10)
    assert not rotation.in_window("18:00", "09:00", mon_10)
    assert rotation.in_window("00:00", "24:00", mon_10)
    code = ChannelCode(
        userids=["a", "b", "c"],
        staff=[
            {"userid": "a", "days": [6, 7]},
            {"userid": "b", "start": "13:00", "end": "18:00"},
            {"userid": "c", "daily_cap": 2},
        ],
        backups=["z"],
        accept_window={"start": "09:00", "end": "12:00"},
        skip_verify=True,
    )
    on, off = rotation._duty(code, mon_10, {"c": 1})
    assert on == ["c"] and off == {"a": "not a working day", "b": "outside working hours"}
    on, off = rotation._duty(code, mon_10, {"c": 2})
    assert on == [] and off["c"] == "daily cap of 2 reached"
    assert rotation.desired_skip_verify(code, now=mon_10, tz=SH)
    assert not rotation.desired_skip_verify(code, now=mon_10 + timedelta(hours=3), tz=SH)


def test_loss_alert_owner_reassignment_and_loss_windows(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    a, b = (e["userid"] for e in sb.get("/sandbox/employees")[:2])
    code = api.post(URL, json={"name": "直播间", "userids": [a]}).json()
    ext = sb.act("scan", config_id=code["config_id"], name="韩梅梅")["external_userid"]
    other = api.post(URL, json={"name": "门店", "userids": [b]}).json()
    sb.act("scan", config_id=other["config_id"], external_userid=ext)
    events_settled(db)
    cid = int(q(db, select(Customer.id).where(Customer.external_userid == ext))[0][0])
    # Collision lock is off by default: no collision, a stays owner.
    assert api.get("/api/v1/acquisition/collisions").json()["items"] == []
    assert api.get(f"/api/v1/acquisition/owners/{cid}").json()["userid"] == a
    # The operator moves the customer to b; the history keeps both steps.
    r = api.put(f"/api/v1/acquisition/owners/{cid}", json={"userid": b, "reason": "门店跟进"})
    assert r.status_code == 200, r.text
    hist = r.json()["history"]
    assert [(h["from_userid"], h["to_userid"]) for h in hist] == [("", a), (a, b)]
    names = {e["userid"]: e["name"] for e in sb.get("/sandbox/employees")}
    assert [(h["from_name"], h["to_name"]) for h in hist] == [("", names[a]), (names[a], names[b])]
    assert hist[-1]["changed_by"] != "api"  # who did it: the key's name, not a placeholder
    assert r.json()["name"] == names[b] and r.json()["customer_name"] == "韩梅梅"
    assert {c["userid"] for c in r.json()["candidates"]} == {a, b}
    assert api.put(f"/api/v1/acquisition/owners/{cid}", json={"userid": "ghost"}).status_code == 422

    # The customer deletes a: a is alerted, the loss is recorded with its channel.
    sb.act("customer_delete", userid=a, external_userid=ext)
    # b deletes the customer: an operator-visible record, no alert.
    sb.act("employee_delete", userid=b, external_userid=ext)
    events_settled(db)
    losses = api.get("/api/v1/acquisition/losses").json()["items"]
    assert sorted((x["userid"], x["by"], x["channel_id"], x["alerted"]) for x in losses) == sorted(
        [(a, "customer", code["id"], True), (b, "employee", other["id"], False)]
    )
    assert {x["customer_name"] for x in losses} == {"韩梅梅"}
    assert {(x["employee_name"], x["channel_name"]) for x in losses} == {
        (names[a], "直播间"),
        (names[b], "门店"),
    }
    # filters: direction, employee, channel, the corp's calendar days, keyword; counts; pages
    by_customer = api.get("/api/v1/acquisition/losses", params={"by": "customer"}).json()
    assert [x["userid"] for x in by_customer["items"]] == [a]
    assert api.get("/api/v1/acquisition/losses/counts").json() == {"customer": 1, "employee": 1}
    assert len(api.get("/api/v1/acquisition/losses", params={"userid": b}).json()["items"]) == 1
    one = api.get("/api/v1/acquisition/losses", params={"channel_id": code["id"]}).json()
    assert [x["by"] for x in one["items"]] == ["customer"]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    dated = {"start": str(today), "end": str(today)}
    assert len(api.get("/api/v1/acquisition/losses", params=dated).json()["items"]) == 2
    before = {"end": str(today - timedelta(days=1))}
    assert api.get("/api/v1/acquisition/losses", params=before).json()["items"] == []
    assert api.get("/api/v1/acquisition/losses", params={"keyword": "梅梅"}).json()["items"]
    assert api.get("/api/v1/acquisition/losses", params={"keyword": "李"}).json()["items"] == []
    first = api.get("/api/v1/acquisition/losses", params={"limit": 1}).json()
    second = api.get(
        "/api/v1/acquisition/losses", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert second["next_cursor"] is None
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {x["id"] for x in losses}
    assert api.get("/api/v1/acquisition/losses", params={"by": "nobody"}).status_code == 422
    bad = api.get("/api/v1/acquisition/losses", params={"start": "2026-05-02", "end": "2026-05-01"})
    assert bad.status_code == 422
    # the export: names, the direction in words, times on the corp's clock (header says so)
    csv = api.get("/api/v1/acquisition/losses/export", params={"format": "csv"})
    assert csv.status_code == 200
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert "流失时间 (Asia/Shanghai)" in lines[0] and len(lines) == 3
    assert "客户删除员工" in csv.text and "员工删除客户" in csv.text and names[a] in csv.text
    assert "+08:00" in lines[1]
    xlsx = api.get("/api/v1/acquisition/losses/export", params={"by": "employee"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    msgs = wait_for(lambda: sb.get("/sandbox/app_messages"), what="the loss alert")
    assert [m["touser"] for m in msgs] == [[a]] and "韩梅梅" in msgs[0]["text"]["content"]
    st = api.get("/api/v1/acquisition/stats", params={"by": "channel"}).json()
    assert st["totals"]["adds"] == 2 and st["totals"]["lost"] == 2
    assert st["totals"]["lost_1d"] == 2 and st["totals"]["retained"] == 0
    assert st["totals"]["net"] == 0


async def test_cohort_loss_windows_and_day_boundaries(db: Database, corp: CorpHandle) -> None:
    """Losses count on their day and against their add's day (within 1 / 7 days)."""
    async with db.unit_of_work() as s:
        code = ChannelCode(corp_id=corp.id, name="统计", state="systat", userids=["u1"])
        s.add(code)
        cust = Customer(corp_id=corp.id, external_userid="wmstat", seq=1, name="客")
        s.add(cust)
        await s.flush()
        t0 = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 on Mar 2 in Shanghai
        adds = []
        for _ in range(3):
            adds.append(
                await attribution.record_add(
                    s, corp.id, code, customer_id=cust.id, userid="u1", now=t0, tz=SH
                )
            )
        for add, held in zip(adds, (timedelta(hours=5), timedelta(days=3)), strict=False):
            add_row = add
            await stats.record_loss(s, corp.id, add_row, at=t0 + held, tz=SH)
        out = await stats.stats(s, corp.id, start=date(2026, 3, 1), end=date(2026, 3, 10), by="day")
    by_day = {r.key: r for r in out.rows}
    assert set(by_day) == {"2026-03-02", "2026-03-05"}
    first = by_day["2026-03-02"]
    assert (first.adds, first.lost, first.lost_1d, first.lost_7d, first.retained) == (3, 1, 1, 2, 1)
    assert by_day["2026-03-05"].lost == 1 and by_day["2026-03-05"].adds == 0
    assert (out.totals.adds, out.totals.lost, out.totals.net, out.totals.retained) == (3, 2, 1, 1)
    assert [p.day.isoformat() for p in out.trend][:2] == ["2026-03-01", "2026-03-02"]
    assert len(out.trend) == 10


def test_welcome_with_mini_program_and_file(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    cover = api.post(
        "/api/v1/acquisition/assets", files={"file": ("cover.png", png(), "image/png")}
    ).json()
    pdf = api.post(
        "/api/v1/acquisition/assets",
        files={"file": ("价目表.pdf", b"%PDF-1.4 price list", "application/pdf")},
    ).json()
    atts = [
        {
            "type": "miniprogram",
            "title": "会员中心",
            "appid": "wx123",
            "page": "pages/index",
            "asset_id": cover["id"],
        },
        {"type": "file", "asset_id": pdf["id"]},
        {"type": "image", "pic_url": "https://example.com/a.png"},
    ]
    code = api.post(
        URL, json={"name": "资料", "userids": [a], "welcome": {"text": "", "attachments": atts}}
    ).json()
    sb.act("scan", config_id=code["config_id"])
    events_settled(db)
    (sent,) = sb.get("/sandbox/welcome_messages")
    assert [x["msgtype"] for x in sent["attachments"]] == ["miniprogram", "file", "image"]
    assert sent["attachments"][0]["miniprogram"]["page"] == "pages/index"
    assert sorted(m["type"] for m in sb.get("/sandbox/media")) == ["file", "image"]
