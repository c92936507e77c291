"""QR images and campaign posters (Pillow + segno).

The QR encodes the contact way's ``qr_code`` link as WeCom returned it. A poster is a
background (an uploaded image, or a plain gradient) with the QR on a white card and a caption
drawn in Noto Sans CJK (Debian ``fonts-noto-cjk``), falling back to Pillow's default font.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from siyu.core.errors import InvalidInput

POSTER_SIZE = (750, 1334)
FONT_PATHS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def qr_png(content: str, *, scale: int = 10, border: int = 2) -> bytes:
    if not content:
        raise InvalidInput("the code has no QR link yet")
    out = io.BytesIO()
    segno.make(content, error="m").save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


@lru_cache(maxsize=8)
def font(size: int) -> Font:
    for path in FONT_PATHS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _background(data: bytes | None) -> Image.Image:
    if data:
        try:
            bg = Image.open(io.BytesIO(data)).convert("RGB")
        except Exception as exc:  # PIL raises several kinds for bad files
            raise InvalidInput("the poster background is not a readable image") from exc
        return bg.resize(POSTER_SIZE)
    bg = Image.new("RGB", POSTER_SIZE)
    draw = ImageDraw.Draw(bg)
    w, h = POSTER_SIZE
    for y in range(h):  # a warm vertical gradient
        t = y / h
        draw.line([(0, y), (w, y)], fill=(int(250 - 60 * t), int(120 + 40 * t), int(80 + 90 * t)))
    return bg


def _wrap(draw: ImageDraw.ImageDraw, text: str, f: Font, width: int) -> list[str]:
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for ch in para:
            if draw.textlength(line + ch, font=f) > width and line:
                lines.append(line)
                line = ch
            else:
                line += ch
        lines.append(line)
    return lines


def poster_png(
    qr_content: str, *, title: str, caption: str, background: bytes | None = None
) -> bytes:
    """A 750×1334 poster: background, title, QR on a white card, caption under it."""
    img = _background(background)
    draw = ImageDraw.Draw(img)
    w = POSTER_SIZE[0]
    title_font, caption_font = font(56), font(32)
    y = 140
    for line in _wrap(draw, title, title_font, w - 120)[:2]:
        draw.text((w // 2, y), line, font=title_font, fill="white", anchor="mm")
        y += 72
    qr = Image.open(io.BytesIO(qr_png(qr_content, scale=12, border=2))).convert("RGB")
    qr = qr.resize((420, 420), Image.Resampling.NEAREST)
    card = (w // 2 - 240, 380, w // 2 + 240, 860)
    draw.rounded_rectangle(card, radius=24, fill="white")
    img.paste(qr, (w // 2 - 210, 410))
    y = 930
    for line in _wrap(draw, caption, caption_font, w - 120)[:6]:
        draw.text((w // 2, y), line, font=caption_font, fill="white", anchor="mm")
        y += 48
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
