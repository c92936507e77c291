"""Fixtures of the WeCom tests: one sandbox over real HTTP, a callback receiver, clients."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from siyu.core.serving import ThreadedServer
from siyu.wecom import RetryPolicy, WeComClient
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app

CONFIG = SandboxConfig(customers=1500, employees=12, seed=7, callback_backoff=0.05)
FAST_RETRY = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, budget=10.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Sandboxed:
    server: ThreadedServer
    app: FastAPI
    config: SandboxConfig

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandboxed]:
    config = SandboxConfig(**{**CONFIG.__dict__})
    app = create_sandbox_app(config)
    server = ThreadedServer(app).start()
    try:
        yield Sandboxed(server, app, config)
    finally:
        server.stop()


class Control:
    """Blocking calls on the sandbox control API (tests call it between awaits)."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._http.request(method, path, **kwargs)
        response.raise_for_status()
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs).json()

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.request("PUT", path, **kwargs).json()

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs).json()

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs).json()


@pytest.fixture
def control(sandbox: Sandboxed) -> Iterator[Control]:
    """The sandbox control API; faults are cleared around each test."""
    with httpx.Client(base_url=sandbox.url, timeout=30) as http:
        ctl = Control(http)
        ctl.delete("/sandbox/faults")
        yield ctl
        ctl.delete("/sandbox/faults")


@pytest.fixture
async def client(sandbox: Sandboxed, control: Control) -> AsyncIterator[WeComClient]:
    async with WeComClient(
        corp_id=sandbox.config.corp_id,
        secret=sandbox.config.secret,
        base_url=sandbox.url,
        retry=FAST_RETRY,
    ) as wecom:
        yield wecom


@dataclass
class Receiver:
    """A tiny callback endpoint: records every POST, answers 500 ``fail_first`` times."""

    server: ThreadedServer
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_first: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"{self.server.url}/callback"


@pytest.fixture(scope="session")
def _receiver_server() -> Iterator[Receiver]:
    app = FastAPI()
    receiver = Receiver(server=ThreadedServer(app))

    @app.post("/callback")
    async def callback(request: Request) -> Response:
        body = await request.body()
        with receiver.lock:
            receiver.received.append({"query": dict(request.query_params), "body": body})
            if receiver.fail_first > 0:
                receiver.fail_first -= 1
                return Response("boom", status_code=500)
        return Response("")

    receiver.server.start()
    try:
        yield receiver
    finally:
        receiver.server.stop()


@pytest.fixture
def receiver(_receiver_server: Receiver, control: Control) -> Iterator[Receiver]:
    """The receiver, wired as the sandbox's callback URL for one test."""
    control.post("/sandbox/callbacks/wait", params={"timeout": 10})
    with _receiver_server.lock:
        _receiver_server.received.clear()
        _receiver_server.fail_first = 0
    control.put("/sandbox/config", json={"callback_url": _receiver_server.url})
    yield _receiver_server
    control.post("/sandbox/callbacks/wait", params={"timeout": 10})
    control.put("/sandbox/config", json={"callback_url": ""})
