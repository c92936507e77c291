"""The WeCom callback endpoint: verify, store the raw event idempotently, acknowledge at once."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from siyu.corps import service as corps
from siyu.corps.deps import SessionDep, SettingsDep
from siyu.events.sink import CallbackConfig, CallbackConfigCache, EventSink
from siyu.events.spool import SpoolSink
from siyu.wecom.callbacks import parse_event
from siyu.wecom.crypto import CallbackCryptoError, SignatureError

log = logging.getLogger(__name__)
router = APIRouter(tags=["wecom"])
MAX_BODY = 64 * 1024


def _reject(status: int, corp_id: str, reason: str) -> PlainTextResponse:
    log.warning("callback for %s rejected (%s): %s", corp_id, status, reason)
    return PlainTextResponse(reason, status_code=status)


@router.get("/wecom/callback/{corp_id}", response_class=PlainTextResponse)
async def verify_url(
    corp_id: str,
    session: SessionDep,
    settings: SettingsDep,
    msg_signature: Annotated[str, Query()] = "",
    timestamp: Annotated[str, Query()] = "",
    nonce: Annotated[str, Query()] = "",
    echostr: Annotated[str, Query()] = "",
) -> PlainTextResponse:
    """WeCom's URL verification: answer the decrypted echostr (no quotes, no newline)."""
    corp = await corps.get_by_wecom_id(session, corp_id)
    if corp is None:
        return _reject(404, corp_id, "unknown corp")
    crypto = corps.callback_crypto(corp, secret_key=settings.secret_key.get_secret_value())
    try:
        return PlainTextResponse(crypto.verify_url(msg_signature, timestamp, nonce, echostr))
    except SignatureError as exc:
        return _reject(403, corp_id, str(exc))
    except CallbackCryptoError as exc:
        return _reject(400, corp_id, str(exc))


async def _callback_config(request: Request, corp_id: str) -> CallbackConfig | None:
    """The corp's callback crypto, cached briefly (a POST then needs no database read)."""
    cache: CallbackConfigCache = request.app.state.callback_configs
    found = cache.get(corp_id)
    if found is not None:
        return found
    settings = request.app.state.settings
    async with request.app.state.db.read() as session:
        corp = await corps.get_by_wecom_id(session, corp_id)
    if corp is None:
        return None
    crypto = corps.callback_crypto(corp, secret_key=settings.secret_key.get_secret_value())
    return cache.put(corp_id, corp.id, crypto)


@router.post("/wecom/callback/{corp_id}", response_class=PlainTextResponse)
async def receive(
    corp_id: str,
    request: Request,
    msg_signature: Annotated[str, Query()] = "",
    timestamp: Annotated[str, Query()] = "",
    nonce: Annotated[str, Query()] = "",
) -> PlainTextResponse:
    """An encrypted event: stored durably before the answer; the worker processes it after."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return _reject(400, corp_id, "body too large")
    config = await _callback_config(request, corp_id)
    if config is None:
        return _reject(404, corp_id, "unknown corp")
    try:
        xml = config.crypto.decrypt_body(body, msg_signature, timestamp, nonce)
        event = parse_event(xml, corp_id=corp_id)
    except SignatureError as exc:
        return _reject(403, corp_id, str(exc))
    except CallbackCryptoError as exc:
        return _reject(400, corp_id, str(exc))
    sink: EventSink | SpoolSink = request.app.state.event_sink
    await sink.store(config.corp_id, event, xml)  # redeliveries are recognised there
    return PlainTextResponse("")
