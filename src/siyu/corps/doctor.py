"""Setup preflight: each check gives a verdict and, when it fails, the fix."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from siyu.core.errors import InvalidInput
from siyu.core.secrets import SecretDecryptError
from siyu.core.settings import WECOM_API
from siyu.corps import service
from siyu.corps.jssdk import trusted_domain
from siyu.corps.models import Corp
from siyu.wecom import jssdk
from siyu.wecom.auth import TokenCache
from siyu.wecom.client import WeComClient
from siyu.wecom.crypto import CallbackCrypto, signature
from siyu.wecom.errors import WeComError

TOKEN_FIXES = {
    40001: "the secret is wrong: copy the 客户联系 Secret (or your app's Secret) again",
    40013: "the corp id is wrong: copy the CorpID from 我的企业 → 企业信息",
    60020: "this server's IP is not trusted: add it to the app's 企业可信IP",
}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


async def run_checks(
    corp: Corp,
    *,
    secret_key: str,
    callback_base: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Check]:
    """Run every check in order; later WeCom checks are skipped when no token can be had."""
    try:
        creds = service.credentials(corp, secret_key=secret_key)
    except SecretDecryptError as exc:
        return [
            Check(
                "stored secrets",
                False,
                exc.message,
                "set SIYU_SECRET_KEY back to the key the corp was added with",
            )
        ]
    try:
        service.check_api_base(corp.api_base)
    except InvalidInput:  # stored before the allowlist, or written to the database directly
        return [
            Check(
                "API base",
                False,
                f"the corp's API base {corp.api_base} is neither WeCom's nor listed in "
                "SIYU_WECOM_API_BASES: the secret was not sent there",
                f"set it back with `siyu corp add ... --replace --api-base "
                f"{WECOM_API}`, or list it in SIYU_WECOM_API_BASES if it is yours",
            )
        ]
    checks: list[Check] = []
    async with httpx.AsyncClient(base_url=corp.api_base, transport=transport, timeout=10) as http:
        try:
            r = await http.get(
                "/cgi-bin/gettoken",
                params={"corpid": corp.wecom_corp_id, "corpsecret": creds.secret},
            )
            data = r.json()
            code = int(data.get("errcode", 0) or 0)
            if code == 0 and data.get("access_token"):
                checks.append(
                    Check("credentials", True, "the corp id and secret get an access token")
                )
            else:
                checks.append(
                    Check(
                        "credentials",
                        False,
                        f"gettoken: {data.get('errmsg')} (errcode {code})",
                        TOKEN_FIXES.get(code, "check the corp id and secret with `siyu corp add`"),
                    )
                )
        except (httpx.HTTPError, ValueError) as exc:
            checks.append(
                Check(
                    "credentials",
                    False,
                    f"cannot reach {corp.api_base}: {exc}",
                    "check the network and the API base URL of the corp",
                )
            )
    if checks[-1].ok:
        async with WeComClient(
            corp_id=corp.wecom_corp_id,
            secret=creds.secret,
            base_url=corp.api_base,
            transport=transport,
        ) as client:
            checks.extend(await _contact_checks(client))
            checks.extend(await _jssdk_checks(corp, client, callback_base))
    checks.append(_callback_config(creds.token, creds.aes_key))
    if checks[-1].ok:
        checks.append(
            await _callback_route(corp, creds.token, creds.aes_key, callback_base, transport)
        )
    return checks


async def _contact_checks(client: WeComClient) -> list[Check]:
    out: list[Check] = []
    try:
        users = await client.get_follow_user_list()
        out.append(
            Check("contact permission", True, "the secret may call the customer-contact API")
        )
        out.append(
            Check(
                "employees",
                bool(users),
                f"{len(users)} employees have customer contact",
                "" if users else "enable 客户联系 for employees in 客户联系 → 权限配置",
            )
        )
    except WeComError as exc:
        fix = (
            "use the 客户联系 secret, or add your app to 客户联系 → 可调用应用"
            if exc.errcode == 48002
            else "see WeCom's error code list"
        )
        out.append(Check("contact permission", False, f"{exc.errmsg} (errcode {exc.errcode})", fix))
        return out
    try:
        groups = await client.get_corp_tag_list()
        out.append(Check("tags", True, f"{len(groups)} tag groups can be read"))
    except WeComError as exc:
        out.append(
            Check(
                "tags",
                False,
                f"{exc.errmsg} (errcode {exc.errcode})",
                "give the secret's app permission on 企业客户标签",
            )
        )
    return out


async def _jssdk_checks(corp: Corp, client: WeComClient, public_base: str) -> list[Check]:
    """The sidebars' JS-SDK: the app's agent id, both jsapi tickets, the trusted domain."""
    if corp.agent_id is None:
        return [
            Check(
                "JS-SDK app",
                False,
                "no agent id is configured: the sidebars cannot register the JS-SDK",
                "add the AgentId of the self-built app whose Secret Siyu uses: "
                "`siyu corp add ... --replace --agent-id <AgentId>`",
            )
        ]
    out = []
    fresh = TokenCache()  # fetched now, not taken from a cache
    try:
        await jssdk.corp_ticket(client, cache=fresh)
        await jssdk.agent_ticket(client, cache=fresh)
        out.append(
            Check(
                "JS-SDK tickets",
                True,
                f"the corp's jsapi ticket and app {corp.agent_id}'s ticket can be fetched",
            )
        )
    except WeComError as exc:
        out.append(
            Check(
                "JS-SDK tickets",
                False,
                f"{exc.path}: {exc.errmsg} (errcode {exc.errcode})",
                f"use the Secret of the self-built app {corp.agent_id} (应用管理 → 自建), "
                "and add that app to 客户联系 → 可调用应用",
            )
        )
    domain = trusted_domain(public_base)
    out.append(
        Check(
            "trusted domain (可信域名)",
            True,
            f"set app {corp.agent_id}'s 可信域名 (网页授权及JS-SDK) to {domain}: the sidebars "
            f"and the workbench are pages of {public_base.rstrip('/')}",
        )
    )
    return out


def _callback_config(token: str, aes_key: str) -> Check:
    try:
        service.validate_callback_config(token, aes_key)
    except InvalidInput as exc:
        return Check(
            "callback config",
            False,
            exc.message,
            "re-register with the Token and EncodingAESKey shown in WeCom's 接收事件服务器 page",
        )
    return Check("callback config", True, "the token and EncodingAESKey are well-formed")


async def _callback_route(
    corp: Corp, token: str, aes_key: str, base: str, transport: httpx.AsyncBaseTransport | None
) -> Check:
    """Send WeCom's URL verification to our own callback route and expect the echo back."""
    crypto = CallbackCrypto(token, aes_key, corp.wecom_corp_id)
    echo = "siyu-doctor-echo"
    _, params = crypto.encrypt_envelope("")
    echostr = crypto.encrypt(echo)
    params["msg_signature"] = signature(token, params["timestamp"], params["nonce"], echostr)
    params["echostr"] = echostr
    url = f"{base.rstrip('/')}/wecom/callback/{corp.wecom_corp_id}"
    try:
        async with httpx.AsyncClient(transport=transport if transport else None, timeout=5) as http:
            r = await http.get(url, params=params)
    except httpx.HTTPError as exc:
        return Check(
            "callback route",
            False,
            f"{url} did not answer: {exc}",
            "start Siyu (`siyu serve`) and make SIYU_PUBLIC_URL reachable by WeCom",
        )
    if r.status_code == 200 and r.text == echo:
        return Check("callback route", True, f"{url} answers WeCom's URL verification")
    return Check(
        "callback route",
        False,
        f"{url} answered HTTP {r.status_code}: {r.text[:80]}",
        "make sure this URL reaches Siyu and the corp's token/AES key match WeCom's settings",
    )
