"""Folders of corp phrases: one ordered list per corp. Deleting a folder keeps its phrases
(they lose their folder)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.corps.principal import Principal
from siyu.db.base import utcnow
from siyu.phrases import repository as repo
from siyu.phrases.models import PhraseFolder
from siyu.phrases.schemas import PhraseFolderOut
from siyu.phrases.service import viewer

MAX_FOLDERS = 200


async def listing(s: AsyncSession, principal: Principal) -> list[PhraseFolderOut]:
    """Every folder in order, with the number of its phrases the caller sees."""
    counts = await repo.folder_counts(s, principal.corp_id, await viewer(s, principal))
    return [
        PhraseFolderOut.model_validate(f).model_copy(update={"phrases": counts.get(f.id, 0)})
        for f in await repo.folders(s, principal.corp_id)
    ]


async def get(s: AsyncSession, corp_id: int, folder_id: int) -> PhraseFolder:
    found = await repo.folder(s, corp_id, folder_id)
    if found is None:
        raise NotFound(f"folder {folder_id} does not exist")
    return found


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("the folder name is empty")
    return name


async def create(s: AsyncSession, corp_id: int, name: str) -> PhraseFolder:
    name = _name(name)
    existing = await repo.folders(s, corp_id)
    if len(existing) >= MAX_FOLDERS:
        raise Conflict(f"a reply library has at most {MAX_FOLDERS} folders")
    if any(f.name == name for f in existing):
        raise Conflict(f"a folder named {name!r} already exists")
    folder = PhraseFolder(
        corp_id=corp_id, name=name, position=max((f.position for f in existing), default=-1) + 1
    )
    s.add(folder)
    await s.flush()
    return folder


async def rename(s: AsyncSession, corp_id: int, folder_id: int, name: str) -> PhraseFolder:
    folder = await get(s, corp_id, folder_id)
    name = _name(name)
    if name != folder.name:
        if await repo.folder_by_name(s, corp_id, name) is not None:
            raise Conflict(f"a folder named {name!r} already exists")
        folder.name, folder.updated_at = name, utcnow()
        await s.flush()
    return folder


async def delete(s: AsyncSession, corp_id: int, folder_id: int) -> int:
    """Delete a folder; its phrases stay, without a folder. The number of them."""
    folder = await get(s, corp_id, folder_id)
    moved = await repo.empty_folder(s, corp_id, folder.id)
    await s.delete(folder)
    await s.flush()
    return moved


async def reorder(s: AsyncSession, corp_id: int, ids: list[int]) -> list[PhraseFolder]:
    """Put the folders in this order: every folder of the corp, each once."""
    existing = {f.id: f for f in await repo.folders(s, corp_id)}
    if len(set(ids)) != len(ids) or set(ids) != set(existing):
        raise InvalidInput("list every folder once, in the new order")
    for position, fid in enumerate(ids):
        existing[fid].position = position
    await s.flush()
    return [existing[i] for i in ids]
