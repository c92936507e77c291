"""`siyu corp`: register corps and issue API keys."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from siyu.accounts import onboard
from siyu.cli.common import console, friendly, run_db, secret_key
from siyu.corps import service
from siyu.db.session import Database

app = typer.Typer(help="Register WeCom corps and issue API keys.", no_args_is_help=True)


@app.command("add")
@friendly
def add(
    name: Annotated[str, typer.Option(help="display name")],
    corp_id: Annotated[str, typer.Option("--corp-id", help="WeCom CorpID (ww...)")],
    secret: Annotated[
        str, typer.Option(help="客户联系 secret (or an app secret with contact permission)")
    ],
    token: Annotated[str, typer.Option(help="callback Token from WeCom's admin console")],
    aes_key: Annotated[str, typer.Option("--aes-key", help="callback EncodingAESKey (43 chars)")],
    api_base: Annotated[
        str, typer.Option("--api-base", help="WeCom API base URL")
    ] = "https://qyapi.weixin.qq.com",
    agent_id: Annotated[
        int | None, typer.Option("--agent-id", help="app AgentId for app messages")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print {corp_id, api_key} as JSON")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="re-enter the credentials of a registered corp (e.g. after SIYU_SECRET_KEY "
            "changed); its data and API keys stay, no new key is issued",
        ),
    ] = False,
) -> None:
    """Register a corp; prints its id and a new API key (shown once)."""
    fields: dict[str, Any] = {
        "name": name,
        "wecom_corp_id": corp_id,
        "secret": secret,
        "token": token,
        "aes_key": aes_key,
        "api_base": api_base,
        "agent_id": agent_id,
    }

    async def go(db: Database) -> tuple[int, str | None]:
        async with db.unit_of_work() as s:
            if replace:
                corp = await service.replace_credentials(s, secret_key=secret_key(), **fields)
                return corp.id, None
            corp = await onboard.add_corp(s, secret_key=secret_key(), **fields)
            return corp.id, await service.create_api_key(s, corp, name="cli")

    pk, key = run_db(go)
    if as_json:
        out = {"corp_id": corp_id, "id": pk, "api_key": key}
        print(json.dumps({**out, "replaced": True} if replace else out))
    elif replace:
        console.print(f"Credentials of corp [bold]{corp_id}[/] replaced (id {pk}); API keys stay.")
    else:
        console.print(f"Corp [bold]{corp_id}[/] registered (id {pk}).")
        console.print(f"API key (shown once): [bold green]{key}[/]")
        console.print(f"Callback URL for WeCom: <SIYU_PUBLIC_URL>/wecom/callback/{corp_id}")


@app.command("list")
@friendly
def list_() -> None:
    """List registered corps."""

    async def go(db: Database) -> list[tuple[int, str, str, str, str]]:
        async with db.unit_of_work() as s:
            return [
                (c.id, c.wecom_corp_id, c.name, c.api_base, str(c.last_synced_at or "never"))
                for c in await service.list_corps(s)
            ]

    table = Table("id", "corp id", "name", "API base", "last sync")
    for row in run_db(go):
        table.add_row(*map(str, row))
    console.print(table)


@app.command("key")
@friendly
def key(
    corp: Annotated[
        str | None, typer.Option("--corp", help="corp id (default: the only one)")
    ] = None,
    name: Annotated[str, typer.Option(help="a label for the key")] = "cli",
) -> None:
    """Issue a new API key for a corp."""

    async def go(db: Database) -> str:
        async with db.unit_of_work() as s:
            c = await service.resolve(s, corp)
            return await service.create_api_key(s, c, name=name)

    console.print(run_db(go))
