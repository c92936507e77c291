"""Per-sender link URLs (``sender_urls``): each sender's own URL goes out, the map never does."""

from __future__ import annotations

from siyu.broadcasts.ledger import for_sender


def test_each_sender_gets_their_own_url_and_the_map_stays_home() -> None:
    link = {"title": "会员日", "url": "https://example.com/default"}
    atts = [
        {"msgtype": "image", "image": {"pic_url": "https://example.com/a.png"}},
        {"msgtype": "link", "link": link, "sender_urls": {"zhangsan": "https://s.example/r/z"}},
    ]
    mine = for_sender(atts, "zhangsan")
    assert mine[0] == atts[0]
    assert mine[1] == {"msgtype": "link", "link": {**link, "url": "https://s.example/r/z"}}
    other = for_sender(atts, "lisi")
    assert other[1] == {"msgtype": "link", "link": link}
    assert "sender_urls" in atts[1] and atts[1]["link"]["url"] == link["url"]  # not mutated
