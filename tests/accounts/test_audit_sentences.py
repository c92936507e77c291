"""The audit log reads as sentences with the object's name, and what an API key does is
credited to the key's name, not its prefix (issue 13 §3)."""

from __future__ import annotations

import httpx

from tests.conftest import Siyu


async def test_audit_entries_read_as_sentences_with_names(
    siyu: Siyu, as_role: dict[str, httpx.Client]
) -> None:
    admin = as_role["admin"]
    key = admin.post("/api/v1/settings/api-keys", json={"name": "CRM 同步"}).json()
    with httpx.Client(
        base_url=siyu.url, headers={"Authorization": f"Bearer {key['key']}"}
    ) as integrator:
        made = integrator.post(
            "/api/v1/segments",
            json={"name": "高意向会员", "rule": {"type": "add_way", "values": [1]}},
        )
        assert made.status_code == 201, made.text
        seg = made.json()
        r = integrator.patch(f"/api/v1/segments/{seg['id']}", json={"name": "高意向老会员"})
        assert r.status_code == 200, r.text
    stage = admin.post("/api/v1/customer-stages", json={"name": "试用客户", "kind": "open"})
    assert stage.status_code == 201, stage.text
    r = admin.patch(f"/api/v1/customer-stages/{stage.json()['id']}", json={"name": "试用中"})
    assert r.status_code == 200, r.text

    log = admin.get("/api/v1/settings/audit", params={"limit": 50}).json()["items"]
    by_key = [e for e in log if e["actor_kind"] == "api_key"]
    assert by_key and all(e["actor"] == "CRM 同步" for e in by_key)
    edited = next(e for e in log if e["action"] == "PATCH /api/v1/segments/{segment_id}")
    assert edited["summary"] == "修改客户分群「高意向老会员」"
    assert edited["summary_en"] == "edited segment “高意向老会员”"
    assert edited["link"] == "/segments"
    staged = next(e for e in log if e["action"] == "PATCH /api/v1/customer-stages/{stage_id}")
    assert staged["summary"] == "修改客户阶段「试用中」"
    created = next(e for e in log if e["action"] == "settings.api_key.create")
    assert created["summary"] == "新建API 密钥「CRM 同步」"
    for e in log:  # every entry is words: no route, no {param}
        assert e["summary"] and "/api/" not in e["summary"] and "{" not in e["summary"], e
    # the filter takes the words an operator reads
    found = admin.get("/api/v1/settings/audit", params={"action": "客户分群"}).json()["items"]
    assert found and {e["summary"] for e in found} <= {
        "新建客户分群",
        "修改客户分群「高意向老会员」",
    }
    assert "修改客户分群「高意向老会员」" in {e["summary"] for e in found}


def test_every_write_route_has_words() -> None:
    """A new write route gets its sentence in ``audit_text.ROUTES``, else its audit entries
    would read "其他操作"."""
    from siyu.accounts.audit_text import ROUTES
    from siyu.api.openapi import document

    writes = {
        (method.upper(), path)
        for path, ops in document()["paths"].items()
        for method in ops
        if method.upper() in {"POST", "PUT", "PATCH", "DELETE"} and path.startswith("/api/v1/")
    }
    assert writes - set(ROUTES) == set()
