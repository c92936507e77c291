"""Sandbox: ``media/uploadimg`` (permanent image URLs) and the images it serves.

``POST /cgi-bin/media/uploadimg`` (multipart ``media``): JPG or PNG, more than 5 bytes and at
most 2 MB (WeCom's limits: 40005 wrong type, 40006 / 40009 wrong size); the reply's ``url``
never expires and serves the bytes (``GET /sandbox/media/img/{id}``). ``GET /sandbox/images``
lists what was uploaded. Temporary media (``media/upload``, 3 days) live in ``contact_way``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from siyu.wecom.sandbox.world import ApiError, World

if TYPE_CHECKING:
    from siyu.wecom.sandbox.server import Sandbox

router = APIRouter(include_in_schema=False)
UPLOADIMG_MAX = 2 * 1024 * 1024
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


@dataclass
class Image:
    id: str
    filename: str
    content_type: str
    content: bytes
    created: float


_images: weakref.WeakKeyDictionary[World, dict[str, Image]] = weakref.WeakKeyDictionary()


def upload_image(world: World, filename: str, content: bytes) -> Image:
    """WeCom's checks, then the stored image (world lock held by the caller)."""
    ext = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in IMAGE_TYPES:
        raise ApiError(40005, "invalid file type: uploadimg takes JPG or PNG")
    if len(content) <= 5:
        raise ApiError(40006, "invalid file size")
    if len(content) > UPLOADIMG_MAX:
        raise ApiError(40009, "invalid image size: at most 2 MB")
    image = Image(world.new_id("img", 24), filename, IMAGE_TYPES[ext], content, world.now())
    _images.setdefault(world, {})[image.id] = image
    return image


@router.post("/cgi-bin/media/uploadimg")
async def media_uploadimg(request: Request, media: UploadFile = File(...)) -> JSONResponse:
    sb: Sandbox = request.app.state.sandbox
    data = await media.read()
    world = sb.world
    try:
        with world.lock:
            world.check_token(request.query_params.get("access_token"))
            image = upload_image(world, media.filename or "", data)
    except ApiError as exc:
        return JSONResponse({"errcode": exc.errcode, "errmsg": exc.errmsg})
    url = f"{str(request.base_url).rstrip('/')}/sandbox/media/img/{image.id}"
    return JSONResponse({"errcode": 0, "errmsg": "ok", "url": url})


@router.get("/sandbox/media/img/{image_id}")
def image(request: Request, image_id: str) -> Response:
    sb: Sandbox = request.app.state.sandbox
    with sb.world.lock:
        found = _images.get(sb.world, {}).get(image_id)
    if found is None:
        raise HTTPException(404, "no such image")
    return Response(found.content, media_type=found.content_type)


@router.get("/sandbox/images")
def images(request: Request) -> list[dict[str, Any]]:
    sb: Sandbox = request.app.state.sandbox
    with sb.world.lock:
        return [
            {"id": i.id, "filename": i.filename, "size": len(i.content), "created": i.created}
            for i in _images.get(sb.world, {}).values()
        ]
