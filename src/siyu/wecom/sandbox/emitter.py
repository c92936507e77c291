"""The callback emitter: encrypts events like WeCom and POSTs them from a background worker.

Deliveries go out one at a time, in order. A delivery not answered with HTTP 200 within
``timeout`` seconds is retried after ``backoff`` seconds, ``attempts`` times in total (WeCom:
3 attempts, 5 s timeout). :meth:`CallbackEmitter.wait` blocks until the queue is drained.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import httpx

from siyu.wecom.crypto import CallbackCrypto


def event_xml(corp_id: str, create_time: int, event: str, fields: dict[str, Any]) -> str:
    """The plaintext XML of one event, as WeCom builds it (strings in CDATA)."""
    parts = [
        f"<ToUserName><![CDATA[{corp_id}]]></ToUserName>",
        "<FromUserName><![CDATA[sys]]></FromUserName>",
        f"<CreateTime>{create_time}</CreateTime>",
        "<MsgType><![CDATA[event]]></MsgType>",
        f"<Event><![CDATA[{event}]]></Event>",
    ]
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, int):
            parts.append(f"<{key}>{value}</{key}>")
        elif isinstance(value, list):
            items = "".join(f"<Item><![CDATA[{v}]]></Item>" for v in value)
            parts.append(f"<{key}>{items}</{key}>")
        else:
            text = str(value).replace("]]>", "]]]]><![CDATA[>")
            parts.append(f"<{key}><![CDATA[{text}]]></{key}>")
    return "<xml>" + "".join(parts) + "</xml>"


@dataclass
class Delivery:
    """One callback: the event, its plaintext, and what happened to it."""

    id: int
    event: str
    change_type: str
    plaintext: str
    url: str | None
    attempts: int = 0
    last_status: int | None = None
    last_error: str = ""
    delivered: bool = False
    finished: bool = False
    created: float = field(default_factory=time.time)
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event": self.event,
            "change_type": self.change_type,
            "url": self.url,
            "attempts": self.attempts,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "delivered": self.delivered,
            "finished": self.finished,
            "xml": self.plaintext,
        }


class CallbackEmitter:
    """Ordered, retried delivery of encrypted callbacks from one worker thread."""

    def __init__(
        self,
        crypto: Callable[[], CallbackCrypto],
        *,
        attempts: int = 3,
        timeout: float = 5.0,
        backoff: float = 0.2,
    ) -> None:
        self._crypto = crypto
        self.attempts = attempts
        self.timeout = timeout
        self.backoff = backoff
        self.deliveries: list[Delivery] = []
        self._ids = itertools.count(1)
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._cond = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def emit(
        self, url: str | None, corp_id: str, now: float, event: str, **fields: Any
    ) -> Delivery:
        """Queue one event for ``url`` (recorded but not sent when url is None)."""
        xml = event_xml(corp_id, int(now), event, fields)
        with self._lock:
            delivery = Delivery(next(self._ids), event, str(fields.get("ChangeType", "")), xml, url)
            self.deliveries.append(delivery)
        if url is None:
            delivery.finished = True
            delivery.last_error = "no callback_url configured"
            delivery.done.set()
            return delivery
        with self._cond:
            self._pending += 1
        self._ensure_worker()
        self._queue.put(delivery)
        return delivery

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="sandbox-callbacks", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout) as http:
            while True:
                delivery = self._queue.get()
                if delivery is None:
                    return
                try:
                    self._deliver(http, delivery)
                finally:
                    delivery.finished = True
                    delivery.done.set()
                    with self._cond:
                        self._pending -= 1
                        self._cond.notify_all()

    def _deliver(self, http: httpx.Client, delivery: Delivery) -> None:
        assert delivery.url is not None
        for attempt in range(1, self.attempts + 1):
            delivery.attempts = attempt
            try:
                body, params = self._crypto().encrypt_envelope(delivery.plaintext)
                response = http.post(
                    delivery.url,
                    params=params,
                    content=body.encode(),
                    headers={"Content-Type": "text/xml"},
                )
                delivery.last_status = response.status_code
                delivery.last_error = ""
                if response.status_code == 200:
                    delivery.delivered = True
                    return
            except (httpx.HTTPError, ValueError) as exc:
                delivery.last_status = None
                delivery.last_error = escape(repr(exc))
            if attempt < self.attempts:
                time.sleep(self.backoff * attempt)

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery finished; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout=timeout)

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [d.as_json() for d in self.deliveries]

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=self.timeout * self.attempts + 1)
