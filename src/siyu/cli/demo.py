"""`siyu demo`: the whole product on a laptop, fed by the WeCom sandbox over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import threading
from typing import Annotated

import httpx
import typer

from siyu.accounts import onboard
from siyu.cli.common import console, friendly, secret_key, setup_logging
from siyu.cli.demo_fixups import assign_stages, rehome_channel_codes
from siyu.cli.demo_seed import CHANNELS, seed_with_progress
from siyu.cli.sync import sync_with_progress
from siyu.cli.user import demo_admin
from siyu.core.runtime import tune_gc
from siyu.core.serving import ThreadedServer
from siyu.core.settings import allow_api_base, get_settings
from siyu.corps import service as corps
from siyu.db import migrate
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app

log = logging.getLogger(__name__)
DEMO_CORP = "wwdemo0000000000001"


async def _register(db: Database, sandbox_url: str, cfg: SandboxConfig) -> str:
    """Register the demo corp (or point it at this sandbox) and issue a fresh API key."""
    async with db.unit_of_work() as s:
        corp = await corps.get_by_wecom_id(s, cfg.corp_id)
        if corp is None:
            corp = await onboard.add_corp(
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
        return await corps.create_api_key(s, corp, name="演示数据")


async def _stages_with_progress(db: Database) -> None:
    """The synced customers' lifecycle stages (the first start only: later ones find them)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("[bold]{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("stages", total=None)
        await assign_stages(
            db,
            DEMO_CORP,
            secret_key=secret_key(),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


def _ways(http: httpx.Client) -> dict[str, str]:
    """The sandbox's contact ways by state (the channel codes the demo seeded)."""
    return {w["state"]: w["config_id"] for w in http.get("/sandbox/contact_ways").json()}


def _open_radar_link(siyu: httpx.Client, rng: random.Random) -> None:
    """An employee sends a radar link to one of their customers, who opens it."""
    items = siyu.get("/api/v1/content", params={"kind": "link", "limit": 50}).json()["items"]
    customers = siyu.get("/api/v1/customers", params={"limit": 50}).json()["items"]
    followed = [c for c in customers if c["userids"]]
    if not items or not followed:
        return
    who = rng.choice(followed)
    r = siyu.post(
        f"/api/v1/content/{rng.choice(items)['id']}/radar-links",
        json={"userid": rng.choice(who["userids"]), "customer_id": who["id"]},
    )
    r.raise_for_status()
    siyu.get(httpx.URL(r.json()["url"]).path)  # the customer's browser


def trickle(
    sandbox_url: str,
    stop: threading.Event,
    *,
    interval: float,
    seed: int = 7,
    siyu_url: str | None = None,
    api_key: str | None = None,
) -> None:
    """Gentle live traffic: customers scan channel codes, leave, get remarks, join groups and
    open radar links, as actors do."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    with (
        httpx.Client(base_url=sandbox_url, timeout=10) as http,
        httpx.Client(base_url=siyu_url or sandbox_url, headers=headers, timeout=10) as siyu,
    ):
        employees = [e["userid"] for e in http.get("/sandbox/employees").json()]
        ways = _ways(http)
        recent: list[tuple[str, str]] = []
        while not stop.wait(interval):
            try:
                roll = rng.random()
                if roll < 0.6 or not recent:
                    state = rng.choice(list(CHANNELS))
                    if state in ways:  # the customer scans the channel code's QR
                        r = http.post("/sandbox/actors/scan", json={"config_id": ways[state]})
                        recent.append((r.json()["userid"], r.json()["external_userid"]))
                    else:
                        userid = rng.choice(employees)
                        r = http.post(
                            "/sandbox/actors/add_customer",
                            json={"userid": userid, "state": state},
                        )
                        recent.append((userid, r.json()["external_userid"]))
                elif roll < 0.75:
                    userid, ext = rng.choice(recent)
                    http.post(
                        "/sandbox/actors/employee_edit",
                        json={
                            "userid": userid,
                            "external_userid": ext,
                            "remark": f"意向客户{rng.randint(1, 99)}",
                        },
                    )
                elif roll < 0.85 and api_key:
                    _open_radar_link(siyu, rng)
                elif roll < 0.92:
                    # most losses are customers leaving; some are employees removing them
                    userid, ext = recent.pop(rng.randrange(len(recent)))
                    http.post(
                        "/sandbox/actors/customer_delete"
                        if roll < 0.905
                        else "/sandbox/actors/employee_delete",
                        json={"userid": userid, "external_userid": ext},
                    )
                elif roll < 0.94:
                    # a customer adds a second employee: a collision under the lock (防撞单)
                    userid, ext = rng.choice(recent)
                    other = rng.choice([e for e in employees if e != userid])
                    http.post(
                        "/sandbox/actors/add_customer",
                        json={"userid": other, "external_userid": ext},
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
        # customers came through the demo's channel codes, with their 来源 tags
        channels={state: source for state, (_, _, _, source) in CHANNELS.items()},
    )
    console.print(f"Starting the WeCom sandbox ({employees} employees, {customers} customers)…")
    sandbox = ThreadedServer(create_sandbox_app(cfg), port=sandbox_port).start()
    settings = allow_api_base(sandbox.url)  # this process's sandbox (and its worker's)

    logins: list[str] = []

    @friendly
    def prepare() -> str:
        async def go() -> str:
            db = Database.open(settings.database_url)
            try:
                key = await _register(db, sandbox.url, cfg)
                await sync_with_progress(db, DEMO_CORP, trigger="demo")
                await _stages_with_progress(db)
                try:
                    await rehome_channel_codes(db, DEMO_CORP, secret_key=secret_key())
                except Exception as exc:  # the demo serves on; the codes just lack QR codes
                    console.print(f"[yellow]Could not re-create the channel codes ({exc}).[/]")
                logins.extend(await demo_admin(db, DEMO_CORP))
                return key
            finally:
                await db.dispose()

        return asyncio.run(go())

    api_key = prepare()
    from siyu.api.app import create_app

    server = ThreadedServer(create_app(settings), host=h, port=p).start(timeout=120)
    tune_gc()  # a long-running process, like `siyu serve`
    stop = threading.Event()
    try:
        seed_with_progress(server.url, api_key, sandbox.url)
        if interval > 0:
            threading.Thread(
                target=trickle,
                args=(sandbox.url, stop),
                kwargs={"interval": interval, "siyu_url": server.url, "api_key": api_key},
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
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.stop()
        sandbox.stop()
