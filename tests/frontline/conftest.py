"""Frontline fixtures: the console users per role (shared with tests/accounts) and helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.accounts.conftest import as_role, team  # noqa: F401  (fixtures)
from tests.conftest import wait_for


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def task_body(name: str, userids: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": "本周会员日活动，请发给你的客户",
        "kind": "customer",
        "text": "会员日全场八折，点击查看详情 👇",
        "userids": userids,
        "deadline": later(days=2),
        **extra,
    }


def synced(api: httpx.Client, task_id: int, done: Any, timeout: float = 60) -> dict[str, Any]:
    """Sync until ``done(detail)``: one queued sync at a time, not one per poll."""

    def check() -> Any:
        assert api.post(f"/api/v1/tasks/{task_id}/sync").status_code == 202
        time.sleep(0.5)
        detail = api.get(f"/api/v1/tasks/{task_id}").json()
        return detail if done(detail) else None

    return dict(wait_for(check, timeout=timeout, what="synced task results"))


def employees(api: httpx.Client, task_id: int, **params: Any) -> dict[str, dict[str, Any]]:
    r = api.get(f"/api/v1/tasks/{task_id}/employees", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return {e["userid"]: e for e in r.json()["items"]}
