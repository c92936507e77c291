"""The `siyu` command."""

from __future__ import annotations

import typer

from siyu.cli import corp, demo, doctor, sandbox, serve, sync
from siyu.cli.common import console, friendly
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


app.command()(serve.serve)
app.command()(serve.worker)
app.command()(sync.sync)
app.command()(sandbox.sandbox)
app.command("doctor")(doctor.doctor_cmd)
app.command()(demo.demo)
app.add_typer(corp.app, name="corp")

if __name__ == "__main__":
    app()
