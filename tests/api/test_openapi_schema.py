"""The console's API types are generated from the app's OpenAPI document and committed; these
fail when an endpoint or schema changed without regenerating them (run ``make api-types``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from siyu.api import openapi
from tests.conftest import need

CONSOLE = Path(__file__).resolve().parents[2] / "console"
STALE = (
    "stale: run `make api-types` and commit console/openapi.json and console/src/api/schema.d.ts"
)


def test_committed_openapi_matches_the_app() -> None:
    committed = (CONSOLE / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi.dumps(openapi.for_console(openapi.document())), STALE


def test_committed_types_match_the_openapi(tmp_path: Path) -> None:
    tool = CONSOLE / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists() or shutil.which("node") is None:
        need("openapi-typescript is not installed (cd console && npm ci)")
    out = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(tool), str(CONSOLE / "openapi.json"), "-o", str(out)],
        check=True,
        capture_output=True,
        cwd=CONSOLE,
        timeout=120,
    )
    assert out.read_text(encoding="utf-8") == (CONSOLE / "src/api/schema.d.ts").read_text(
        encoding="utf-8"
    ), STALE


def test_responses_list_every_field_as_required() -> None:
    doc = openapi.for_console(openapi.document())
    schemas = doc["components"]["schemas"]
    out = schemas["CustomerOut"]
    assert set(out["required"]) == set(out["properties"])  # e.g. remarks has a default
    body = schemas["GroupCodeIn"]  # a request body keeps its optional fields optional
    assert "auto_create_room" not in body.get("required", [])
