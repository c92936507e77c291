"""The `siyu` command."""

from __future__ import annotations

import typer

from siyu.cli import corp, demo, doctor, sandbox, serve, sync, user
from siyu.cli.common import console, friendly, run_db
from siyu.core.settings import get_settings
from siyu.db import migrate

app = typer.Typer(
    help="Siyu 私域 — a self-hostable SCRM for WeCom.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
@friendly
def init() -> None:
    """Create or upgrade the database (applies every migration)."""
    url = get_settings().database_url
    migrate.upgrade(url)
    console.print(f"Database ready: {url}")
    for corp_id, username, password in run_db(user.first_admins):
        console.print(
            f"First admin of {corp_id}: [bold]{username}[/] / one-time password "
            f"[bold]{password}[/] (change it after signing in)"
        )


app.command()(serve.serve)
app.command()(serve.worker)
app.command()(sync.sync)
app.command()(sandbox.sandbox)
app.command("doctor")(doctor.doctor_cmd)
app.command()(demo.demo)
app.add_typer(corp.app, name="corp")
app.add_typer(user.app, name="user")

if __name__ == "__main__":
    app()
