"""Sign-in routes: password, WeCom (OAuth / web login), logout, me, password change."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from siyu.accounts import auth as accounts_auth
from siyu.accounts import service, sessions
from siyu.accounts.models import ConsoleUser
from siyu.accounts.schemas import CorpChoice, LoginIn, MeOut, PasswordIn
from siyu.core.errors import Forbidden, InvalidInput
from siyu.core.settings import Settings
from siyu.corps import service as corps
from siyu.corps.deps import PrincipalDep, SessionDep, SettingsDep, get_settings, public_url
from siyu.corps.principal import Principal

router = APIRouter(prefix="/auth", tags=["auth"])
DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
OAUTH_PATH = "/api/v1/auth/wecom"


def _set_session(response: Response, settings: Settings, user: ConsoleUser) -> str:
    value, csrf = sessions.issue(
        settings.secret_key.get_secret_value(), user_id=user.id, epoch=user.session_epoch
    )
    sessions.set_cookies(
        response,
        value,
        csrf,
        max_age=sessions.cookie_age(settings.session_idle_minutes * 60),
        secure=settings.base_url.startswith("https://"),
    )
    return csrf


def me_of(principal: Principal, csrf: str | None = None, *, must_change: bool = False) -> MeOut:
    visible = principal.visible_userids
    return MeOut(
        kind=principal.kind,
        name=principal.name,
        role=principal.role,
        user_id=principal.user_id,
        userid=principal.userid,
        corp_id=principal.corp_id,
        wecom_corp_id=principal.corp.wecom_corp_id,
        corp_name=principal.corp.name,
        timezone=principal.corp.timezone,
        full_access=principal.full_access,
        is_admin=principal.is_admin,
        visible_userids=sorted(visible) if visible is not None else None,
        csrf_token=csrf,
        must_change_password=must_change,
    )


@router.get("/corps", response_model=list[CorpChoice])
async def corps_to_sign_in(session: SessionDep) -> list[CorpChoice]:
    """The corps one can sign in to, by name (public: the sign-in page shows a choice when there
    are several). A self-hosted Siyu serves one company's corps (README, "Several corps")."""
    return [
        CorpChoice(wecom_corp_id=c.wecom_corp_id, name=c.name)
        for c in await corps.list_corps(session)
    ]


@router.post(
    "/login",
    response_model=MeOut,
    responses={403: {"description": "wrong password"}, 429: {"description": "wait Retry-After"}},
)
async def login(
    request: Request, session: SessionDep, settings: SettingsDep, body: LoginIn, response: Response
) -> MeOut | JSONResponse:
    """Sign in with a username and password; sets the session and CSRF cookies.

    Failures are audited (username tried and IP) and throttled per username and per IP: 429
    with Retry-After (docs/security.md, "Sessions and sign-in")."""
    corp = await corps.resolve(session, body.corp)
    ip = request.client.host if request.client else ""
    user = await service.login(
        session, corp, username=body.username, password=body.password, ip=ip, settings=settings
    )
    if user is None:  # answered, not raised: the unit of work commits the audited failure
        return JSONResponse({"detail": service.LOGIN_REFUSED}, status_code=403)
    csrf = _set_session(response, settings, user)
    principal = await service.principal_for(session, corp, user)
    return me_of(principal, csrf, must_change=user.must_change_password)


@router.post("/logout", status_code=204)
async def logout(
    request: Request, session: SessionDep, settings: SettingsDep, response: Response
) -> None:
    """Sign out: this user's session cookies stop working everywhere (a copy of the cookie
    too), and the browser's are deleted."""
    try:
        principal = await accounts_auth.from_cookie(request, session, settings)
    except Forbidden:  # no CSRF header: not from the console; the cookies go, the session stays
        principal = None
    if principal is not None and principal.user_id is not None:
        await service.logout(session, principal.user_id)
        request.state.principal = principal  # the audit log records the sign-out
    request.state.session_renewed = None
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    response.delete_cookie(sessions.CSRF_COOKIE, path="/")


def _me(principal: Principal, request: Request) -> MeOut:
    state = request.state
    return me_of(
        principal,
        getattr(state, "csrf", None),
        must_change=bool(getattr(state, "must_change_password", False)),
    )


@router.get("/me", response_model=MeOut)
async def me(principal: PrincipalDep, request: Request) -> MeOut:
    return _me(principal, request)


@router.get("/session", response_model=MeOut | None)
async def current_session(
    request: Request, session: SessionDep, settings: SettingsDep
) -> MeOut | None:
    """Who is signed in by cookie, or null (200 either way: the console asks before login)."""
    principal = await accounts_auth.from_cookie(request, session, settings)
    return _me(principal, request) if principal else None


@router.post("/password", status_code=204)
async def change_password(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    body: PasswordIn,
    response: Response,
) -> None:
    """Change your password; other sessions end, this one gets a fresh cookie. The only write
    allowed while a one-time password must be changed."""
    if principal.user_id is None:
        raise InvalidInput("API keys have no password")
    user = await service.change_password(
        session, principal.user_id, current=body.current_password, new=body.new_password
    )
    _set_session(response, settings, user)


def authorize_url(
    api_base: str, *, corp_id: str, agent_id: int | None, redirect: str, state: str
) -> str:
    """WeCom's sign-in page: the sandbox serves it at its root, real WeCom at open.weixin."""
    query = {
        "appid": corp_id,
        "redirect_uri": redirect,
        "response_type": "code",
        "scope": "snsapi_base",
        "agentid": str(agent_id or ""),
        "state": state,
    }
    if api_base.rstrip("/") == DEFAULT_API_BASE:
        return f"https://open.weixin.qq.com/connect/oauth2/authorize?{urlencode(query)}#wechat_redirect"
    return f"{api_base.rstrip('/')}/connect/oauth2/authorize?{urlencode(query)}"


def _safe_next(next_: str) -> str:
    return next_ if next_.startswith("/") and not next_.startswith("//") else "/"


@router.get("/wecom/start")
async def wecom_start(
    request: Request,
    session: SessionDep,
    corp: str | None = None,
    next: Annotated[str, Query(max_length=300)] = "/",
) -> RedirectResponse:
    """Redirect to WeCom's sign-in page (the sandbox's, for a sandbox corp).

    With several corps and none named (``?corp=`` on the sidebar's URL names it), the browser
    goes to the sign-in page, which asks which corp and comes back here with it.
    """
    settings = get_settings(request)
    if not corp and len(await corps.list_corps(session)) > 1:
        return RedirectResponse(
            f"/login?{urlencode({'next': _safe_next(next), 'wecom': '1'})}", 302
        )
    found = await corps.resolve(session, corp)
    state, cookie = sessions.sign_state(
        settings.secret_key.get_secret_value(), {"corp": found.id, "next": _safe_next(next)}
    )
    response = RedirectResponse(
        authorize_url(
            found.api_base,
            corp_id=found.wecom_corp_id,
            agent_id=found.agent_id,
            redirect=public_url(request, "wecom_callback"),
            state=state,
        ),
        302,
    )
    # Lax: sent on WeCom's top-level redirect back to the callback, not on cross-site posts
    response.set_cookie(
        sessions.OAUTH_COOKIE,
        cookie,
        max_age=sessions.STATE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
        path=OAUTH_PATH,
    )
    return response


@router.get("/wecom/callback", name="wecom_callback")
async def wecom_callback(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Query(max_length=512)],
    state: Annotated[str, Query(max_length=128)],
) -> RedirectResponse:
    """WeCom redirects here with ``code``: exchange it for the member and start a session."""
    settings = get_settings(request)
    cookie = request.cookies.get(sessions.OAUTH_COOKIE)
    data = sessions.read_state(settings.secret_key.get_secret_value(), state, cookie)
    if data is None:
        raise Forbidden(
            "the sign-in link expired, was tampered with or was started in another browser; "
            "start again"
        )
    corp = await corps.get(session, int(data["corp"]))
    transport = getattr(request.app.state, "wecom_transport", None)
    async with corps.wecom_client(
        corp, secret_key=settings.secret_key.get_secret_value(), transport=transport
    ) as client:
        userid = await client.get_user_info(code)
    user = await service.login_employee(session, corp, userid=userid)
    response = RedirectResponse(_safe_next(str(data.get("next", "/"))), 302)
    _set_session(response, settings, user)
    response.delete_cookie(sessions.OAUTH_COOKIE, path=OAUTH_PATH)
    return response
