"""``GET /api/v1/jssdk/config``: the signatures a console page needs for ``ww.register``."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from siyu.corps import jssdk
from siyu.corps.deps import PrincipalDep, WeComDep, get_settings

router = APIRouter(prefix="/jssdk", tags=["jssdk"])


class JssdkConfigOut(BaseModel):
    corpid: str = Field(description="the corp id (`corpId` of ww.register)")
    agentid: int = Field(description="the app's agent id (`agentId` of ww.register)")
    timestamp: int = Field(description="getConfigSignature: timestamp (s)")
    nonce_str: str = Field(description="getConfigSignature: nonceStr")
    signature: str = Field(description="getConfigSignature: signature (corp jsapi ticket)")
    agent_timestamp: int = Field(description="getAgentConfigSignature: timestamp (s)")
    agent_nonce_str: str = Field(description="getAgentConfigSignature: nonceStr")
    agent_signature: str = Field(description="getAgentConfigSignature: signature (app ticket)")
    sandbox_script: str | None = Field(
        default=None,
        description="sandbox corps only (absent for a corp on WeCom): the URL of the "
        "sandbox's stand-in for @wecom/jssdk, to load instead of WeCom's client",
    )


@router.get(
    "/config",
    response_model=JssdkConfigOut,
    response_model_exclude_none=True,
    summary="Signed JS-SDK config of a console page",
)
async def jssdk_config(
    request: Request,
    principal: PrincipalDep,
    client: WeComDep,
    url: str = Query(description="the page's URL (its #fragment is ignored)", max_length=4096),
) -> JssdkConfigOut:
    """Signatures of ``url`` for ``ww.register`` (``getConfigSignature`` with the corp's jsapi
    ticket, ``getAgentConfigSignature`` with the app's); only pages of this console's origin
    are signed (else 422). Any signed-in user or API key of the corp."""
    settings = get_settings(request)
    origin = settings.public_url.rstrip("/") or str(request.base_url)
    out = await jssdk.config(principal.corp, client, url=url, console_origin=origin)
    return JssdkConfigOut(**asdict(out))
