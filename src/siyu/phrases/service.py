"""The reply library's phrases and who sees them.

Data scope (enforced here, never in the router):

- corp phrases: admins, operators and API keys see and manage all of them; managers and staff
  see those published to everyone (no department) or to one of their departments, a
  department meaning its whole subtree;
- personal phrases: only their owner (the employee the console user is linked to) sees and
  edits them, whatever the role.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content import media as content_media
from siyu.content.models import ContentFile
from siyu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from siyu.core.pagination import decode_cursor, encode_cursor
from siyu.corps.principal import Principal
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.employees import service as employees
from siyu.phrases import repository as repo
from siyu.phrases.models import Phrase
from siyu.phrases.repository import Viewer
from siyu.phrases.schemas import PhraseIn, PhraseOut, PhrasePatch
from siyu.wecom import media_api
from siyu.wecom.client import WeComClient

MAX_CORP_PHRASES = 5000
MAX_PERSONAL_PHRASES = 500
MEDIA_MARGIN = content_media.MEDIA_MARGIN


async def viewer(s: AsyncSession, principal: Principal) -> Viewer:
    """The principal's view of the library: their departments with every ancestor (a phrase
    published to 销售部 reaches 销售一组)."""
    userid = principal.userid or None
    if principal.full_access or userid is None:
        return Viewer(principal.full_access, userid, frozenset())
    try:
        emp = await employees.get_employee(s, principal.corp_id, userid)
    except NotFound:
        return Viewer(False, userid, frozenset())
    parents = await employees.department_parents(s, principal.corp_id)
    depts: set[int] = set()
    for d in emp.department_ids:
        walk: int | None = d
        while walk is not None and walk not in depts:
            depts.add(walk)
            walk = parents.get(walk)
    return Viewer(False, userid, frozenset(depts))


def editable(principal: Principal, phrase: Phrase) -> bool:
    if phrase.scope == "corp":
        return principal.full_access
    return bool(principal.userid) and phrase.owner_userid == principal.userid


async def get_visible(s: AsyncSession, principal: Principal, phrase_id: int) -> Phrase:
    """The phrase if the principal may see it (else 404: its existence is not told)."""
    stmt = repo.visible(scoped(Phrase, principal.corp_id), await viewer(s, principal))
    phrase = await s.scalar(stmt.where(Phrase.id == phrase_id))
    if phrase is None:
        raise NotFound(f"phrase {phrase_id} does not exist")
    return phrase


async def get_editable(s: AsyncSession, principal: Principal, phrase_id: int) -> Phrase:
    phrase = await get_visible(s, principal, phrase_id)
    if not editable(principal, phrase):
        raise Forbidden("only admins and operators change corp phrases")
    return phrase


def _owner(principal: Principal) -> str:
    if not principal.userid:
        raise Forbidden("personal phrases belong to an employee; this account is not linked to one")
    return principal.userid


def _check_url(url: str, what: str) -> None:
    if url and not url.startswith(("https://", "http://")):
        raise InvalidInput(f"the {what} must start with https:// or http://")


async def check_content(s: AsyncSession, corp_id: int, phrase: Phrase) -> None:
    """What each kind needs, as a clear 4xx."""
    kind = phrase.kind
    if kind == "text" and not phrase.body.strip():
        raise InvalidInput("a text phrase needs its words (body)")
    if kind == "image":
        if phrase.file_id is None:
            raise InvalidInput("an image phrase needs an uploaded image (file_id)")
        f = await repo.image(s, corp_id, phrase.file_id)
        if f is None:
            raise NotFound(f"file {phrase.file_id} does not exist")
        if f.content_type not in ("image/jpeg", "image/png"):
            raise InvalidInput("an image phrase must be a JPG or PNG image (WeCom's limit)")
    if kind == "link":
        if not phrase.url:
            raise InvalidInput("a link phrase needs its URL")
        _check_url(phrase.url, "link")
    if kind == "miniprogram":
        if not phrase.appid.strip() or not phrase.page.strip():
            raise InvalidInput("a mini-program phrase needs its appid and page")
        if not phrase.cover:
            raise InvalidInput("a mini-program phrase needs a cover image URL")
    _check_url(phrase.cover, "cover URL")


async def _check_folder(s: AsyncSession, corp_id: int, folder_id: int | None) -> None:
    if folder_id is not None and await repo.folder(s, corp_id, folder_id) is None:
        raise NotFound(f"folder {folder_id} does not exist")


async def create(s: AsyncSession, principal: Principal, data: PhraseIn) -> Phrase:
    corp_id = principal.corp_id
    owner = ""
    if data.scope == "corp":
        principal.require_full_access()
        await _check_folder(s, corp_id, data.folder_id)
        if await repo.count_scope(s, corp_id, "corp") >= MAX_CORP_PHRASES:
            raise Conflict(f"a corp has at most {MAX_CORP_PHRASES} corp phrases")
    else:
        owner = _owner(principal)
        if data.folder_id is not None or data.department_ids:
            raise InvalidInput("personal phrases have no folder and no departments")
        if await repo.count_scope(s, corp_id, "personal", owner) >= MAX_PERSONAL_PHRASES:
            raise Conflict(f"an employee has at most {MAX_PERSONAL_PHRASES} personal phrases")
    phrase = Phrase(
        corp_id=corp_id,
        scope=data.scope,
        owner_userid=owner,
        created_by=principal.name[:100],
        **data.model_dump(exclude={"scope"}),
    )
    phrase.title = phrase.title.strip()
    if not phrase.title:
        raise InvalidInput("the title is empty")
    phrase.department_ids = sorted(set(data.department_ids))
    await check_content(s, corp_id, phrase)
    phrase.position = await repo.next_position(s, corp_id, data.scope, data.folder_id)
    s.add(phrase)
    await s.flush()
    await repo.set_departments(s, phrase, phrase.department_ids)
    return phrase


async def update(
    s: AsyncSession, principal: Principal, phrase_id: int, data: PhrasePatch
) -> Phrase:
    phrase = await get_editable(s, principal, phrase_id)
    changes = data.model_dump(exclude_unset=True, exclude={"no_folder", "department_ids"})
    if phrase.scope == "personal" and (
        data.folder_id is not None or data.department_ids or data.no_folder
    ):
        raise InvalidInput("personal phrases have no folder and no departments")
    if "folder_id" in changes and changes["folder_id"] is None:
        changes.pop("folder_id")  # null means "unchanged"; no_folder empties it
    if data.no_folder:
        changes["folder_id"] = None
    await _check_folder(s, principal.corp_id, changes.get("folder_id"))
    moved = "folder_id" in changes and changes["folder_id"] != phrase.folder_id
    for key, value in changes.items():
        setattr(phrase, key, value.strip() if key == "title" else value)
    if not phrase.title:
        raise InvalidInput("the title is empty")
    if "file_id" in changes:
        phrase.media_id, phrase.media_uploaded_at = "", None
    await check_content(s, principal.corp_id, phrase)
    if moved:
        phrase.position = await repo.next_position(
            s, principal.corp_id, phrase.scope, phrase.folder_id
        )
    if data.department_ids is not None:
        phrase.department_ids = sorted(set(data.department_ids))
        await repo.set_departments(s, phrase, phrase.department_ids)
    phrase.updated_at = utcnow()
    await s.flush()
    return phrase


async def delete(s: AsyncSession, principal: Principal, phrase_id: int) -> None:
    phrase = await get_editable(s, principal, phrase_id)
    await s.delete(phrase)
    await s.flush()


async def reorder(s: AsyncSession, principal: Principal, ids: list[int]) -> int:
    """Put phrases of one list (one folder of corp phrases, or one's personal phrases) in the
    given order."""
    if len(set(ids)) != len(ids):
        raise InvalidInput("an id is listed twice")
    phrases = [await get_editable(s, principal, i) for i in ids]
    lists = {(p.scope, p.folder_id) for p in phrases}
    if len(lists) > 1:
        raise InvalidInput("reorder the phrases of one folder (or your own phrases) at a time")
    for position, phrase in enumerate(phrases):
        phrase.position = position
    await s.flush()
    return len(phrases)


async def search(
    s: AsyncSession,
    principal: Principal,
    *,
    cursor: str | None,
    limit: int,
    **filters: Any,
) -> tuple[list[Phrase], str | None]:
    after: tuple[int, int] | None = None
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not all(isinstance(v, int) for v in values):
            raise InvalidInput("the cursor is not valid; use next_cursor from a previous page")
        after = (values[0], values[1])
    stmt = repo.phrases_query(principal.corp_id, await viewer(s, principal), **filters)
    rows = await repo.page(s, stmt, after=after, limit=limit + 1)
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        nxt = encode_cursor([rows[-1].position, rows[-1].id])
    return rows, nxt


async def out(s: AsyncSession, principal: Principal, phrases: list[Phrase]) -> list[PhraseOut]:
    folder_names = {f.id: f.name for f in await repo.folders(s, principal.corp_id)}
    dept_names: dict[int, str] = {}
    if any(p.department_ids for p in phrases):
        dept_names = dict(await repo.department_names(s, principal.corp_id))
    return [
        PhraseOut.model_validate(p).model_copy(
            update={
                "folder": folder_names.get(p.folder_id or 0, ""),
                "departments": [dept_names.get(d, str(d)) for d in p.department_ids],
                "editable": editable(principal, p),
            }
        )
        for p in phrases
    ]


async def record_use(s: AsyncSession, principal: Principal, phrase_id: int) -> Phrase:
    """One send of a visible phrase by the caller (their employee's userid, "" for none)."""
    phrase = await get_visible(s, principal, phrase_id)
    await repo.record_use(s, phrase, principal.userid or "", utcnow())
    return phrase


async def store_image(
    s: AsyncSession, principal: Principal, *, filename: str, content: bytes
) -> ContentFile:
    """An uploaded image (JPG or PNG, ≤10 MB, detected from its bytes) to use as ``file_id``."""
    if not principal.full_access:
        _owner(principal)  # staff upload images for their own phrases only
    return await content_media.store(
        s, principal.corp_id, kind="image", filename=filename, content=content
    )


async def image_of(s: AsyncSession, principal: Principal, phrase_id: int) -> ContentFile:
    phrase = await get_visible(s, principal, phrase_id)
    if phrase.file_id is None:
        raise NotFound(f"phrase {phrase_id} has no image")
    f = await repo.image(s, principal.corp_id, phrase.file_id)
    if f is None:
        raise NotFound(f"the image of phrase {phrase_id} is gone")
    return f


def _media_alive(phrase: Phrase, now: datetime) -> bool:
    at = phrase.media_uploaded_at
    return (
        bool(phrase.media_id) and at is not None and at + media_api.MEDIA_TTL - MEDIA_MARGIN > now
    )


async def ensure_media(
    s: AsyncSession,
    principal: Principal,
    client: WeComClient,
    phrase_id: int,
    *,
    fresh: bool = False,
) -> Phrase:
    """The image phrase's temporary WeCom media id (``media/upload``, 3 days), uploaded again
    when missing, nearly expired or ``fresh``: what ``sendChatMessage`` needs for an image."""
    phrase = await get_visible(s, principal, phrase_id)
    if phrase.kind != "image":
        raise InvalidInput("only image phrases are uploaded to WeCom")
    now = utcnow()
    if fresh or not _media_alive(phrase, now):
        f = await image_of(s, principal, phrase_id)
        phrase.media_id = await media_api.upload_temporary(
            client,
            kind="image",
            filename=f.filename,
            content=f.content,
            content_type=f.content_type,
        )
        phrase.media_uploaded_at = now
        await s.flush()
    return phrase
