"""create_app: the one place that mounts every router."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import text

import siyu
import siyu.sop.handlers  # (SOPs react to stage changes made in API requests)
from siyu.accounts import auth as accounts_auth
from siyu.accounts.audit_http import AuditMiddleware
from siyu.accounts.endpoints import router as auth
from siyu.accounts.session_http import SessionCookieMiddleware
from siyu.accounts.settings_endpoints import router as account_settings
from siyu.acquisition.endpoints import router as acquisition
from siyu.analytics.endpoints import router as analytics
from siyu.api import console, errors
from siyu.api.headers import SecurityHeaders
from siyu.api.limits import BodyLimitMiddleware
from siyu.broadcasts.endpoints import router as broadcasts
from siyu.content.endpoints import public as radar_redirect
from siyu.content.endpoints import router as content
from siyu.core.settings import Settings, get_settings
from siyu.corps.jssdk_endpoints import router as jssdk_config
from siyu.customers.employee_endpoints import router as employee_list
from siyu.customers.endpoints import router as customers
from siyu.customers.notes import router as customer_notes
from siyu.customers.profile_endpoints import fields_router as customer_fields
from siyu.customers.profile_endpoints import router as customer_profile
from siyu.customers.stage_endpoints import customer_router as customer_stage
from siyu.customers.stage_endpoints import router as customer_stages
from siyu.db.session import Database
from siyu.employees.endpoints import router as employees
from siyu.events.callback_endpoints import router as wecom_callback
from siyu.events.endpoints import router as events
from siyu.events.sink import CallbackConfigCache, EventSink
from siyu.events.spool import SpoolSink, spool_path
from siyu.events.tasks import wake_drain
from siyu.frontline.endpoints import router as frontline_tasks
from siyu.frontline.workbench_endpoints import router as workbench
from siyu.groups.endpoints import router as groups
from siyu.groups.tag_endpoints import group_router as group_sidebar
from siyu.groups.tag_endpoints import router as group_tags
from siyu.phrases.endpoints import router as phrases
from siyu.segments.customer_list_endpoints import router as customer_list
from siyu.segments.endpoints import router as segments
from siyu.segments.endpoints import snapshots as segment_snapshots
from siyu.segments.registry import start_warming
from siyu.segments.rule_tag_endpoints import router as rule_tags
from siyu.sop.endpoints import router as sop
from siyu.sync.endpoints import router as sync
from siyu.tags.endpoints import router as tags

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    workers: int | None = None,
    wecom_transport: Any = None,
) -> FastAPI:
    """The Siyu ASGI app; ``workers`` worker threads run the queue inside it (0 = none)."""
    settings = settings or get_settings()
    n_workers = settings.workers if workers is None else workers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_db = db is None
        app.state.db = db or Database.open(settings.database_url)
        spooled = spool_path(app.state.db.url)  # SQLite: acknowledged through the spool
        app.state.event_sink = (
            SpoolSink(spooled, wake=wake_drain)
            if spooled is not None
            else EventSink(app.state.db, wake=wake_drain)
        )
        warmer = start_warming(app.state.db.url)  # segment indexes, in the background
        consumer = None
        if n_workers > 0:
            import siyu.worker.tasks  # noqa: F401  (registers every task)
            from siyu.messaging.queue import start_embedded

            consumer = start_embedded(n_workers)
        try:
            yield
        finally:
            await app.state.event_sink.close()
            warmer.stop()
            if consumer is not None:
                consumer.stop(graceful=True)
            if own_db:
                await app.state.db.dispose()

    # Swagger UI's script and styles are served from the fastapi-offline package, not a CDN:
    # /api/docs works on an intranet without internet access (no validator badge either)
    app = FastAPIOffline(
        title="Siyu 私域 SCRM",
        version=siyu.__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        static_url="/api/docs/static",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.settings = settings
    app.state.callback_configs = CallbackConfigCache()
    app.state.wecom_transport = wecom_transport
    app.state.cookie_principal = accounts_auth.from_cookie  # read by siyu.corps.deps
    errors.install(app)
    app.add_middleware(AuditMiddleware)
    app.add_middleware(SessionCookieMiddleware)
    app.add_middleware(BodyLimitMiddleware)  # before auth, sessions and the audit
    app.add_middleware(SecurityHeaders, settings=settings)  # outermost: a 413 gets them too

    api = APIRouter(prefix="/api/v1")
    # the list's /customers, /customers/count and /customers/export before /customers/{id}
    api.include_router(customer_list)
    api.include_router(customer_profile)  # /customers/follow-ups/mine before /customers/{id}
    api.include_router(customer_fields)
    api.include_router(group_tags)
    api.include_router(group_sidebar)
    for router in (customers, tags, employee_list, employees, groups, sync, events, acquisition):
        api.include_router(router)
    for router in (auth, account_settings, analytics, customer_notes):
        api.include_router(router)
    for router in (segments, segment_snapshots, rule_tags):
        api.include_router(router)
    api.include_router(broadcasts)
    api.include_router(content)
    api.include_router(frontline_tasks)
    api.include_router(workbench)  # the mobile workbench (/m)
    api.include_router(sop)
    api.include_router(customer_stages)
    api.include_router(customer_stage)
    api.include_router(jssdk_config)
    api.include_router(phrases)
    # the callback routes first, on the app itself: WeCom's POSTs are the hottest path.
    # Starlette matches routes in order (the API's ~200 routes cost ~25 % of a callback's CPU
    # when they came first), and an included router adds a matching layer of its own (~15 us
    # per callback, about 8 % of the acknowledgements per second)
    app.router.routes.extend(wecom_callback.routes)
    app.include_router(api)
    app.include_router(radar_redirect)  # public: /r/{token}

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        async with app.state.db.sessions() as s:
            await s.execute(text("SELECT 1"))
        return {"status": "ok", "version": siyu.__version__}

    console.mount(app, settings.console_dir)
    return app
