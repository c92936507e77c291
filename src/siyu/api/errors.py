"""Domain errors and WeCom errors → HTTP responses with a readable ``detail``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from siyu.core.errors import Conflict, Forbidden, InvalidInput, NotFound, SiyuError, UpstreamError
from siyu.core.secrets import SecretDecryptError
from siyu.wecom.errors import WeComError, WeComRateLimited, WeComUnavailable

STATUS = {
    NotFound: 404,
    InvalidInput: 422,
    Conflict: 409,
    Forbidden: 403,
    UpstreamError: 502,
    # the server's configuration, not the request: nothing the caller can fix by retrying
    SecretDecryptError: 503,
}


def install(app: FastAPI) -> None:
    @app.exception_handler(SiyuError)
    async def _domain(_: Request, exc: SiyuError) -> JSONResponse:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        return JSONResponse({"detail": exc.message}, status_code=status)

    @app.exception_handler(WeComError)
    async def _wecom(_: Request, exc: WeComError) -> JSONResponse:
        if isinstance(exc, WeComUnavailable | WeComRateLimited):
            why = "is rate-limiting" if isinstance(exc, WeComRateLimited) else "is unreachable"
            return JSONResponse(
                {
                    "detail": f"WeCom {why} ({exc.path}: {exc.errmsg}); nothing was changed, "
                    "try again in a minute",
                    "errcode": exc.errcode,
                },
                status_code=503,
                headers={"Retry-After": "60"},
            )
        return JSONResponse(
            {
                "detail": f"WeCom refused the request: {exc.errmsg} (errcode {exc.errcode})",
                "errcode": exc.errcode,
            },
            status_code=502,
        )
