"""`siyu sync`: full pull from WeCom with a progress bar, or the status of recent runs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from siyu.cli.common import console, fail, friendly, run_db, secret_key
from siyu.corps import service as corps
from siyu.db.session import Database
from siyu.sync import service
from siyu.sync.models import SyncRun


def _status_table(runs: list[SyncRun]) -> Table:
    table = Table("run", "trigger", "status", "step", "progress", "started", "finished", "error")
    for r in runs:
        prog = ", ".join(
            f"{k} {v.get('done', 0)}/{v.get('total') if v.get('total') is not None else '?'}"
            for k, v in r.steps.items()
            if v.get("status") != "pending"
        )
        table.add_row(
            str(r.id),
            r.trigger,
            r.status,
            r.step,
            prog,
            f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            f"{r.finished_at:%H:%M:%S}" if r.finished_at else "",
            (r.error or "")[:80],
        )
    return table


async def sync_with_progress(
    db: Database, corp_ref: str | None, *, trigger: str = "cli"
) -> SyncRun:
    """Run (or resume) the corp's sync in this process with a Rich progress bar."""
    async with db.unit_of_work() as s:
        corp = await corps.resolve(s, corp_ref)
        corps.credentials(corp, secret_key=secret_key())  # unreadable: fail before a run starts
        if await service.is_active(s, corp.id):
            fail("a sync of this corp is already running (see `siyu sync --status`)")
        run = await service.start_or_resume(s, corp, trigger=trigger)
        run_id, corp_id = run.id, corp.id
    with Progress(
        TextColumn("[bold]{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int | None) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        async with corps.wecom_client(corp, secret_key=secret_key()) as client:
            return await service.run_full_sync(db, corp_id, run_id, client, progress=progress)


def sync(
    corp: Annotated[
        str | None, typer.Option("--corp", help="corp id (default: the only one)")
    ] = None,
    status: Annotated[bool, typer.Option("--status", help="show recent runs instead")] = False,
) -> None:
    """Pull employees, departments, tags, customers and group chats from WeCom (resumable)."""

    @friendly
    def go() -> None:
        if status:

            async def show(db: Database) -> list[SyncRun]:
                async with db.unit_of_work() as s:
                    c = await corps.resolve(s, corp)
                    return await service.latest_runs(s, c.id, limit=10)

            runs = run_db(show)
            if not runs:
                console.print("No sync has run yet: run `siyu sync`.")
                return
            console.print(_status_table(runs))
            if runs[0].status in ("failed", "interrupted"):
                raise typer.Exit(1)
            return
        run = run_db(lambda db: sync_with_progress(db, corp))
        console.print(_status_table([run]))

    go()
