"""Every query of the reply library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content.models import ContentFile
from siyu.db.repository import scoped
from siyu.employees.models import Department
from siyu.phrases.models import Phrase, PhraseDepartment, PhraseFolder, PhraseUse


@dataclass(frozen=True)
class Viewer:
    """Whose phrases a query returns: every corp phrase (``manage``) or those published to
    everyone or to one of ``departments``; plus the personal phrases of ``userid``."""

    manage: bool
    userid: str | None
    departments: frozenset[int]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def visible(stmt: Select[Any], viewer: Viewer) -> Select[Any]:
    p, d = Phrase, PhraseDepartment
    corp = p.scope == "corp"
    if not viewer.manage:
        everyone = ~exists().where(d.phrase_id == p.id)
        mine = (
            exists().where(d.phrase_id == p.id, d.dept_id.in_(sorted(viewer.departments)))
            if viewer.departments
            else None
        )
        corp = corp & (everyone if mine is None else or_(everyone, mine))
    if viewer.userid:
        return stmt.where(or_(corp, (p.scope == "personal") & (p.owner_userid == viewer.userid)))
    return stmt.where(corp)


def phrases_query(
    corp_id: int,
    viewer: Viewer,
    *,
    keyword: str | None = None,
    folder_id: int | None = None,
    no_folder: bool = False,
    kind: str | None = None,
    scope: str | None = None,
) -> Select[Any]:
    p = Phrase
    stmt = visible(scoped(p, corp_id), viewer)
    if scope:
        stmt = stmt.where(p.scope == scope)
    if kind:
        stmt = stmt.where(p.kind == kind)
    if folder_id is not None:
        stmt = stmt.where(p.folder_id == folder_id)
    elif no_folder:
        stmt = stmt.where(p.folder_id.is_(None))
    if keyword and keyword.strip():
        pattern = _like(keyword.strip())
        stmt = stmt.where(
            or_(
                func.lower(p.title).like(pattern, escape="\\"),
                func.lower(p.body).like(pattern, escape="\\"),
                func.lower(p.description).like(pattern, escape="\\"),
            )
        )
    return stmt


async def page(
    s: AsyncSession, stmt: Select[Any], *, after: tuple[int, int] | None, limit: int
) -> list[Phrase]:
    """Phrases by (position, id) after the cursor's key."""
    p = Phrase
    if after is not None:
        pos, pid = after
        stmt = stmt.where(or_(p.position > pos, (p.position == pos) & (p.id > pid)))
    stmt = stmt.order_by(p.position, p.id).limit(limit)
    return list((await s.scalars(stmt)).all())


async def get(s: AsyncSession, corp_id: int, phrase_id: int) -> Phrase | None:
    return await s.scalar(scoped(Phrase, corp_id).where(Phrase.id == phrase_id))


async def count_scope(s: AsyncSession, corp_id: int, scope: str, owner: str = "") -> int:
    stmt = scoped(Phrase, corp_id, func.count()).where(Phrase.scope == scope)
    if scope == "personal":
        stmt = stmt.where(Phrase.owner_userid == owner)
    return int(await s.scalar(stmt) or 0)


async def next_position(s: AsyncSession, corp_id: int, scope: str, folder_id: int | None) -> int:
    stmt = scoped(Phrase, corp_id, func.max(Phrase.position)).where(Phrase.scope == scope)
    stmt = stmt.where(
        Phrase.folder_id == folder_id if folder_id is not None else Phrase.folder_id.is_(None)
    )
    top = await s.scalar(stmt)
    return 0 if top is None else int(top) + 1


async def set_departments(s: AsyncSession, phrase: Phrase, dept_ids: Sequence[int]) -> None:
    await s.execute(delete(PhraseDepartment).where(PhraseDepartment.phrase_id == phrase.id))
    for dept in sorted(set(dept_ids)):
        s.add(PhraseDepartment(corp_id=phrase.corp_id, phrase_id=phrase.id, dept_id=dept))
    await s.flush()


async def folders(s: AsyncSession, corp_id: int) -> list[PhraseFolder]:
    stmt = scoped(PhraseFolder, corp_id).order_by(PhraseFolder.position, PhraseFolder.id)
    return list((await s.scalars(stmt)).all())


async def folder(s: AsyncSession, corp_id: int, folder_id: int) -> PhraseFolder | None:
    return await s.scalar(scoped(PhraseFolder, corp_id).where(PhraseFolder.id == folder_id))


async def folder_by_name(s: AsyncSession, corp_id: int, name: str) -> PhraseFolder | None:
    return await s.scalar(scoped(PhraseFolder, corp_id).where(PhraseFolder.name == name))


async def folder_counts(s: AsyncSession, corp_id: int, viewer: Viewer) -> dict[int, int]:
    p = Phrase
    stmt = visible(scoped(p, corp_id, p.folder_id, func.count()), viewer)
    stmt = stmt.where(p.folder_id.is_not(None)).group_by(p.folder_id)
    return {int(f): int(n) for f, n in (await s.execute(stmt)).all()}


async def empty_folder(s: AsyncSession, corp_id: int, folder_id: int) -> int:
    result = await s.execute(
        update(Phrase)
        .where(Phrase.corp_id == corp_id, Phrase.folder_id == folder_id)
        .values(folder_id=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def department_names(s: AsyncSession, corp_id: int) -> list[tuple[int, str]]:
    """(dept_id, name) of the corp's departments, by dept_id."""
    d = Department
    rows = await s.execute(scoped(d, corp_id, d.dept_id, d.name).order_by(d.dept_id))
    return [(int(i), str(n)) for i, n in rows.all()]


async def image(s: AsyncSession, corp_id: int, file_id: int) -> ContentFile | None:
    return await s.scalar(scoped(ContentFile, corp_id).where(ContentFile.id == file_id))


async def record_use(s: AsyncSession, phrase: Phrase, userid: str, at: datetime) -> None:
    s.add(PhraseUse(corp_id=phrase.corp_id, phrase_id=phrase.id, userid=userid, used_at=at))
    await s.execute(update(Phrase).where(Phrase.id == phrase.id).values(uses=Phrase.uses + 1))
    await s.flush()
    await s.refresh(phrase, ["uses"])


async def top_phrases(
    s: AsyncSession, corp_id: int, since: datetime, until: datetime, limit: int
) -> list[tuple[Phrase, int]]:
    u = PhraseUse
    n = func.count(u.id).label("n")
    counts = (
        scoped(u, corp_id, u.phrase_id, n)
        .where(u.used_at >= since, u.used_at < until)
        .group_by(u.phrase_id)
        .subquery()
    )
    stmt = (
        select(Phrase, counts.c.n)
        .join(counts, counts.c.phrase_id == Phrase.id)
        .where(Phrase.scope == "corp")  # personal phrases are their owner's only
        .order_by(counts.c.n.desc(), Phrase.id)
        .limit(limit)
    )
    return [(p, int(c)) for p, c in (await s.execute(stmt)).all()]


async def uses_per_employee(
    s: AsyncSession, corp_id: int, since: datetime, until: datetime
) -> list[tuple[str, int, int]]:
    u = PhraseUse
    stmt = (
        scoped(u, corp_id, u.userid, func.count(u.id), func.count(u.phrase_id.distinct()))
        .where(u.used_at >= since, u.used_at < until)
        .group_by(u.userid)
        .order_by(func.count(u.id).desc(), u.userid)
    )
    return [(str(a), int(b), int(c)) for a, b, c in (await s.execute(stmt)).all()]


async def total_uses(s: AsyncSession, corp_id: int, since: datetime, until: datetime) -> int:
    u = PhraseUse
    stmt = scoped(u, corp_id, func.count(u.id)).where(u.used_at >= since, u.used_at < until)
    return int(await s.scalar(stmt) or 0)
