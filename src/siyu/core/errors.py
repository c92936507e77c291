"""Domain errors (no HTTP here; ``siyu.api.errors`` maps them to status codes)."""

from __future__ import annotations


class SiyuError(Exception):
    """Base of every domain error; ``message`` is one sentence for a human, ``code`` (when set)
    a stable word a program can branch on."""

    code: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(SiyuError):
    """The thing does not exist in this corp."""


class InvalidInput(SiyuError):
    """The request is well-formed but not acceptable."""


class Conflict(SiyuError):
    """The request conflicts with the current state."""


class Forbidden(SiyuError):
    """The principal may not do this."""


class Gone(SiyuError):
    """The thing existed and is withdrawn for good (an archived item, a revoked link)."""


class PasswordChangeRequired(Forbidden):
    """The user signed in with a password someone else gave them and must change it first."""

    code = "password_change_required"


class Throttled(SiyuError):
    """Too many attempts: try again in ``retry_after`` seconds (HTTP 429 with Retry-After)."""

    code = "throttled"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(SiyuError):
    """WeCom refused or failed; ``errcode`` carries WeCom's code when there is one."""

    def __init__(self, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode
