"""The OpenAPI document the console is typed from: ``python -m siyu.api.openapi > FILE``.

The console's TypeScript types (``console/src/api/schema.d.ts``) are generated from that file
by openapi-typescript (``make api-types`` does both steps); a test fails when either is stale.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def document() -> dict[str, Any]:
    """The OpenAPI document of the app (building it opens no database)."""
    from siyu.api.app import create_app

    return create_app(workers=0).openapi()


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            out.add(ref.rsplit("/", 1)[1])
        for v in node.values():
            _refs(v, out)
    elif isinstance(node, list):
        for v in node:
            _refs(v, out)


def _closure(names: set[str], schemas: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        n = todo.pop()
        if n in seen or n not in schemas:
            continue
        seen.add(n)
        more: set[str] = set()
        _refs(schemas[n], more)
        todo.extend(more - seen)
    return seen


def for_console(doc: dict[str, Any]) -> dict[str, Any]:
    """The document the console's types are generated from: in schemas only responses use,
    every property is required, since the API serializes every field (pydantic marks fields
    with defaults optional, which would make the console check for fields that are always
    there)."""
    doc = json.loads(json.dumps(doc))
    schemas: dict[str, Any] = doc.get("components", {}).get("schemas", {})
    inputs: set[str] = set()
    for item in doc.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict):
                _refs({k: v for k, v in op.items() if k != "responses"}, inputs)
    inputs = _closure(inputs, schemas)
    for name, schema in schemas.items():
        props = schema.get("properties")
        if name not in inputs and isinstance(props, dict):
            schema["required"] = sorted(props)
    return doc


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    sys.stdout.write(dumps(for_console(document())))


if __name__ == "__main__":
    main()
