"""`siyu sandbox`: run the WeCom simulator standalone."""

from __future__ import annotations

from typing import Annotated

import typer

from siyu.cli.common import console
from siyu.wecom.sandbox import SandboxConfig, run_sandbox


def sandbox(
    port: Annotated[int, typer.Option(help="port")] = 9000,
    host: Annotated[str, typer.Option(help="interface")] = "127.0.0.1",
    seed: Annotated[int, typer.Option(help="world seed (same seed, same world)")] = 1,
    employees: Annotated[int, typer.Option(help="employees with customer contact")] = 30,
    customers: Annotated[int, typer.Option(help="customers")] = 5000,
    corp_id: Annotated[str, typer.Option("--corp-id")] = SandboxConfig.corp_id,
    secret: Annotated[str, typer.Option()] = SandboxConfig.secret,
    token: Annotated[str, typer.Option(help="callback token")] = SandboxConfig.token,
    aes_key: Annotated[
        str, typer.Option("--aes-key", help="callback EncodingAESKey")
    ] = SandboxConfig.aes_key,
    callback: Annotated[str | None, typer.Option(help="callback URL to deliver events to")] = None,
) -> None:
    """Serve WeCom's API at /cgi-bin/ and the control API at /sandbox/ (see its README)."""
    cfg = SandboxConfig(
        host=host,
        port=port,
        seed=seed,
        employees=employees,
        customers=customers,
        corp_id=corp_id,
        secret=secret,
        token=token,
        aes_key=aes_key,
        callback_url=callback,
    )
    console.print(
        f"WeCom sandbox for {corp_id} on http://{host}:{port} "
        f"({employees} employees, {customers} customers, seed {seed}); to register it, allow "
        f"it first: SIYU_WECOM_API_BASES=http://{host}:{port} siyu corp add --api-base ..."
    )
    run_sandbox(cfg)
