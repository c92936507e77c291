"""The scheduled job keeps contact ways in line: accept window, expiry; stats export."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook

from siyu.acquisition.tasks import reconcile_corp_now
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, events_settled

URL = "/api/v1/acquisition/channels"
SH = ZoneInfo("Asia/Shanghai")


def way(sb: Sandbox, config_id: str) -> dict[str, Any] | None:
    return next((w for w in sb.get("/sandbox/contact_ways") if w["config_id"] == config_id), None)


def hhmm(dt: datetime) -> str:
    return dt.strftime("%H:%M")


def test_accept_window_switches_verification(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    now = datetime.now(UTC).astimezone(SH)
    later = {"start": hhmm(now + timedelta(hours=2)), "end": hhmm(now + timedelta(hours=3))}
    code = api.post(URL, json={"name": "白天自动通过", "userids": [a], "accept_window": later})
    assert code.status_code == 201, code.text
    c = code.json()
    w = way(sb, c["config_id"])
    assert w is not None and w["skip_verify"] is False  # outside the window: requests wait
    assert sb.act("scan", config_id=c["config_id"])["change_type"] == "add_half_external_contact"
    covering = {"start": hhmm(now - timedelta(hours=1)), "end": hhmm(now + timedelta(hours=1))}
    r = api.patch(f"{URL}/{c['id']}", json={"accept_window": covering})
    assert r.status_code == 200 and r.json()["applied_skip_verify"] is True
    w = way(sb, c["config_id"])
    assert w is not None and w["skip_verify"] is True
    assert sb.act("scan", config_id=c["config_id"])["change_type"] == "add_external_contact"
    events_settled(db)
    st = api.get("/api/v1/acquisition/stats", params={"by": "employee"}).json()
    assert st["rows"][0]["key"] == a and st["rows"][0]["adds"] == 2  # add_half counts too
    x = api.get("/api/v1/acquisition/stats/export")
    rows = list(load_workbook(io.BytesIO(x.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("渠道", "员工", "员工ID", "日期 (Asia/Shanghai)", "新增")
    assert [(r[0], r[2], r[4]) for r in rows[1:]] == [("白天自动通过", a, 2)]


def test_periodic_job_removes_expired_codes(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    c = api.post(URL, json={"name": "限时活动", "userids": [a], "expires_at": soon}).json()
    keep = api.post(URL, json={"name": "常驻", "userids": [a]}).json()
    time.sleep(1.2)
    changed = asyncio.run(reconcile_corp_now(db, live.id))
    assert changed == 1
    assert way(sb, c["config_id"]) is None and way(sb, keep["config_id"]) is not None
    assert api.get(f"{URL}/{c['id']}").status_code == 404
    assert asyncio.run(reconcile_corp_now(db, live.id)) == 0  # nothing left to change
