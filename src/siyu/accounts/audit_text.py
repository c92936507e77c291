"""The audit log as sentences a person reads: "启动营销任务「会员日福利推送」", not
``POST /api/v1/tasks/{task_id}/start``.

Each recorded route has a verb phrase in both languages and the kind of object its path names;
the object's name is read from its table by name through the shared metadata (the tables of the
domains above ``accounts`` are not imported here), and the console page that shows it is the link.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.db.base import Base


@dataclass(frozen=True)
class Kind:
    """A kind of object: its words, its table and name column, the console page that shows it."""

    zh: str
    en: str
    table: str = ""
    key: str = "id"  # the column the path's parameter matches
    name: str = "name"
    page: str = ""  # console route; ``{id}`` is the object's id


KINDS: dict[str, Kind] = {
    "channel": Kind("渠道活码", "channel code", "channel_codes", page="/channel-codes"),
    "group_code": Kind("群活码", "group code", "group_codes", page="/group-codes"),
    "customer": Kind("客户", "customer", "customers", page="/customers"),
    "broadcast": Kind("群发", "broadcast", "broadcasts", page="/broadcasts/{id}"),
    "content": Kind("内容", "content", "content_items", name="title", page="/content"),
    "folder": Kind("内容分组", "content folder", "content_folders", page="/content"),
    "stage": Kind("客户阶段", "customer stage", "customer_stages", page="/settings"),
    "rule_tag": Kind("规则标签", "rule tag", "rule_tags", page="/tags"),
    "segment": Kind("客户分群", "segment", "segments", page="/segments"),
    "api_key": Kind("API 密钥", "API key", "api_keys", page="/settings"),
    "user": Kind("控制台用户", "console user", "console_users", name="username", page="/settings"),
    "sop": Kind("SOP", "SOP", "sop_templates", page="/sop"),
    "todo": Kind("SOP 待办", "SOP to-do", page="/sop"),
    "tag_job": Kind("批量打标签任务", "batch tagging job", page="/customers"),
    "tag": Kind("标签", "tag", "tags", key="tag_id", page="/tags"),
    "tag_group": Kind("标签组", "tag group", "tag_groups", key="group_id", page="/tags"),
    "task": Kind("营销任务", "marketing task", "frontline_tasks", page="/tasks/{id}"),
    "phrase": Kind("话术", "phrase", "phrases", name="title", page="/phrases"),
    "phrase_folder": Kind("话术文件夹", "phrase folder", "phrase_folders", page="/phrases"),
    "custom_field": Kind("自定义字段", "custom field", "custom_fields", page="/settings"),
    "group_tag": Kind("群标签", "group tag", "group_tags", page="/groups"),
    "group": Kind("客户群", "group chat", "group_chats", key="chat_id", page="/groups"),
}

#: (method, route) → (zh verb phrase, en verb phrase, kind of the path's object or of what it
#: creates). The zh phrase is followed by the kind's word ("启动" + "营销任务").
ROUTES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("POST", "/api/v1/acquisition/assets"): ("上传", "uploaded an image for a", "channel"),
    ("POST", "/api/v1/acquisition/channels"): ("新建", "created a", "channel"),
    ("POST", "/api/v1/acquisition/channels/batch"): ("批量导入", "imported", "channel"),
    ("POST", "/api/v1/acquisition/channels/batch/preview"): (
        "预览批量导入",
        "previewed a batch import of",
        "channel",
    ),
    ("DELETE", "/api/v1/acquisition/channels/{channel_id}"): ("删除", "deleted", "channel"),
    ("PATCH", "/api/v1/acquisition/channels/{channel_id}"): ("修改", "edited", "channel"),
    ("POST", "/api/v1/acquisition/group-codes"): ("新建", "created a", "group_code"),
    ("DELETE", "/api/v1/acquisition/group-codes/{code_id}"): ("删除", "deleted", "group_code"),
    ("PUT", "/api/v1/acquisition/group-codes/{code_id}"): ("修改", "edited", "group_code"),
    ("PUT", "/api/v1/acquisition/owners/{customer_id}"): (
        "变更归属员工：",
        "reassigned the owner of",
        "customer",
    ),
    ("PUT", "/api/v1/acquisition/settings"): ("修改获客设置", "changed acquisition settings", ""),
    ("POST", "/api/v1/auth/login"): ("登录", "signed in", ""),
    ("POST", "/api/v1/auth/logout"): ("退出登录", "signed out", ""),
    ("POST", "/api/v1/auth/password"): ("修改密码", "changed their password", ""),
    ("POST", "/api/v1/broadcasts"): ("新建", "created a", "broadcast"),
    ("POST", "/api/v1/broadcasts/preview"): ("预览群发人群", "previewed a broadcast audience", ""),
    ("PUT", "/api/v1/broadcasts/settings"): ("修改群发设置", "changed broadcast settings", ""),
    ("POST", "/api/v1/broadcasts/{broadcast_id}/cancel"): ("取消", "cancelled", "broadcast"),
    ("POST", "/api/v1/broadcasts/{broadcast_id}/remind"): (
        "提醒员工发送",
        "reminded employees to send",
        "broadcast",
    ),
    ("POST", "/api/v1/broadcasts/{broadcast_id}/sync"): ("同步结果：", "synced", "broadcast"),
    ("POST", "/api/v1/content"): ("新建", "created", "content"),
    ("POST", "/api/v1/content/files"): ("上传文件到", "uploaded a file to", "content"),
    ("POST", "/api/v1/content/folders"): ("新建", "created a", "folder"),
    ("DELETE", "/api/v1/content/folders/{folder_id}"): ("删除", "deleted", "folder"),
    ("PATCH", "/api/v1/content/folders/{folder_id}"): ("修改", "edited", "folder"),
    ("POST", "/api/v1/content/move"): ("移动", "moved", "content"),
    ("POST", "/api/v1/content/upload"): ("上传", "uploaded", "content"),
    ("DELETE", "/api/v1/content/{item_id}"): ("删除", "deleted", "content"),
    ("PATCH", "/api/v1/content/{item_id}"): ("修改", "edited", "content"),
    ("POST", "/api/v1/content/{item_id}/radar-links"): (
        "生成雷达链接：",
        "made a radar link for",
        "content",
    ),
    ("POST", "/api/v1/content/{item_id}/radar-links/revoke"): (
        "撤销雷达链接：",
        "revoked radar links of",
        "content",
    ),
    ("POST", "/api/v1/content/{item_id}/restore"): ("恢复", "restored", "content"),
    ("POST", "/api/v1/content/{item_id}/wecom-media"): (
        "上传到企业微信：",
        "uploaded to WeCom",
        "content",
    ),
    ("POST", "/api/v1/customer-stages"): ("新建", "created a", "stage"),
    ("PUT", "/api/v1/customer-stages/order"): ("调整客户阶段顺序", "reordered customer stages", ""),
    ("DELETE", "/api/v1/customer-stages/{stage_id}"): ("删除", "deleted", "stage"),
    ("PATCH", "/api/v1/customer-stages/{stage_id}"): ("修改", "edited", "stage"),
    ("POST", "/api/v1/customers/{customer_id}/notes"): (
        "写跟进记录：",
        "wrote a note on",
        "customer",
    ),
    ("PUT", "/api/v1/customers/{customer_id}/remark"): (
        "修改备注：",
        "edited the remark of",
        "customer",
    ),
    ("PUT", "/api/v1/customers/{customer_id}/profile"): (
        "修改客户资料：",
        "edited the profile of",
        "customer",
    ),
    ("PUT", "/api/v1/customers/{customer_id}/follow-up"): (
        "设置下次跟进：",
        "set the next follow-up of",
        "customer",
    ),
    ("POST", "/api/v1/customer-fields"): ("新建", "created a", "custom_field"),
    ("PUT", "/api/v1/customer-fields/order"): (
        "调整自定义字段顺序",
        "reordered the custom fields",
        "",
    ),
    ("PATCH", "/api/v1/customer-fields/{field_id}"): ("修改", "edited", "custom_field"),
    ("DELETE", "/api/v1/customer-fields/{field_id}"): ("删除", "deleted", "custom_field"),
    ("POST", "/api/v1/group-tags"): ("新建", "created a", "group_tag"),
    ("PATCH", "/api/v1/group-tags/{tag_id}"): ("修改", "edited", "group_tag"),
    ("DELETE", "/api/v1/group-tags/{tag_id}"): ("删除", "deleted", "group_tag"),
    ("PUT", "/api/v1/groups/{chat_id}/tags"): ("设置群标签：", "set the tags of", "group"),
    ("PUT", "/api/v1/customers/{customer_id}/stage"): (
        "变更阶段：",
        "moved the stage of",
        "customer",
    ),
    ("POST", "/api/v1/phrases"): ("新建", "created a", "phrase"),
    ("POST", "/api/v1/phrases/folders"): ("新建", "created a", "phrase_folder"),
    ("PUT", "/api/v1/phrases/folders/order"): (
        "调整话术文件夹顺序",
        "reordered phrase folders",
        "",
    ),
    ("DELETE", "/api/v1/phrases/folders/{folder_id}"): ("删除", "deleted", "phrase_folder"),
    ("PATCH", "/api/v1/phrases/folders/{folder_id}"): ("修改", "edited", "phrase_folder"),
    ("POST", "/api/v1/phrases/images"): ("上传图片到", "uploaded an image for a", "phrase"),
    ("POST", "/api/v1/phrases/import"): ("导入", "imported", "phrase"),
    ("POST", "/api/v1/phrases/import/preview"): ("预览导入", "previewed an import of", "phrase"),
    ("PUT", "/api/v1/phrases/order"): ("调整话术顺序", "reordered phrases", ""),
    ("DELETE", "/api/v1/phrases/{phrase_id}"): ("删除", "deleted", "phrase"),
    ("PATCH", "/api/v1/phrases/{phrase_id}"): ("修改", "edited", "phrase"),
    ("POST", "/api/v1/phrases/{phrase_id}/used"): ("使用", "used", "phrase"),
    ("POST", "/api/v1/phrases/{phrase_id}/wecom-media"): (
        "上传到企业微信：",
        "uploaded to WeCom",
        "phrase",
    ),
    ("POST", "/api/v1/rule-tags"): ("新建", "created a", "rule_tag"),
    ("DELETE", "/api/v1/rule-tags/{rule_id}"): ("删除", "deleted", "rule_tag"),
    ("PATCH", "/api/v1/rule-tags/{rule_id}"): ("修改", "edited", "rule_tag"),
    ("POST", "/api/v1/rule-tags/{rule_id}/run"): ("运行", "ran", "rule_tag"),
    ("POST", "/api/v1/segments"): ("新建", "created a", "segment"),
    ("POST", "/api/v1/segments/preview"): ("预览", "previewed a", "segment"),
    ("POST", "/api/v1/segments/preview/export"): ("导出预览", "exported a preview of a", "segment"),
    ("POST", "/api/v1/segments/preview/members"): (
        "查看预览成员",
        "listed a preview of a",
        "segment",
    ),
    ("DELETE", "/api/v1/segments/{segment_id}"): ("删除", "deleted", "segment"),
    ("PATCH", "/api/v1/segments/{segment_id}"): ("修改", "edited", "segment"),
    ("POST", "/api/v1/segments/{segment_id}/snapshots"): (
        "保存快照：",
        "saved a snapshot of",
        "segment",
    ),
    ("POST", "/api/v1/settings/api-keys"): ("新建", "created an", "api_key"),
    ("DELETE", "/api/v1/settings/api-keys/{key_id}"): ("吊销", "revoked", "api_key"),
    ("POST", "/api/v1/settings/users"): ("新建", "created a", "user"),
    ("PATCH", "/api/v1/settings/users/{user_id}"): ("修改", "edited", "user"),
    ("PUT", "/api/v1/settings/wecom"): ("修改企业微信设置", "changed the WeCom settings", ""),
    ("POST", "/api/v1/settings/wecom/regenerate"): (
        "重新生成回调密钥",
        "regenerated the callback secrets",
        "",
    ),
    ("POST", "/api/v1/sop/templates"): ("新建", "created an", "sop"),
    ("DELETE", "/api/v1/sop/templates/{template_id}"): ("删除", "deleted", "sop"),
    ("PUT", "/api/v1/sop/templates/{template_id}"): ("修改", "edited", "sop"),
    ("POST", "/api/v1/sop/templates/{template_id}/disable"): ("停用", "turned off", "sop"),
    ("POST", "/api/v1/sop/templates/{template_id}/enable"): ("启用", "turned on", "sop"),
    ("POST", "/api/v1/sop/todos/{task_id}/finish"): ("完成", "finished", "todo"),
    ("POST", "/api/v1/sync"): ("发起全量同步", "started a full sync", ""),
    ("POST", "/api/v1/tags/batch"): ("发起", "started a", "tag_job"),
    ("POST", "/api/v1/tags/batch/{job_id}/cancel"): ("取消", "cancelled", "tag_job"),
    ("POST", "/api/v1/tags/delete"): ("删除", "deleted", "tag"),
    ("POST", "/api/v1/tags/groups"): ("新建", "created a", "tag_group"),
    ("POST", "/api/v1/tags/groups/{group_id}/tags"): ("添加标签到", "added tags to", "tag_group"),
    ("PATCH", "/api/v1/tags/{wecom_id}"): ("修改", "edited", "tag"),
    ("POST", "/api/v1/tasks"): ("新建", "created a", "task"),
    ("POST", "/api/v1/tasks/preview"): ("预览", "previewed a", "task"),
    ("DELETE", "/api/v1/tasks/{task_id}"): ("删除", "deleted", "task"),
    ("PUT", "/api/v1/tasks/{task_id}"): ("修改", "edited", "task"),
    ("POST", "/api/v1/tasks/{task_id}/cancel"): ("取消", "cancelled", "task"),
    ("POST", "/api/v1/tasks/{task_id}/done"): ("结束", "closed", "task"),
    ("POST", "/api/v1/tasks/{task_id}/remind"): ("提醒员工：", "reminded employees of", "task"),
    ("POST", "/api/v1/tasks/{task_id}/start"): ("启动", "started", "task"),
    ("POST", "/api/v1/frontline/tasks/{task_id}/shared"): (
        "报告分享结果：",
        "reported a share of",
        "task",
    ),
    ("POST", "/api/v1/tasks/{task_id}/sync"): ("同步结果：", "synced", "task"),
}

#: actions recorded by services (``audit.by``) → (zh, en, kind)
ACTIONS: dict[str, tuple[str, str, str]] = {
    "settings.api_key.create": ("新建", "created an", "api_key"),
    "settings.api_key.revoke": ("吊销", "revoked", "api_key"),
    "settings.user.create": ("新建", "created a", "user"),
    "settings.user.update": ("修改", "edited", "user"),
    "settings.wecom.update": ("修改企业微信设置", "changed the WeCom settings", ""),
    "settings.wecom.regenerate": ("重新生成回调密钥", "regenerated the callback secrets", ""),
    "auth.login": ("登录", "signed in", ""),
    "auth.login_failed": ("登录失败（密码错误或账号已停用）", "failed to sign in", ""),
    "auth.logout": ("退出登录", "signed out", ""),
    "auth.wecom_login": ("通过企业微信登录", "signed in through WeCom", ""),
}

_PARAM = re.compile(r"\{[^}/]+\}")
_TARGET = re.compile(r"^[a-z_]+:(\d+)$")  # "api_key:12", as services record it


@dataclass
class Sentence:
    zh: str
    en: str
    link: str = ""


def _object_key(route: str, target: str) -> str | None:
    """The value of the route's first path parameter in the request's path (or a service's
    ``kind:id`` target)."""
    m = _TARGET.match(target)
    if m:
        return m.group(1)
    parts, values = route.split("/"), target.split("/")
    if len(parts) != len(values):
        return None
    for part, value in zip(parts, values, strict=True):
        if _PARAM.fullmatch(part):
            return value
    return None


def _meaning(action: str) -> tuple[tuple[str, str, str] | None, str]:
    """(the phrase of the action, its route) for a recorded action."""
    if action in ACTIONS:
        return ACTIONS[action], ""
    method, _, route = action.partition(" ")
    return ROUTES.get((method, route)), route


def actions_saying(words: str) -> list[str]:
    """The recorded actions whose sentence contains ``words`` (the audit log's filter: an
    operator types "营销任务" or "启动", not a route)."""
    q = words.strip().casefold()
    if not q:
        return []
    out = []
    for action, (zh, en, kind) in [
        *((f"{m} {r}", v) for (m, r), v in ROUTES.items()),
        *ACTIONS.items(),
    ]:
        k = KINDS.get(kind)
        said = f"{zh}{k.zh if k else ''} {en} {k.en if k else ''}".casefold()
        if q in said:
            out.append(action)
    return out


async def _names(
    session: AsyncSession, corp_id: int, wanted: dict[str, set[str]]
) -> dict[tuple[str, str], str]:
    """(kind, key) → the object's name, read from the kind's table (absent when gone)."""
    out: dict[tuple[str, str], str] = {}
    for kind, keys in wanted.items():
        k = KINDS[kind]
        table = Base.metadata.tables.get(k.table) if k.table else None
        if table is None or not keys:
            continue
        key_col = table.c[k.key]
        values: list[Any] = (
            [int(v) for v in keys if v.isdigit() and len(v) < 19] if k.key == "id" else sorted(keys)
        )
        if not values:
            continue
        stmt = select(key_col, table.c[k.name]).where(key_col.in_(values))
        if "corp_id" in table.c:
            stmt = stmt.where(table.c.corp_id == corp_id)
        for key, name in (await session.execute(stmt)).all():
            out[(kind, str(key))] = str(name or "")
    return out


async def sentences(session: AsyncSession, corp_id: int, rows: Sequence[Any]) -> list[Sentence]:
    """Each audit row (``action``, ``target``) as a sentence in both languages, with a link to
    the console page of its object when there is one."""
    parsed = []
    wanted: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        meaning, route = _meaning(r.action)
        key = _object_key(route, r.target) if meaning and meaning[2] else None
        if meaning and meaning[2] and key:
            wanted[meaning[2]].add(key)
        parsed.append((meaning, key))
    names = await _names(session, corp_id, wanted)
    out = []
    for meaning, key in parsed:
        if meaning is None:  # a route this table does not know yet: say so in words
            out.append(Sentence("其他操作", "another change"))
            continue
        zh, en, kind = meaning
        if not kind:
            out.append(Sentence(zh, en))
            continue
        k = KINDS[kind]
        name = names.get((kind, key or ""), "")
        shown_zh = f"「{name}」" if name else (f" #{key}" if key and key.isdigit() else "")
        shown_en = f" “{name}”" if name else (f" #{key}" if key and key.isdigit() else "")
        link = k.page.replace("{id}", key) if key and "{id}" in k.page else k.page
        if "{id}" in link:
            link = link.replace("/{id}", "")
        out.append(Sentence(f"{zh}{k.zh}{shown_zh}", f"{en} {k.en}{shown_en}", link))
    return out
