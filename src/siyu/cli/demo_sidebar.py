"""Demo data of the sidebars (issue 15): custom customer fields with values, birthdays, the
first employee's next follow-ups (overdue, today, upcoming) and group tags on two groups.
Created through the REST API, once: a second run finds them and adds nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

FIELDS: list[dict[str, Any]] = [
    {"name": "意向产品", "type": "select", "options": ["乌龙茶", "白茶", "花草茶", "茶具"]},
    {"name": "预算（元）", "type": "number"},
    {"name": "首次到店", "type": "date"},
    {"name": "口味偏好", "type": "text"},
]
GROUP_TAGS = ["高价值群", "新品试用群", "会员福利群"]
#: per customer (in order): custom field values by name, a birthday, a follow-up note
PROFILES: list[tuple[dict[str, str], str, str]] = [
    (
        {"意向产品": "白茶", "预算（元）": "1500", "口味偏好": "清淡回甘"},
        "1988-06-15",
        "回访白茶试饮感受",
    ),
    ({"意向产品": "乌龙茶", "首次到店": "2025-11-02"}, "1992-03-08", "电话确认到店时间"),
    ({"意向产品": "茶具", "预算（元）": "800"}, "1979-12-01", "发送新品茶具图册"),
]


class Api(Protocol):
    def get(self, path: str, **params: Any) -> Any: ...
    def post(self, path: str, body: dict[str, Any] | None = None) -> Any: ...
    def create(self, path: str, body: dict[str, Any]) -> Any: ...
    def put(self, path: str, body: dict[str, Any]) -> Any: ...


def seed_sidebar(api: Api, staff: list[str], *, tz: str = "Asia/Shanghai") -> None:
    have = {f["name"]: f for f in api.get("/customer-fields")}
    fresh = [f for f in FIELDS if f["name"] not in have]
    for f in fresh:
        have[f["name"]] = api.create("/customer-fields", f)
    if fresh and staff:
        _profiles(api, staff[0], have, ZoneInfo(tz))
    tags = {t["name"]: t for t in api.get("/group-tags")}
    new_tags = [n for n in GROUP_TAGS if n not in tags]
    for name in new_tags:
        tags[name] = api.create("/group-tags", {"name": name})
    if new_tags:
        groups = api.get("/groups", limit=2)["items"]
        for g, names in zip(groups, (["高价值群", "会员福利群"], ["新品试用群"]), strict=False):
            api.put(f"/groups/{g['chat_id']}/tags", {"tag_ids": [tags[n]["id"] for n in names]})


def _profiles(api: Api, userid: str, fields: dict[str, Any], tz: ZoneInfo) -> None:
    customers = api.get("/customers", userid=userid, limit=len(PROFILES))["items"]
    today = datetime.now(tz).date()
    days = [today - timedelta(days=1), today, today + timedelta(days=2)]
    for c, (values, birthday, note), day in zip(customers, PROFILES, days, strict=False):
        api.put(
            f"/customers/{c['id']}/profile",
            {
                "birthday": birthday,
                "custom_fields": [
                    {"field_id": fields[k]["id"], "value": v} for k, v in values.items()
                ],
            },
        )
        due = datetime.combine(day, time(15, 30), tzinfo=tz).isoformat()
        api.put(f"/customers/{c['id']}/follow-up", {"userid": userid, "due_at": due, "note": note})
