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

_SCRIPT = """<script>
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
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:720px;margin:0 auto;
padding:16px 18px 48px;line-height:1.75;color:#1f1f1f}h1{font-size:22px;line-height:1.4}
.desc{color:#8c8c8c}img{max-width:100%%}a.file{display:inline-block;padding:8px 14px;
border:1px solid #d9d9d9;border-radius:6px;text-decoration:none}</style></head>
<body><article><h1>%(title)s</h1>%(desc)s<div class="body">%(body)s</div></article>
%(script)s</body></html>"""


def render(item: ContentItem, *, beat_url: str, ref: str, file_url: str | None) -> str:
    """The hosted page of an item (article body as Markdown, text as paragraphs)."""
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
        "url": json.dumps(beat_url),
        "ref": json.dumps(ref),
        "ms": BEAT_SECONDS * 1000,
    }
    return _PAGE % {
        "title": html.escape(item.title),
        "desc": desc,
        "body": body,
        "script": script,
    }
