"""`siyu user`: console users (add, list, reset a password)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from siyu.accounts import repository as accounts_repo
from siyu.accounts import service as accounts
from siyu.cli.common import console, friendly, run_db
from siyu.core.errors import InvalidInput
from siyu.corps import service as corps
from siyu.corps.principal import USER_ROLES
from siyu.db.session import Database

app = typer.Typer(help="Console users: add, list, reset a password.", no_args_is_help=True)

CorpOpt = Annotated[
    str | None, typer.Option("--corp", help="WeCom corp id (optional with one corp)")
]


@app.command()
@friendly
def add(
    username: Annotated[str, typer.Option(help="sign-in name")],
    role: Annotated[str, typer.Option(help="admin | operator | manager | staff")] = "staff",
    userid: Annotated[
        str | None, typer.Option(help="linked WeCom employee (required for manager/staff)")
    ] = None,
    corp: CorpOpt = None,
) -> None:
    """Create a user and print their one-time password."""
    if role not in USER_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(USER_ROLES)}")

    async def go(db: Database) -> str:
        async with db.unit_of_work() as s:
            c = await corps.resolve(s, corp)
            _, password = await accounts.create_user(
                s, c.id, username=username, role=role, userid=userid
            )
            return password

    password = run_db(go)
    console.print(f"User [bold]{username}[/] ({role}) created.")
    console.print(f"One-time password: [bold]{password}[/]  (change it after signing in)")


@app.command("list")
@friendly
def list_users(corp: CorpOpt = None) -> None:
    """List the corp's users."""

    async def go(db: Database) -> list[tuple[str, str, str, str]]:
        async with db.unit_of_work() as s:
            c = await corps.resolve(s, corp)
            return [
                (u.username, u.role, u.userid or "", "yes" if u.active else "no")
                for u in await accounts.list_users(s, c.id)
            ]

    table = Table("username", "role", "employee", "active")
    for row in run_db(go):
        table.add_row(*row)
    console.print(table)


@app.command("reset-password")
@friendly
def reset_password(
    username: Annotated[str, typer.Option(help="sign-in name")], corp: CorpOpt = None
) -> None:
    """Give a user a new one-time password (their sessions end)."""

    async def go(db: Database) -> str:
        async with db.unit_of_work() as s:
            c = await corps.resolve(s, corp)
            return await accounts.reset_password(s, c.id, username)

    console.print(f"New one-time password for [bold]{username}[/]: [bold]{run_db(go)}[/]")


async def first_admins(db: Database) -> list[tuple[str, str, str]]:
    """Create an ``admin`` for every corp that has no user yet: (corp, username, password)."""
    out = []
    async with db.unit_of_work() as s:
        for c in await corps.list_corps(s):
            if await accounts_repo.count_users(s, c.id) == 0:
                user, password = await accounts.create_user(s, c.id, username="admin", role="admin")
                out.append((c.wecom_corp_id, user.username, password))
    return out


async def demo_admin(db: Database, wecom_corp_id: str) -> tuple[str, str]:
    """The demo corp's admin with a fresh password (printed by `siyu demo` on every start)."""
    async with db.unit_of_work() as s:
        c = await corps.resolve(s, wecom_corp_id)
        user, password = await accounts.ensure_admin(s, c.id)
        if password is None:
            password = await accounts.reset_password(s, c.id, user.username)
        return user.username, password
