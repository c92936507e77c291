"""`siyu demo`: the whole product on a laptop, fed by the WeCom sandbox over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from typing import Annotated

import httpx
import typer
import uvicorn

from siyu.cli.common import console, friendly, secret_key, setup_logging
from siyu.cli.sync import sync_with_progress
from siyu.cli.user import demo_admin
from siyu.core.serving import ThreadedServer
from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.db import migrate
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app

log = logging.getLogger(__name__)
DEMO_CORP = "wwdemo0000000000001"
CHANNELS = ["douyin-ad", "store-poster", "wechat-article", "live-stream", "event-booth"]


async def _register(db: Database, sandbox_url: str, cfg: SandboxConfig) -> str:
    """Register the demo corp (or point it at this sandbox) and issue a fresh API key."""
    async with db.unit_of_work() as s:
        corp = await corps.get_by_wecom_id(s, cfg.corp_id)
        if corp is None:
            corp = await corps.add_corp(
                s,
                secret_key=secret_key(),
                name="演示企业 Demo Corp",
                wecom_corp_id=cfg.corp_id,
                secret=cfg.secret,
                token=cfg.token,
                aes_key=cfg.aes_key,
                api_base=sandbox_url,
                agent_id=cfg.agent_id,
            )
        corp.api_base = sandbox_url
        return await corps.create_api_key(s, corp, name="demo")


def trickle(sandbox_url: str, stop: threading.Event, *, interval: float, seed: int = 7) -> None:
    """Gentle live traffic: customers add, leave, get tagged and join groups, as actors do."""
    rng = random.Random(seed)
    with httpx.Client(base_url=sandbox_url, timeout=10) as http:
        employees = [e["userid"] for e in http.get("/sandbox/employees").json()]
        recent: list[tuple[str, str]] = []
        while not stop.wait(interval):
            try:
                roll = rng.random()
                if roll < 0.6 or not recent:
                    userid = rng.choice(employees)
                    r = http.post(
                        "/sandbox/actors/add_customer",
                        json={"userid": userid, "state": rng.choice(CHANNELS)},
                    )
                    recent.append((userid, r.json()["external_userid"]))
                elif roll < 0.8:
                    userid, ext = rng.choice(recent)
                    http.post(
                        "/sandbox/actors/employee_edit",
                        json={
                            "userid": userid,
                            "external_userid": ext,
                            "remark": f"意向客户{rng.randint(1, 99)}",
                        },
                    )
                elif roll < 0.9:
                    userid, ext = recent.pop(rng.randrange(len(recent)))
                    http.post(
                        "/sandbox/actors/customer_delete",
                        json={"userid": userid, "external_userid": ext},
                    )
                else:
                    userid, ext = rng.choice(recent)
                    http.post(
                        "/sandbox/actors/group",
                        json={
                            "action": "create",
                            "owner": userid,
                            "name": f"会员福利群{rng.randint(1, 99)}",
                            "members": [ext],
                        },
                    )
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                log.warning("demo trickle: %s", exc)


def demo(
    host: Annotated[str | None, typer.Option(help="default SIYU_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default SIYU_PORT")] = None,
    sandbox_port: Annotated[int, typer.Option(help="sandbox port (0 = any free port)")] = 0,
    employees: Annotated[int, typer.Option()] = 30,
    customers: Annotated[int, typer.Option()] = 5000,
    seed: Annotated[int, typer.Option()] = 1,
    interval: Annotated[
        float, typer.Option(help="seconds between live demo events (0 = none)")
    ] = 5.0,
) -> None:
    """Init, start the sandbox, register it as a corp, sync, serve, and keep live events flowing."""
    settings = get_settings()
    setup_logging("WARNING")
    h, p = host or settings.host, port or settings.port
    migrate.upgrade(settings.database_url)
    cfg = SandboxConfig(
        port=sandbox_port,
        seed=seed,
        employees=employees,
        customers=customers,
        corp_id=DEMO_CORP,
        callback_url=f"http://{h}:{p}/wecom/callback/{DEMO_CORP}",
    )
    console.print(f"Starting the WeCom sandbox ({employees} employees, {customers} customers)…")
    sandbox = ThreadedServer(create_sandbox_app(cfg), port=sandbox_port).start()

    logins: list[str] = []

    @friendly
    def prepare() -> str:
        async def go() -> str:
            db = Database.open(settings.database_url)
            try:
                key = await _register(db, sandbox.url, cfg)
                await sync_with_progress(db, DEMO_CORP, trigger="demo")
                logins.extend(await demo_admin(db, DEMO_CORP))
                return key
            finally:
                await db.dispose()

        return asyncio.run(go())

    api_key = prepare()
    from siyu.api.app import create_app

    stop = threading.Event()
    if interval > 0:
        threading.Thread(
            target=trickle,
            args=(sandbox.url, stop),
            kwargs={"interval": interval},
            daemon=True,
            name="demo-trickle",
        ).start()
    console.rule("[bold green]Siyu demo is running")
    console.print(f"Console:      http://{h}:{p}/")
    console.print(f"API docs:     http://{h}:{p}/api/docs")
    console.print(f"Admin login:  [bold]{logins[0]}[/] / [bold]{logins[1]}[/]")
    console.print(f"Sidebar:      http://{h}:{p}/sidebar  (sign in with 企业微信登录)")
    console.print(f"API key:      [bold]{api_key}[/]")
    console.print(
        f"  try: curl -H 'Authorization: Bearer {api_key}' http://{h}:{p}/api/v1/customers"
    )
    console.print(f"WeCom sandbox: {sandbox.url}  (control API: {sandbox.url}/sandbox/info)")
    console.print("Press Ctrl-C to stop.")
    try:
        uvicorn.run(create_app(settings), host=h, port=p, log_level="warning")
    finally:
        stop.set()
        sandbox.stop()
