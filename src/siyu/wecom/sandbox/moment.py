"""Sandbox: corp moments (企业朋友圈) — ``add_moment_task``, ``get_moment_task_result`` and
``get_moment_list``.

Limits from ``shared/wecom/API.md`` §2: text ≤2000 characters; attachments either ≤9 images,
or 1 video, or 1 link, one type only; ``sender_list.user_list`` ≤100,000; the jobid is valid
24 h; the task result reports ``moment_id`` and the invalid senders and tags. The task is
``creating`` (status 2) on the first poll and ``done`` (3) afterwards. ``get_moment_list``
(the reconcile source after a crash) is **not in API.md**: its shape here (start/end time
≤1 month, ``filter_type``, cursor, ``limit`` ≤100, ``moment_list[] {moment_id, create_time,
create_type, visible_type, text}``) follows the public SDKs and is unverified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from siyu.wecom.sandbox.api import INVALID, _decode_cursor, _encode_cursor, _int, route
from siyu.wecom.sandbox.contact_way import check_media
from siyu.wecom.sandbox.world import ApiError, World

TEXT_MAX = 2000
SENDERS_MAX = 100_000
JOB_TTL = 86400
LIST_RANGE_MAX = 31 * 86400


@dataclass
class MomentTask:
    jobid: str
    moment_id: str
    created: int
    text: str
    attachments: list[dict[str, Any]]
    senders: list[str]
    tags: list[str]
    invalid_senders: list[str] = field(default_factory=list)
    invalid_tags: list[str] = field(default_factory=list)
    polls: int = 0


@dataclass
class MomentState:
    tasks: dict[str, MomentTask] = field(default_factory=dict)


def moments(world: World) -> MomentState:
    state = getattr(world, "_moments", None)
    if state is None:
        state = MomentState()
        world._moments = state  # type: ignore[attr-defined]
    return state


def _attachments(world: World, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ApiError(INVALID, "attachments must be a list")
    kinds = {a.get("msgtype") if isinstance(a, dict) else None for a in value}
    if not value:
        return []
    if len(kinds) != 1 or kinds - {"image", "video", "link"}:
        raise ApiError(41065, "attachments: images, or one video, or one link, one type only")
    (kind,) = kinds
    if kind == "image" and len(value) > 9:
        raise ApiError(INVALID, "at most 9 images")
    if kind in ("video", "link") and len(value) > 1:
        raise ApiError(INVALID, f"at most one {kind}")
    for a in value:
        part = a.get(kind) or {}
        if kind in ("image", "video"):
            check_media(world, str(part.get("media_id") or ""), kind)
        elif not (part.get("title") and part.get("url")):
            raise ApiError(INVALID, "link attachments need a title and a url")
    return value


@route("externalcontact/add_moment_task", contact=True)
def add_moment_task(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    text = str((body.get("text") or {}).get("content") or "")
    if len(text) > TEXT_MAX:
        raise ApiError(INVALID, f"text.content exceeds {TEXT_MAX} characters")
    attachments = _attachments(world, body.get("attachments") or [])
    if not text and not attachments:
        raise ApiError(INVALID, "text and attachments may not both be empty")
    rng = body.get("visible_range") or {}
    senders_in = rng.get("sender_list") or {}
    users = [str(u) for u in senders_in.get("user_list") or []]
    deps = [int(d) for d in senders_in.get("department_list") or []]
    if len(users) > SENDERS_MAX:
        raise ApiError(INVALID, f"user_list exceeds {SENDERS_MAX}")
    tags = [str(t) for t in (rng.get("external_contact_list") or {}).get("tag_list") or []]
    valid = [u for u in users if u in world.employees and world.employees[u].contact_enabled]
    for dep in deps:
        if dep in world.departments:
            scope = set(world.department_tree(dep))
            valid += [
                e.userid
                for e in world.employees.values()
                if scope.intersection(e.department) and e.userid not in valid
            ]
    if not users and not deps:
        valid = [u for u, e in world.employees.items() if e.contact_enabled]
    task = MomentTask(
        jobid=world.new_id("job", 32),
        moment_id=world.new_id("mom", 28),
        created=int(world.now()),
        text=text,
        attachments=attachments,
        senders=list(dict.fromkeys(valid)),
        tags=[t for t in tags if t in world.tags],
        invalid_senders=[u for u in users if u not in valid],
        invalid_tags=[t for t in tags if t not in world.tags],
    )
    moments(world).tasks[task.jobid] = task
    return {"jobid": task.jobid}


@route("externalcontact/get_moment_task_result", "GET", contact=True)
def get_moment_task_result(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    task = moments(world).tasks.get(q.get("jobid", ""))
    if task is None or world.now() - task.created > JOB_TTL:
        raise ApiError(INVALID, f"invalid jobid: {q.get('jobid')}")
    task.polls += 1
    if task.polls == 1:
        return {"status": 2, "type": "add_moment_task"}
    return {
        "status": 3,
        "type": "add_moment_task",
        "result": {
            "errcode": 0,
            "errmsg": "ok",
            "moment_id": task.moment_id,
            "invalid_sender_list": {"user_list": task.invalid_senders},
            "invalid_external_contact_list": {"tag_list": task.invalid_tags},
        },
    }


@route("externalcontact/get_moment_list", contact=True)
def get_moment_list(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    start, end = _int(body.get("start_time"), "start_time"), _int(body.get("end_time"), "end_time")
    if not start or not end or end < start or end - start > LIST_RANGE_MAX:
        raise ApiError(INVALID, "start_time/end_time required, range ≤ one month")
    if _int(body.get("filter_type"), "filter_type", 2) == 1 or body.get("creator"):
        return {"moment_list": [], "next_cursor": ""}
    limit = _int(body.get("limit"), "limit", 20)
    if limit <= 0 or limit > 100:
        raise ApiError(INVALID, "limit must be 1..100")
    (pos,) = _decode_cursor(str(body.get("cursor") or ""), 1)
    found = [t for t in moments(world).tasks.values() if start <= t.created <= end]
    page = found[pos : pos + limit]
    items = [
        {
            "moment_id": t.moment_id,
            "create_time": str(t.created),
            "create_type": 0,
            "visible_type": 1 if t.tags else 0,
            "text": {"content": t.text},
        }
        for t in page
    ]
    more = pos + limit < len(found)
    return {"moment_list": items, "next_cursor": _encode_cursor(pos + limit) if more else ""}


def task_json(t: MomentTask) -> dict[str, Any]:
    return {
        "jobid": t.jobid,
        "moment_id": t.moment_id,
        "create_time": t.created,
        "text": t.text,
        "attachments": t.attachments,
        "senders": t.senders,
        "tags": t.tags,
        "invalid_senders": t.invalid_senders,
        "invalid_tags": t.invalid_tags,
    }
