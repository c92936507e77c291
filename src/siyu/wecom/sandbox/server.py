"""Sandbox assembly: :class:`SandboxConfig`, :func:`create_sandbox_app`, :func:`run_sandbox`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from siyu.wecom.crypto import CallbackCrypto
from siyu.wecom.sandbox.emitter import CallbackEmitter
from siyu.wecom.sandbox.faults import Faults
from siyu.wecom.sandbox.seed import anchor_day, build_world
from siyu.wecom.sandbox.world import World

DEFAULT_AES_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"


@dataclass
class SandboxConfig:
    """How to build and serve one sandbox corp."""

    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 1
    employees: int = 30
    customers: int = 5000
    corp_id: str = "wwsandbox0000000001"
    secret: str = "sandbox-contact-secret"
    token: str = "sandboxcallbacktoken"
    aes_key: str = DEFAULT_AES_KEY
    callback_url: str | None = None
    agent_id: int = 1000002
    token_ttl: int = 7200
    contact_permission: bool = True
    #: callback delivery: attempts in total, response timeout, backoff between attempts (s)
    callback_attempts: int = 3
    callback_timeout: float = 5.0
    callback_backoff: float = 0.2
    #: reference "now" of seeded times (default: start of today, UTC)
    anchor: int | None = None
    #: channel states seeded customers came through -> their 来源 tag (default: the sandbox's
    #: own, ``seed.STATES``; `siyu demo` passes its channel codes' states)
    channels: dict[str, str] | None = None


class Sandbox:
    """A running sandbox: config, world, fault switches and callback emitter."""

    def __init__(self, config: SandboxConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.world = World(
            corp_id=config.corp_id,
            secret=config.secret,
            agent_id=config.agent_id,
            token_ttl=config.token_ttl,
            seed=config.seed,
            clock=clock,
        )
        self.world.contact_permission = config.contact_permission
        build_world(
            self.world,
            seed=config.seed,
            employees=config.employees,
            customers=config.customers,
            anchor=config.anchor if config.anchor is not None else anchor_day(clock),
            channels=config.channels,
        )
        self.faults = Faults()
        self.emitter = CallbackEmitter(
            self.crypto,
            attempts=config.callback_attempts,
            timeout=config.callback_timeout,
            backoff=config.callback_backoff,
        )

    def crypto(self) -> CallbackCrypto:
        return CallbackCrypto(self.config.token, self.config.aes_key, self.config.corp_id)

    def emit(self, event: str, **fields: object) -> object:
        """Queue the callback of an actor's change (world lock held by the caller)."""
        return self.emitter.emit(
            self.config.callback_url, self.config.corp_id, self.world.now(), event, **fields
        )


def create_sandbox_app(
    config: SandboxConfig | None = None, *, clock: Callable[[], float] = time.time
) -> FastAPI:
    """The sandbox as an ASGI app; the world is built eagerly (``app.state.sandbox``)."""
    from siyu.wecom.sandbox.acquisition_control import router as acquisition_router
    from siyu.wecom.sandbox.app import router as wecom_router
    from siyu.wecom.sandbox.control import router as control_router
    from siyu.wecom.sandbox.groupmsg_control import router as groupmsg_router
    from siyu.wecom.sandbox.jssdk import router as jssdk_router
    from siyu.wecom.sandbox.media import router as media_router
    from siyu.wecom.sandbox.oauth import router as oauth_router
    from siyu.wecom.sandbox.transfers_control import router as transfers_router

    sandbox = Sandbox(config or SandboxConfig(), clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        sandbox.emitter.close()

    app = FastAPI(
        title="Siyu WeCom sandbox",
        description="WeCom's server API at /cgi-bin/, control API at /sandbox/",
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    app.include_router(media_router)  # before /cgi-bin/{path} (multipart media/uploadimg)
    app.include_router(acquisition_router)  # before /cgi-bin/{path} (multipart media/upload)
    app.include_router(groupmsg_router)  # before /cgi-bin/{path} (delayed add_msg_template)
    app.include_router(wecom_router)
    app.include_router(control_router)
    app.include_router(oauth_router)
    app.include_router(jssdk_router)
    app.include_router(transfers_router)
    return app


def run_sandbox(config: SandboxConfig | None = None) -> None:
    """Serve the sandbox with Uvicorn until interrupted (port 0 picks a free port)."""
    import socket

    import uvicorn

    config = config or SandboxConfig()
    port = config.port
    if not port:
        with socket.socket() as sock:  # a port that was free a moment ago
            sock.bind((config.host, 0))
            port = int(sock.getsockname()[1])
    print(f"WeCom sandbox for {config.corp_id} at http://{config.host}:{port}", flush=True)
    uvicorn.run(create_sandbox_app(config), host=config.host, port=port, log_level="info")
