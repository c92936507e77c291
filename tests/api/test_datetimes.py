"""Every time the API returns is ISO-8601 with its offset (an integrator never has to guess UTC)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from siyu.cli.demo_seed import seed
from tests.conftest import CorpHandle, Sandbox, wait_for

# a date and a time of day, as pydantic writes a datetime (a bare date has no zone to carry)
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


def _stamps(value: Any, where: str) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _stamps(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _stamps(v, f"{where}[{i}]")]
    if isinstance(value, str) and STAMP.match(value):
        return [(where, value)]
    return []


def test_every_listed_time_carries_its_offset(
    live: CorpHandle, api: httpx.Client, sb: Sandbox
) -> None:
    seed(api, sandbox_url=sb.url)
    spec = api.get("/api/openapi.json").json()
    # every GET without path parameters, then the details of what the lists returned
    paths = [
        p
        for p, ops in spec["paths"].items()
        if "get" in ops and p.startswith("/api/v1/") and "{" not in p and "export" not in p
    ]
    customer = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    broadcast = api.get("/api/v1/broadcasts").json()["items"][0]
    wait_for(lambda: api.get("/api/v1/sync/runs").json(), what="a sync run")
    run = api.get("/api/v1/sync/runs").json()[0]
    item = api.get("/api/v1/content", params={"limit": 1}).json()["items"][0]
    task = api.get("/api/v1/tasks").json()["items"][0]
    paths += [
        f"/api/v1/customers/{customer['id']}",
        f"/api/v1/broadcasts/{broadcast['id']}",
        f"/api/v1/broadcasts/{broadcast['id']}/recipients",
        f"/api/v1/sync/runs/{run['id']}",
        f"/api/v1/content/{item['id']}",
        f"/api/v1/tasks/{task['id']}",
    ]
    seen: list[tuple[str, str]] = []
    for path in paths:
        r = api.get(path)
        if r.status_code != 200 or "json" not in r.headers.get("content-type", ""):
            continue
        seen += _stamps(r.json(), path)
    assert len({w.split(".")[0].split("[")[0] for w, _ in seen}) >= 10, seen
    naive = [(w, v) for w, v in seen if not OFFSET.search(v)]
    assert not naive, naive[:20]


def test_a_time_without_its_zone_is_refused_not_guessed(
    live: CorpHandle, api: httpx.Client
) -> None:
    """A bare 2026-05-01T20:00:00 could be Shanghai or UTC: a 422 that says so (was a 500)."""
    filters = {
        "/api/v1/settings/audit": ("since", "until"),
        "/api/v1/tasks/leaderboard": ("since", "until"),
        "/api/v1/tasks/leaderboard/export": ("since", "until"),
        "/api/v1/acquisition/losses": ("since",),
        "/api/v1/customers": ("added_from", "added_to"),
        "/api/v1/customers/count": ("added_from", "added_to"),
    }
    for path, names in filters.items():
        for name in names:
            r = api.get(path, params={name: "2026-05-01T20:00:00"})
            assert r.status_code == 422 and "zone" in r.text, (path, name, r.text)
            for zoned in ("2026-05-01T20:00:00+08:00", "2026-05-01T12:00:00Z"):
                assert api.get(path, params={name: zoned}).status_code == 200, (path, name)
