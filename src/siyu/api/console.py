"""Serve the built console at ``/`` (deep links fall back to index.html), or a placeholder."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

PLACEHOLDER = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>Siyu 私域</title><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:720px;margin:60px auto;
padding:0 20px;color:#1f1f1f}a{color:#1677ff}code{background:#f5f5f5;padding:2px 6px}</style></head>
<body><h1>Siyu 私域</h1><p>控制台尚未构建。The console has not been built yet.</p>
<ul><li><a href="/api/docs">REST API (OpenAPI)</a> —
使用 <code>Authorization: Bearer &lt;API key&gt;</code></li>
<li><a href="/healthz">/healthz</a></li></ul></body></html>"""


def mount(app: FastAPI, console_dir: Path) -> None:
    """Register the console routes last, after every API route."""
    dist = console_dir.resolve()
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    async def console(path: str) -> FileResponse | HTMLResponse:
        if path.startswith(("api/", "wecom/")):
            raise HTTPException(404, "not found")
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist):
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index)
        return HTMLResponse(PLACEHOLDER)
