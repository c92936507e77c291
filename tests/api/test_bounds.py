"""Bounded inputs: every integer the API accepts has a range in the OpenAPI document, a value
outside it (or a rule nested too deep) is a 422 that says why, and what a database still
refuses is a 422 too, never a 500. The cases of issue 13 (a fuzzer's 500s) are here as they
were reported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from siyu.api import errors
from siyu.api.openapi import _closure, _refs, document
from siyu.core.bounds import ID_MAX
from siyu.core.pagination import encode_cursor
from siyu.db.session import Database


def _integers(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if schema.get("type") == "integer":
        yield where, schema
    for key, sub in schema.get("properties", {}).items():
        yield from _integers(sub, f"{where}.{key}")
    for sub in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _integers(sub, where)
    if isinstance(schema.get("items"), dict):
        yield from _integers(schema["items"], f"{where}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _integers(schema["additionalProperties"], f"{where}{{}}")


def test_every_integer_the_api_accepts_is_bounded_in_the_openapi() -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    found: list[tuple[str, dict[str, Any]]] = []
    bodies: set[str] = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                where = f"{method.upper()} {path} {p['in']} {p['name']}"
                found.extend(_integers(p["schema"], where))
            _refs({k: v for k, v in op.items() if k != "responses"}, bodies)
    for name in sorted(_closure(bodies, schemas)):
        found.extend(_integers(schemas[name], name))
    assert len(found) > 100  # path ids, query ids, limits, body ids and counts
    unbounded = [
        where
        for where, s in found
        if "enum" not in s
        and not (
            ("minimum" in s or "exclusiveMinimum" in s)
            and ("maximum" in s or "exclusiveMaximum" in s)
        )
    ]
    assert not unbounded, unbounded
    too_wide = [w for w, s in found if s.get("maximum", 0) > ID_MAX]
    assert not too_wide, too_wide
    ids = [s for w, s in found if w.endswith("_id") or w.endswith("_ids[]")]
    assert ids and all(s.get("minimum", 0) >= 0 for s in ids)


def _refused(r: httpx.Response, why: str) -> None:
    assert r.status_code == 422, (r.request.method, r.request.url, r.status_code, r.text)
    assert why in r.text, r.text


def test_huge_ids_in_paths_are_refused_with_422(api: httpx.Client) -> None:
    too_big = "Input should be less than or equal to 9007199254740991"
    _refused(api.delete("/api/v1/sop/templates/-214208605581354467328"), "greater than or equal")
    _refused(api.get("/api/v1/segments/11470812577823413239808"), too_big)
    group_code = {"name": "码", "chat_ids": ["wr1"]}
    _refused(
        api.put("/api/v1/acquisition/group-codes/9223372036854775809", json=group_code), too_big
    )
    _refused(api.post(f"/api/v1/broadcasts/{2**64}/remind"), too_big)
    _refused(api.get(f"/api/v1/segment-snapshots/{2**63}"), too_big)
    _refused(api.get(f"/api/v1/customers/{2**63 - 1}"), too_big)
    # the largest id is in range: not found, as any id that does not exist
    assert api.get(f"/api/v1/segments/{ID_MAX}").status_code == 404
    assert api.delete(f"/api/v1/sop/templates/{ID_MAX}").status_code == 404


def test_huge_ids_in_queries_and_cursors_are_refused_with_422(api: httpx.Client) -> None:
    too_big = "Input should be less than or equal to 9007199254740991"
    _refused(
        api.get("/api/v1/acquisition/stats", params={"channel_id": 18446744073709551616}), too_big
    )
    _refused(api.get("/api/v1/sop/todos", params={"template_id": 2**63}), too_big)
    bad_cursor = "the cursor is not valid"
    _refused(api.get("/api/v1/events", params={"cursor": encode_cursor([2**64])}), bad_cursor)
    _refused(api.get("/api/v1/groups", params={"cursor": encode_cursor([2**70, 1])}), bad_cursor)


def test_stage_ids_beyond_64_bits_in_a_rule_are_refused_with_422(api: httpx.Client) -> None:
    """SQLite's OverflowError was a 500 (the stage term's ids went to the query as they came)."""
    for path in ("/api/v1/segments/preview", "/api/v1/segments/preview/members"):
        rule = {"type": "stage", "stage_ids": [2**64]}
        _refused(api.post(path, json={"rule": rule}), "less than or equal to 9007199254740991")
    body = {"name": "阶段", "rule": {"type": "stage", "stage_ids": [ID_MAX]}}
    assert api.post("/api/v1/segments", json=body).status_code in (201, 422)  # not a 500


def _nested_json(depth: int) -> str:
    """A rule ``depth`` levels deep as JSON text (json.dumps itself gives up near 1,000)."""
    leaf = '{"type": "gender", "values": [1]}'
    return '{"type": "not", "term": ' * (depth - 1) + leaf + "}" * (depth - 1)


# 40 000 levels is about 1 MB of JSON, within the default body limit (a deeper one is a 413:
# tests/api/test_body_limits.py)
@pytest.mark.parametrize("depth", [9, 300, 5_000, 40_000])
def test_a_deep_rule_is_refused_with_422(api: httpx.Client, depth: int) -> None:
    made = api.post(
        "/api/v1/segments", json={"name": "深", "rule": {"type": "gender", "values": [1]}}
    )
    assert made.status_code == 201, made.text
    path = f"/api/v1/segments/{made.json()['id']}"
    headers = {"Content-Type": "application/json"}
    r = api.patch(path, content='{"rule": ' + _nested_json(depth) + "}", headers=headers)
    _refused(r, "nested")
    assert api.get(path).json()["rule"] == {"type": "gender", "values": [1]}  # unchanged
    for create in ("/api/v1/segments", "/api/v1/rule-tags"):
        body = '{"name": "深二", "tag_id": "t", "rule": ' + _nested_json(depth) + "}"
        _refused(api.post(create, content=body, headers=headers), "nested")


@pytest.fixture
def refusing_app(db: Database) -> FastAPI:
    """Routes that hand the database what no schema checked (as an unbounded route would)."""
    app = FastAPI()
    errors.install(app)

    @app.get("/int/{n}")
    async def as_int(n: int) -> dict[str, Any]:
        async with db.unit_of_work() as s:
            return {"n": (await s.execute(text("SELECT CAST(:n AS INTEGER)"), {"n": n})).scalar()}

    @app.get("/deep/{n}")
    async def deep(n: int) -> dict[str, Any]:
        def down(k: int) -> int:
            return k if k == 0 else down(k - 1)

        return {"n": down(n)}

    return app


async def test_what_the_database_refuses_is_a_422_not_a_500(refusing_app: FastAPI) -> None:
    """SQLite raises OverflowError for an int beyond 64 bits, PostgreSQL NumericValueOutOfRange
    (a DataError); a RecursionError is an input too deep."""
    transport = httpx.ASGITransport(app=refusing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://siyu") as client:
        assert (await client.get("/int/7")).json() == {"n": 7}
        r = await client.get(f"/int/{2**64}")
        assert r.status_code == 422, r.text
        assert "out of range" in r.json()["detail"]
        r = await client.get("/deep/100000")
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == "the request is nested too deeply"
