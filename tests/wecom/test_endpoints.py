"""The callback endpoint: WeCom's URL verification and encrypted events, peer-compatible."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select
from tests.conftest import CorpHandle, Sandbox, Siyu, wait_for
from wechatpy.enterprise.crypto import WeChatCrypto

from siyu.db.session import Database
from siyu.events import spool
from siyu.events.models import InboundEvent
from siyu.wecom.crypto import CallbackCrypto, signature

EVENT = (
    "<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
    "<Event><![CDATA[change_external_contact]]></Event>"
    "<ChangeType><![CDATA[edit_external_contact]]></ChangeType>"
    "<UserID><![CDATA[{userid}]]></UserID><ExternalUserID><![CDATA[{ext}]]></ExternalUserID></xml>"
)


def _url(siyu: Siyu, corp_id: str) -> str:
    return f"{siyu.url}/wecom/callback/{corp_id}"


async def _events(db: Database) -> int:
    async with db.unit_of_work() as s:
        return int(await s.scalar(select(func.count()).select_from(InboundEvent)) or 0)


def _wechatpy_post(
    sb: Sandbox, xml: str, nonce: str = "12345", ts: str = "1700000001"
) -> tuple[str, dict[str, str]]:
    """What wechatpy (a peer implementation of WeCom's crypto) would POST."""
    peer = WeChatCrypto(sb.config.token, sb.config.aes_key, sb.config.corp_id)
    reply = peer.encrypt_message(xml, nonce, ts)
    enc = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", reply).group(1)  # type: ignore[union-attr]
    sig = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]>", reply).group(1)  # type: ignore[union-attr]
    body = f"<xml><ToUserName><![CDATA[{sb.config.corp_id}]]></ToUserName><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"
    return body, {"msg_signature": sig, "timestamp": ts, "nonce": nonce}


def test_url_verification(siyu: Siyu, corp: CorpHandle, sb: Sandbox) -> None:
    crypto = CallbackCrypto(sb.config.token, sb.config.aes_key, corp.wecom_corp_id)
    echostr = crypto.encrypt("1616140317555161061")
    params = {
        "timestamp": "1409659813",
        "nonce": "1372623149",
        "echostr": echostr,
        "msg_signature": signature(sb.config.token, "1409659813", "1372623149", echostr),
    }
    r = httpx.get(_url(siyu, corp.wecom_corp_id), params=params)
    assert r.status_code == 200 and r.text == "1616140317555161061"
    bad = httpx.get(_url(siyu, corp.wecom_corp_id), params={**params, "msg_signature": "0" * 40})
    assert bad.status_code == 403
    unknown = httpx.get(_url(siyu, "wwnobody"), params=params)
    assert unknown.status_code == 404
    junk = "not-base64!!"
    garbled = {
        **params,
        "echostr": junk,
        "msg_signature": signature(sb.config.token, "1409659813", "1372623149", junk),
    }
    assert httpx.get(_url(siyu, corp.wecom_corp_id), params=garbled).status_code == 400


async def test_wechatpy_encrypted_event_is_accepted_once(
    siyu: Siyu, corp: CorpHandle, sb: Sandbox, db: Database
) -> None:
    employee = sb.get("/sandbox/employees")[0]["userid"]
    ext = sb.act("add_customer", userid=employee)["external_userid"]
    await _wait_processed(db)
    xml = EVENT.format(corp=corp.wecom_corp_id, userid=employee, ext=ext)
    body, params = _wechatpy_post(sb, xml)
    before = await _events(db)
    for _ in range(3):  # WeCom redelivers: the same event, three times
        r = httpx.post(_url(siyu, corp.wecom_corp_id), params=params, content=body)
        assert r.status_code == 200 and r.text == ""
    await _wait_processed(db)
    assert await _events(db) == before + 1


async def test_rejected_bodies_store_nothing(
    siyu: Siyu, corp: CorpHandle, sb: Sandbox, db: Database
) -> None:
    xml = EVENT.format(corp=corp.wecom_corp_id, userid="u", ext="wmx")
    body, params = _wechatpy_post(sb, xml)
    url = _url(siyu, corp.wecom_corp_id)
    assert (
        httpx.post(url, params={**params, "msg_signature": "f" * 40}, content=body).status_code
        == 403
    )
    assert httpx.post(url, params=params, content="<xml><Encrypt>").status_code == 400
    assert httpx.post(url, params=params, content="no xml at all").status_code == 400
    assert httpx.post(url, params=params, content="<xml><Foo/></xml>").status_code == 400
    assert httpx.post(_url(siyu, "wwnobody"), params=params, content=body).status_code == 404
    # Encrypted for another corp: the receive id does not match.
    other = CallbackCrypto(sb.config.token, sb.config.aes_key, "wwsomeoneelse")
    body2, params2 = other.encrypt_envelope(xml)
    assert httpx.post(url, params=params2, content=body2).status_code == 400
    # A different AES key: decryption fails.
    wrong_key = CallbackCrypto(sb.config.token, "B" * 43, corp.wecom_corp_id)
    body3, params3 = wrong_key.encrypt_envelope(xml)
    assert httpx.post(url, params=params3, content=body3).status_code == 400
    # Entity expansion ("billion laughs"), in the envelope or in a validly encrypted event
    laughs = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;">]>'
    wrapped = body.replace("<xml>", laughs + "<xml><Note>&b;</Note>", 1)
    assert httpx.post(url, params=params, content=wrapped).status_code == 400
    inner = CallbackCrypto(sb.config.token, sb.config.aes_key, corp.wecom_corp_id)
    body4, params4 = inner.encrypt_envelope(xml.replace("<xml>", laughs + "<xml><Note>&b;</Note>"))
    assert httpx.post(url, params=params4, content=body4).status_code == 400
    # an event that is not XML once decrypted
    body5, params5 = inner.encrypt_envelope("<xml><MsgType>event</Msg")
    assert httpx.post(url, params=params5, content=body5).status_code == 400
    assert await _events(db) == 0 and spool.count(db.url) == 0


async def _wait_processed(db: Database) -> None:
    async def pending() -> int:
        async with db.unit_of_work() as s:
            return int(
                await s.scalar(
                    select(func.count())
                    .select_from(InboundEvent)
                    .where(InboundEvent.status == "pending")
                )
                or 0
            )

    import anyio

    for _ in range(400):
        if spool.count(db.url) == 0 and await pending() == 0:
            return
        await anyio.sleep(0.05)
    raise AssertionError("events were not processed")


__all__ = ["_wait_processed", "wait_for"]
