"""`siyu doctor`: setup preflight with a verdict and a fix per failure."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from siyu.cli.common import console, friendly, run_db, secret_key, secret_key_check
from siyu.core.settings import get_settings
from siyu.corps import doctor, service
from siyu.db.session import Database


def doctor_cmd(
    corp: Annotated[
        str | None, typer.Option("--corp", help="corp id (default: the only one)")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Siyu's public base URL (default SIYU_PUBLIC_URL)")
    ] = None,
) -> None:
    """Check credentials, contact permission, employees, tags and the callback setup."""

    @friendly
    def go() -> list[doctor.Check]:
        async def checks(db: Database) -> list[doctor.Check]:
            async with db.unit_of_work() as s:
                c = await service.resolve(s, corp)
            return await doctor.run_checks(
                c, secret_key=secret_key(), callback_base=url or get_settings().base_url
            )

        return run_db(checks)

    results = [doctor.Check("secret key", *secret_key_check()), *go()]
    table = Table("check", "verdict", "detail", "fix")
    for c in results:
        table.add_row(c.name, "[green]ok[/]" if c.ok else "[red]FAIL[/]", c.detail, c.fix)
    console.print(table)
    if not all(c.ok for c in results):
        console.print(
            "[red]Some checks failed.[/] Apply the fixes above and run `siyu doctor` again."
        )
        raise typer.Exit(1)
    console.print("[green]All checks passed.[/]")
