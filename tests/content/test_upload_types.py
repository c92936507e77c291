"""Uploads are typed by their bytes (issue 14, point 2): a script disguised as an image is
refused, a real image is stored under its detected type, and every stored file goes out with
``nosniff``, a ``sandbox`` CSP and (unless displayable) as an attachment."""

from __future__ import annotations

import asyncio
import io
import zipfile
from typing import Any

import httpx
import pytest
from PIL import Image

from siyu.content.models import ContentFile
from siyu.core import filetypes
from siyu.core.errors import InvalidInput
from siyu.db.session import Database
from tests.conftest import CorpHandle

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _image(fmt: str = "PNG", size: tuple[int, int] = (32, 32)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (7, 193, 96)).save(buf, fmt)
    return buf.getvalue()


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _upload(api: httpx.Client, kind: str, name: str, data: bytes, ctype: str) -> Any:
    return api.post(
        "/api/v1/content/upload", data={"kind": kind}, files={"file": (name, data, ctype)}
    )


def test_detection_from_the_bytes() -> None:
    assert filetypes.detect(_image("PNG")) == "image/png"
    assert filetypes.detect(_image("JPEG")) == "image/jpeg"
    assert filetypes.detect(_image("GIF")) == "image/gif"
    assert filetypes.detect(_image("WEBP")) == "image/webp"
    assert filetypes.detect(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj") == "application/pdf"
    assert filetypes.detect(_docx(), filename="合同.docx").endswith("wordprocessingml.document")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert filetypes.detect(ole, filename="报价.xls") == "application/vnd.ms-excel"
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("a.txt", "x")
    for bad in (SVG, HTML, b"just some text", plain_zip.getvalue(), ole):
        with pytest.raises(InvalidInput):
            filetypes.detect(bad, filename="x.bin")
    with pytest.raises(InvalidInput, match="broken"):
        filetypes.detect(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)  # a PNG signature, no image
    with pytest.raises(InvalidInput, match="10,000"):
        filetypes.detect(_image("PNG", (10_001, 1)))


def test_a_disguised_script_is_refused_and_a_png_is_served_inline(
    api: httpx.Client, corp: CorpHandle
) -> None:
    for kind, name, data in (
        ("image", "x.png", SVG),
        ("image", "x.png", HTML),
        ("file", "x.svg", SVG),
        ("file", "x.html", HTML),
    ):
        r = _upload(api, kind, name, data, "image/png")
        assert r.status_code == 422, r.text
        r = api.post("/api/v1/content/files", files={"file": (name, data, "image/png")})
        assert r.status_code == 422, r.text
    assert api.get("/api/v1/content").json()["items"] == []  # nothing stored

    # the client calls a JPEG a PNG and a PNG a GIF: Siyu stores what the bytes are
    jpeg = _upload(api, "image", "海报.png", _image("JPEG"), "image/png").json()
    got = api.get(f"/api/v1/content/{jpeg['id']}/file")
    assert got.headers["content-type"] == "image/jpeg"
    png = _upload(api, "file", "图.gif", _image("PNG"), "image/svg+xml").json()
    r = api.get(f"/api/v1/content/{png['id']}/file")
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == "sandbox"

    # a document is a download, never displayed on Siyu's origin
    doc = _upload(api, "file", "合同.docx", _docx(), "text/html").json()
    r = api.get(f"/api/v1/content/{doc['id']}/file")
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["content-type"].endswith("wordprocessingml.document")
    assert r.headers["x-content-type-options"] == "nosniff"

    # an image too large to decode safely is a clear 4xx
    huge = _upload(api, "image", "big.png", _image("PNG", (12_000, 10)), "image/png")
    assert huge.status_code == 422 and "10,000" in huge.json()["detail"]


def test_a_file_stored_before_detection_is_an_attachment(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    """An SVG a client stored as image/svg+xml before this fix goes out as a download."""
    cover = _upload(api, "file", "a.png", _image("PNG"), "image/png").json()

    async def poison() -> None:
        async with db.sessions() as s:
            f = await s.get(ContentFile, cover["file_id"])
            assert f is not None
            f.content, f.content_type = SVG, "image/svg+xml"
            await s.commit()

    asyncio.run(poison())
    r = api.get(f"/api/v1/content/{cover['id']}/file")
    assert r.content == SVG
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-security-policy"] == "sandbox"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_acquisition_assets_are_typed_by_their_bytes(api: httpx.Client, corp: CorpHandle) -> None:
    """Welcome attachments and poster backgrounds use the same allowlist."""
    bad = api.post("/api/v1/acquisition/assets", files={"file": ("x.png", SVG, "image/png")})
    assert bad.status_code == 422, bad.text
    ok = api.post(
        "/api/v1/acquisition/assets", files={"file": ("礼品.png", _image("JPEG"), "text/html")}
    )
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/jpeg", ok.text
