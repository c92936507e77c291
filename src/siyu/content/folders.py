"""Library folders: a tree per corp. Deleting a folder loses nothing: its items go to the
root, its child folders move up to its parent."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content import repository as repo
from siyu.content.models import ContentFolder
from siyu.content.schemas import FolderIn, FolderOut, FolderPatch, MoveIn
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.corps.models import Corp
from siyu.db.base import utcnow

MAX_FOLDERS = 1000


async def get(s: AsyncSession, corp_id: int, folder_id: int) -> ContentFolder:
    folder = await repo.get_folder(s, corp_id, folder_id)
    if folder is None:
        raise NotFound(f"folder {folder_id} does not exist")
    return folder


async def resolve(
    s: AsyncSession, corp_id: int, *, folder_id: int | None, name: str
) -> ContentFolder | None:
    """The folder by id; else the root folder of that name (created when missing); else None."""
    if folder_id is not None:
        return await get(s, corp_id, folder_id)
    name = name.strip()
    if not name:
        return None
    found = await repo.folder_by_name(s, corp_id, name, None)
    if found is None:
        found = ContentFolder(corp_id=corp_id, name=name, parent_id=None)
        s.add(found)
        await s.flush()
    return found


async def listing(s: AsyncSession, corp: Corp) -> list[FolderOut]:
    """Every folder with its number of (not archived) items; the tree is built by parent_id."""
    counts = await repo.folder_item_counts(s, corp.id)
    return [
        FolderOut.model_validate(f).model_copy(update={"items": counts.get(f.id, 0)})
        for f in await repo.folders(s, corp.id)
    ]


async def _unique(s: AsyncSession, corp_id: int, name: str, parent_id: int | None) -> None:
    if await repo.folder_by_name(s, corp_id, name, parent_id) is not None:
        raise Conflict(f"a folder named {name!r} already exists there")


async def create(s: AsyncSession, corp: Corp, data: FolderIn) -> ContentFolder:
    name = data.name.strip()
    if not name:
        raise InvalidInput("the folder name is empty")
    if data.parent_id is not None:
        await get(s, corp.id, data.parent_id)
    if len(await repo.folders(s, corp.id)) >= MAX_FOLDERS:
        raise Conflict(f"a library has at most {MAX_FOLDERS} folders")
    await _unique(s, corp.id, name, data.parent_id)
    folder = ContentFolder(corp_id=corp.id, name=name, parent_id=data.parent_id)
    s.add(folder)
    await s.flush()
    return folder


async def update(s: AsyncSession, corp: Corp, folder_id: int, data: FolderPatch) -> ContentFolder:
    """Rename and / or move a folder (never under itself or one of its descendants)."""
    folder = await get(s, corp.id, folder_id)
    parent_id = folder.parent_id
    if data.move_to_root:
        parent_id = None
    elif data.parent_id is not None:
        all_folders = {f.id: f for f in await repo.folders(s, corp.id)}
        if data.parent_id not in all_folders:
            raise NotFound(f"folder {data.parent_id} does not exist")
        walk: int | None = data.parent_id
        while walk is not None:
            if walk == folder.id:
                raise InvalidInput("a folder cannot move into itself or its own subfolder")
            walk = all_folders[walk].parent_id
        parent_id = data.parent_id
    name = data.name.strip() if data.name is not None else folder.name
    if not name:
        raise InvalidInput("the folder name is empty")
    if (name, parent_id) != (folder.name, folder.parent_id):
        await _unique(s, corp.id, name, parent_id)
    if name != folder.name:
        await repo.rename_items_folder(s, corp.id, folder.id, name)
    folder.name, folder.parent_id, folder.updated_at = name, parent_id, utcnow()
    await s.flush()
    return folder


async def delete(s: AsyncSession, corp: Corp, folder_id: int) -> dict[str, int]:
    folder = await get(s, corp.id, folder_id)
    items, children = await repo.empty_folder(s, corp.id, folder)
    await s.delete(folder)
    await s.flush()
    return {"items_moved_to_root": items, "folders_moved_up": children}


async def move(s: AsyncSession, corp: Corp, data: MoveIn) -> int:
    """Move items into a folder (or the root); the number moved."""
    target = await get(s, corp.id, data.folder_id) if data.folder_id is not None else None
    return await repo.move_items(s, corp.id, sorted(set(data.item_ids)), target)
