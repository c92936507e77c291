"""The signed JS-SDK configuration of a page of the console (the chat sidebars, the workbench).

``@wecom/jssdk``'s ``ww.register`` asks the page for two signatures of its URL: one with the
corp's jsapi ticket (``getConfigSignature``) and one with the app's (``getAgentConfigSignature``).
Siyu signs here, server-side as WeCom requires (document/path/96909), with tickets cached per
corp by :mod:`siyu.wecom.jssdk`. Only pages of the console's own origin are signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from siyu.core.errors import Conflict, InvalidInput
from siyu.core.settings import WECOM_API
from siyu.corps.models import Corp
from siyu.wecom import jssdk
from siyu.wecom.client import WeComClient

URL_MAX = 2048
#: where a sandbox serves its stand-in for ``@wecom/jssdk`` (siyu.wecom.sandbox.jssdk)
SANDBOX_SCRIPT = "/sandbox/jssdk/ww.js"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class JssdkConfig:
    corpid: str
    agentid: int
    timestamp: int
    nonce_str: str
    signature: str
    agent_timestamp: int
    agent_nonce_str: str
    agent_signature: str
    sandbox_script: str | None


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL (default port dropped), else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    shown = "" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}"
    return f"{scheme}://{host}{shown}"


def trusted_domain(base_url: str) -> str:
    """The app's 可信域名 for pages under ``base_url``: the host, with a non-default port."""
    origin = origin_of(base_url) or base_url
    return origin.split("://", 1)[-1]


def check_page_url(url: str, console_origin: str) -> str:
    """The page URL to sign (fragment removed), if it is an http(s) page of the console."""
    if len(url) > URL_MAX:
        raise InvalidInput(f"the url is longer than {URL_MAX} characters")
    origin = origin_of(url)
    if origin is None:
        raise InvalidInput("the url must be an http:// or https:// address")
    if origin != origin_of(console_origin):
        raise InvalidInput(
            f"only pages of this console ({origin_of(console_origin)}) are signed, not {origin}"
        )
    return jssdk.strip_fragment(url)


def sandbox_script(corp: Corp) -> str | None:
    """The stand-in ``ww`` script of a sandbox corp; None for a corp on WeCom itself."""
    return None if corp.api_base.rstrip("/") == WECOM_API else corp.api_base + SANDBOX_SCRIPT


async def config(corp: Corp, client: WeComClient, *, url: str, console_origin: str) -> JssdkConfig:
    """Both signatures of ``url`` (a page of ``console_origin``) for ``ww.register``."""
    page = check_page_url(url, console_origin)
    if corp.agent_id is None:
        raise Conflict(
            "the corp has no app (agent id) configured: the JS-SDK needs one; set it with "
            "`siyu corp add ... --replace --agent-id <id>`"
        )
    corp_sig = jssdk.new_signature(await jssdk.corp_ticket(client), page)
    agent_sig = jssdk.new_signature(await jssdk.agent_ticket(client), page)
    return JssdkConfig(
        corpid=corp.wecom_corp_id,
        agentid=corp.agent_id,
        timestamp=corp_sig.timestamp,
        nonce_str=corp_sig.nonce_str,
        signature=corp_sig.signature,
        agent_timestamp=agent_sig.timestamp,
        agent_nonce_str=agent_sig.nonce_str,
        agent_signature=agent_sig.signature,
        sandbox_script=sandbox_script(corp),
    )
