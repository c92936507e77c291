"""Siyu's WeCom sandbox: WeCom's HTTP surface and callbacks, simulated locally (see README.md)."""

from siyu.wecom.sandbox.server import Sandbox, SandboxConfig, create_sandbox_app, run_sandbox

__all__ = ["Sandbox", "SandboxConfig", "create_sandbox_app", "run_sandbox"]
