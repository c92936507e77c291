"""Domain errors and WeCom errors → HTTP responses with a readable ``detail``.

No input gets a 5xx (docs/api.md, "Bounds and errors"): request schemas bound every integer
(``siyu.core.bounds``), and what the database still refuses becomes a 422 here: an integer no
column holds (SQLite's ``OverflowError``), a value PostgreSQL rejects (``DataError``:
numeric out of range, text too long) and an input nested too deep to walk (``RecursionError``,
also a JSON body deeper than Python's parser goes, which FastAPI answers 400). A validation
error whose input is too deep to echo is answered without that input.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from siyu.core.bounds import ID_MAX
from siyu.core.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    SiyuError,
    Throttled,
    UpstreamError,
)
from siyu.core.secrets import SecretDecryptError
from siyu.wecom.errors import WeComError, WeComRateLimited, WeComUnavailable

STATUS = {
    NotFound: 404,
    InvalidInput: 422,
    Conflict: 409,
    Forbidden: 403,
    Gone: 410,
    Throttled: 429,
    UpstreamError: 502,
    # the server's configuration, not the request: nothing the caller can fix by retrying
    SecretDecryptError: 503,
}

log = logging.getLogger(__name__)

OUT_OF_RANGE = f"a number in the request is out of range (ids are 1 to {ID_MAX})"


def _refused(request: Request, detail: str, exc: BaseException) -> JSONResponse:
    """422 for input the schema let through and the database (or a recursive walk) refused;
    logged, since a schema bound is what should have caught it."""
    log.warning("%s %s refused: %s (%r)", request.method, request.url.path, detail, exc)
    return JSONResponse({"detail": detail}, status_code=422)


def _validation_detail(errors: Any) -> Any:
    try:
        return jsonable_encoder(errors)
    except (RecursionError, ValueError):  # an input nested too deep to echo: leave it out
        return jsonable_encoder(
            [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in errors]
        )


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_detail(exc.errors())}, status_code=422)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        return _refused(request, OUT_OF_RANGE, exc)  # SQLite: int too large for INTEGER

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
        return _refused(request, f"the database refused a value of the request: {reason}", exc)

    @app.exception_handler(RecursionError)
    async def _deep(request: Request, exc: RecursionError) -> JSONResponse:
        return _refused(request, "the request is nested too deeply", exc)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if isinstance(exc.__cause__, RecursionError):  # FastAPI: "error parsing the body"
            return _refused(request, "the request body is nested too deeply", exc.__cause__)
        return await http_exception_handler(request, exc)

    @app.exception_handler(SiyuError)
    async def _domain(_: Request, exc: SiyuError) -> JSONResponse:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        body = (
            {"detail": exc.message}
            if exc.code is None
            else {"detail": exc.message, "code": exc.code}
        )
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else None
        return JSONResponse(body, status_code=status, headers=headers)

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
