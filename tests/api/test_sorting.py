"""Server-side sorting of list endpoints: a sorted list keeps its order across every page
(the cursor carries the sort value and the id), in both directions; a bad key is a 422."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import CorpHandle, Sandbox


def _walk(api: httpx.Client, url: str, sort: str, limit: int = 2) -> list[dict[str, Any]]:
    """Every item, page by page."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(500):
        r = api.get(url, params={"sort": sort, "limit": limit, "cursor": cursor})
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("too many pages")


def _key(item: dict[str, Any], field: str) -> Any:
    return item[field]


@pytest.mark.parametrize(
    ("url", "field", "ident"),
    [
        ("/api/v1/employees", "userid", "userid"),
        ("/api/v1/employees", "name", "userid"),
        ("/api/v1/groups", "member_count", "chat_id"),
        ("/api/v1/groups", "name", "chat_id"),
        ("/api/v1/acquisition/channels", "name", "id"),
        ("/api/v1/acquisition/channels", "created_at", "id"),
        ("/api/v1/broadcasts", "name", "id"),
        ("/api/v1/broadcasts", "created_at", "id"),
    ],
)
def test_sorted_across_pages(
    live: CorpHandle, sb: Sandbox, api: httpx.Client, url: str, field: str, ident: str
) -> None:
    if "channels" in url:
        a = sb.get("/sandbox/employees")[0]["userid"]
        for name in ["丙门店", "甲海报", "乙广告", "丁展会", "戊地推"]:
            assert api.post(url, json={"name": name, "userids": [a]}).status_code == 201
    if "broadcasts" in url:
        later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        for name in ["丙活动", "甲活动", "乙活动", "丁活动", "戊活动"]:
            body = {"name": name, "text": "周末福利", "scheduled_at": later}
            assert api.post(url, json=body).status_code == 201
    whole = api.get(url, params={"sort": field, "limit": 200}).json()["items"]
    assert len(whole) >= 3  # more than one page of two
    asc = _walk(api, url, field)
    desc = _walk(api, url, f"-{field}")
    # the pages join up to the one-page order: nothing repeated or skipped at a page edge
    assert [i[ident] for i in asc] == [i[ident] for i in whole]
    assert len({i[ident] for i in desc}) == len(whole)
    values = [_key(i, field) for i in asc]
    if field in {"userid", "member_count", "created_at"}:
        assert values == sorted(values)  # byte order equals every collation for these
    # names follow the database's collation; descending is ascending reversed either way
    assert [_key(i, field) for i in desc] == values[::-1]
    assert len(set(values)) > 1  # the order is not trivial
    r = api.get(url, params={"sort": "nope"})
    assert r.status_code == 422 and "cannot sort by 'nope'" in r.text
