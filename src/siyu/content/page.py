"""The page a radar link shows for content Siyu hosts (articles, text, files), with the read-time
beacon: every 5 s while the page is visible, and once more when the reader leaves, the page
posts the seconds it was visible to ``/r/{token}/read`` (``sendBeacon`` on leave)."""

from __future__ import annotations

import html
import json

from markdown_it import MarkdownIt

from siyu.content.models import ContentItem

_md = MarkdownIt("js-default")  # raw HTML disabled: the body cannot inject scripts
BEAT_SECONDS = 5

_SCRIPT = """<script nonce="%(nonce)s">
(function () {
  var url = %(url)s, ref = %(ref)s, seen = 0, last = Date.now(), sent = -1;
  function tick() {
    var now = Date.now();
    if (document.visibilityState === "visible") seen += (now - last) / 1000;
    last = now;
  }
  function send(leaving) {
    tick();
    var s = Math.floor(seen);
    if (s === sent) return;
    sent = s;
    var body = JSON.stringify({o: ref, seconds: s});
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(url, new Blob([body], {type: "application/json"}));
    } else {
      fetch(url, {method: "POST", body: body, keepalive: true,
                  headers: {"Content-Type": "application/json"}}).catch(function () {});
    }
  }
  setInterval(function () { if (document.visibilityState === "visible") send(false); }, %(ms)d);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") send(true); else { last = Date.now(); }
  });
  window.addEventListener("pagehide", function () { send(true); });
})();
</script>"""

_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<style nonce="%(nonce)s">body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;
max-width:720px;margin:0 auto;padding:16px 18px 48px;line-height:1.75;color:#1f1f1f}
h1{font-size:22px;line-height:1.4}
.desc{color:#8c8c8c}img{max-width:100%%}a.file{display:inline-block;padding:8px 14px;
border:1px solid #d9d9d9;border-radius:6px;text-decoration:none}</style></head>
<body><article><h1>%(title)s</h1>%(desc)s<div class="body">%(body)s</div></article>
%(script)s</body></html>"""


_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def js(value: object) -> str:
    """JSON safe inside an inline ``<script>``: no ``</script>``, ``<!--``, ``&`` or line
    separators (U+2028/9) can end the script or the string."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in _JS_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def csp(nonce: str, media_url: str = "") -> str:
    """The hosted page's policy: its own inline script and style by nonce, nothing else runs;
    images and video from Siyu, ``SIYU_MEDIA_URL`` and https."""
    media = f"'self' {media_url} https: data:".replace("  ", " ")
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            f"style-src 'nonce-{nonce}'",
            f"img-src {media}",
            f"media-src {media}",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def render(item: ContentItem, *, beat_url: str, ref: str, file_url: str | None, nonce: str) -> str:
    """The hosted page of an item (article body as Markdown, text as paragraphs); its script
    and style carry ``nonce`` (the response's CSP, :func:`csp`)."""
    if item.kind == "article":
        body = _md.render(item.body)
    else:
        body = "".join(f"<p>{html.escape(p)}</p>" for p in item.body.splitlines() if p.strip())
    if file_url is not None:
        name = html.escape(item.filename or item.title)
        if item.kind == "image":
            body += f'<p><img src="{html.escape(file_url)}" alt="{name}"></p>'
        else:
            body += f'<p><a class="file" href="{html.escape(file_url)}">下载 {name}</a></p>'
    desc = f'<p class="desc">{html.escape(item.description)}</p>' if item.description else ""
    script = _SCRIPT % {
        "url": js(beat_url),
        "ref": js(ref),
        "ms": BEAT_SECONDS * 1000,
        "nonce": nonce,
    }
    return _PAGE % {
        "title": html.escape(item.title),
        "desc": desc,
        "body": body,
        "script": script,
        "nonce": nonce,
    }


_NOTICE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:520px;margin:0 auto;
padding:64px 24px;text-align:center;color:#1f1f1f}h1{font-size:20px}p{color:#8c8c8c}</style>
</head><body><h1>%(title)s</h1><p>%(text)s</p></body></html>"""

#: what a reader sees when a link cannot be opened, by HTTP status
NOTICES = {
    410: ("内容已失效", "该内容已下架，或此链接已被撤销。如有需要，请联系发送给您的顾问。"),
    404: ("内容不存在", "该内容已被删除。"),
    403: ("链接无效", "此链接无效或已过期，请向发送给您的顾问索取新的链接。"),
    429: ("访问太频繁", "请稍后再试。"),
}


def notice(status: int) -> str:
    """A short Chinese page for a link that cannot be opened (no script)."""
    title, text = NOTICES.get(status, NOTICES[403])
    return _NOTICE % {"title": html.escape(title), "text": html.escape(text)}
