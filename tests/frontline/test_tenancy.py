"""Tenancy: another corp sees none of a corp's tasks, rows or leaderboards."""

from __future__ import annotations

import httpx

from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, Siyu, full_sync
from tests.frontline.conftest import task_body


async def test_other_corps_cannot_see_tasks(
    db: Database, sb: Sandbox, corp: CorpHandle, siyu: Siyu, api: httpx.Client
) -> None:
    await full_sync(db, corp)
    userids = [e["userid"] for e in sb.get("/sandbox/employees")[:2]]
    body = task_body("本企业任务", userids, kind="todo", text="回访老客户")
    task = api.post("/api/v1/tasks", json=body).json()
    assert api.post(f"/api/v1/tasks/{task['id']}/start").status_code == 200
    async with db.unit_of_work() as s:
        other = Corp(
            wecom_corp_id="ww-other", name="别家", secret_enc="-", token_enc="-", aes_key_enc="-"
        )
        s.add(other)
        await s.flush()
        key = await corps.create_api_key(s, other, name="other")
    with httpx.Client(base_url=siyu.url, headers={"Authorization": f"Bearer {key}"}) as them:
        assert them.get("/api/v1/tasks").json()["items"] == []
        for path in ("", "/employees", "/leaderboard"):
            assert them.get(f"/api/v1/tasks/{task['id']}{path}").status_code == 404
        assert them.post(f"/api/v1/tasks/{task['id']}/sync").status_code == 404
        assert them.get("/api/v1/tasks/leaderboard").json() == []
        # their employees are not ours: our userids are unknown to them
        assert them.post("/api/v1/tasks", json=body).status_code == 422
    assert len(api.get("/api/v1/tasks/leaderboard").json()) == 2
