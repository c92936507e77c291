"""Every `limit` (and every other integer) a client passes in a query is bounded (issue 14
point 14): ``limit=-1`` is no "unlimited" on SQLite, a huge one no full scan; both are a 422
before any work."""

from __future__ import annotations

from typing import Any

import httpx

from siyu.api.app import create_app
from siyu.core.settings import get_settings


def _query_ints() -> list[tuple[str, str, dict[str, Any]]]:
    spec = create_app(get_settings(), workers=0).openapi()
    found = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                if p["in"] != "query":
                    continue
                for s in p["schema"].get("anyOf", [p["schema"]]):
                    if s.get("type") == "integer":
                        found.append((f"{method.upper()} {path}", p["name"], s))
    return found


def test_every_integer_query_parameter_has_a_range() -> None:
    found = _query_ints()
    assert sum(name == "limit" for _, name, _ in found) >= 15
    unbounded = [(op, n) for op, n, s in found if "minimum" not in s or "maximum" not in s]
    assert unbounded == []
    limits = [(op, s["minimum"], s["maximum"]) for op, n, s in found if n == "limit"]
    assert [x for x in limits if x[1] < 1 or x[2] > 1000] == []


def test_negative_and_huge_limits_are_422(api: httpx.Client) -> None:
    lists = sorted(
        op.split(" ", 1)[1]
        for op, name, _ in _query_ints()
        if name == "limit" and op.startswith("GET ") and "{" not in op
    )
    assert len(lists) >= 10
    for path in lists:
        for bad in (-1, 0, 10**9):
            r = api.get(path, params={"limit": bad})
            assert r.status_code == 422, (path, bad, r.text)
