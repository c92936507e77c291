"""How a stored file goes back out: its detected type, ``nosniff``, a ``sandbox`` CSP, and
``attachment`` unless the type is one a browser may display (:data:`filetypes.INLINE`).

Even a file stored before types were detected from the bytes (an SVG the client called
``image/svg+xml``) is then a download that cannot run script on Siyu's origin."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

from siyu.content.models import ContentFile
from siyu.core.filetypes import ALLOWED_TYPES, inline

#: headers of every stored file served (console and public radar routes)
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
}


def file_response(f: ContentFile) -> Response:
    disposition = "inline" if inline(f.content_type) else "attachment"
    return Response(
        f.content,
        media_type=f.content_type if inline(f.content_type) else _download_type(f.content_type),
        headers={
            **MEDIA_HEADERS,
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(f.filename)}",
            "Cache-Control": "private, max-age=300",
        },
    )


def _download_type(content_type: str) -> str:
    """A download keeps an allowlisted type; anything else (rows stored before detection)
    goes out as opaque bytes."""
    return content_type if content_type in ALLOWED_TYPES else "application/octet-stream"
