"""What `siyu demo` sets up so a newcomer finds a lived-in product, not empty pages.

Everything is created through Siyu's REST API with the demo corp's API key, exactly as an
operator would (so contact ways, queued evaluations and SOP listeners are what the console
makes). Each piece is looked up by name (channel codes by state) first, so a second start on
the same database creates nothing new. Two things are not an operator's action (in
:mod:`siyu.cli.demo_fixups`): `rehome_channel_codes`, because the demo's sandbox is rebuilt
at each start and the contact ways the previous run created in it are gone; and
`assign_stages`, the lifecycle stages a company's staff would have set over the years,
written in a few transactions (thousands of `PUT /customers/{id}/stage` would add minutes to
the first start).

The data is coherent (`tests/cli/test_demo_data.py` checks it through the API): the sandbox
gives each customer one 来源 (their channel code's, when they came through one), at most one
意向 tag (高 / 中 / 低意向, 已成交 or 流失预警) and the tags of :mod:`siyu.wecom.sandbox.seed`;
stages follow the 意向 tag (:data:`STAGE_OF`); the rule tag owns a tag of its own (直播间来客),
so what it matched and what customers carry can be compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from siyu.cli.demo_phrases import seed_phrases
from siyu.cli.demo_sidebar import seed_sidebar

#: state → (name, group, welcome, source tag); the trickle adds customers through these states
CHANNELS: dict[str, tuple[str, str, str, str]] = {
    "douyin-ad": (
        "抖音信息流广告",
        "线上投放",
        "你好{nickname}，我是{employee}，感谢关注！",
        "抖音",
    ),
    "store-poster": (
        "门店海报",
        "线下",
        "欢迎光临～我是店长助理{employee}，到店可领新客礼。",
        "线下门店",
    ),
    "wechat-article": (
        "公众号文章",
        "线上投放",
        "{nickname}你好，文章里的资料包已为你准备好。",
        "公众号",
    ),
    "live-stream": ("视频号直播间", "线上投放", "感谢来到直播间！直播福利稍后发给你～", "视频号"),
    "event-booth": (
        "展会展位",
        "线下",
        "很高兴在展会认识你，我是{employee}，资料稍后发你。",
        "展会",
    ),
}
FOLDERS = ["产品介绍", "活动海报", "客户案例"]
ARTICLE = "新客入门指南"
#: (folder, kind, title, description, url, tags)
ITEMS: list[tuple[str, str, str, str, str, list[str]]] = [
    (
        "产品介绍",
        "link",
        "产品手册 2026 版",
        "一页看懂全部产品线",
        "https://example.com/catalog",
        ["产品"],
    ),
    (
        "产品介绍",
        "link",
        "价格与套餐",
        "各版本的功能与价格对比",
        "https://example.com/pricing",
        ["产品", "价格"],
    ),
    (
        "活动海报",
        "link",
        "双十二会员日",
        "满 300 减 50，会员再享 95 折",
        "https://example.com/promo/1212",
        ["活动"],
    ),
    (
        "活动海报",
        "link",
        "新客首单礼",
        "首单立减 30 元",
        "https://example.com/promo/welcome",
        ["活动", "新客"],
    ),
    (
        "客户案例",
        "link",
        "连锁门店的私域增长",
        "三个月私域复购提升 40%",
        "https://example.com/cases/retail",
        ["案例"],
    ),
]
ARTICLE_BODY = """# 新客入门指南

欢迎！这篇指南帮你三分钟了解我们：

1. **选产品**：先看《产品手册》，按需求挑选；
2. **领福利**：新客首单立减 30 元，会员日再享折扣；
3. **找顾问**：有任何问题，直接在企业微信里回复你的专属顾问。

> 小提示：收藏这篇文章，随时回来查看。
"""
SOP_NAME = "新客 7 天培育"
TASK_NAME = "会员日福利推送"
SEGMENT_HOT = "高意向客户"
SEGMENT_RECENT = "近 30 天新增（抖音）"
RULE_TAG = "直播间来客自动打标"
#: the rule tag's own tag (a sandbox tag no customer carries until the rule tags them)
RULE_TAG_TAG = "直播间来客"
#: a customer's 意向 tag -> their lifecycle stage (the default stages of a corp); customers
#: without one have no stage yet. 已成交 gold and diamond members are 复购客户.
STAGE_OF = {
    "低意向": "潜在客户",
    "中意向": "意向客户",
    "高意向": "意向客户",
    "已成交": "成交客户",
    "流失预警": "流失",
}
REPEAT_STAGE, REPEAT_LEVELS = "复购客户", ("金卡会员", "钻石会员")
#: who set the demo's stages (the timeline says 阶段变更 … by 演示数据)
BY = "演示数据"
BROADCAST = "会员日预热群发"
GROUP_BROADCAST = "社群周末活动通知"
MOMENT = "秋冬新品上架朋友圈"
PER_CHANNEL = 3


@dataclass
class SeedReport:
    """What the demo corp has after seeding (``created`` counts only what this run added)."""

    created: int = 0
    counts: dict[str, int] = field(default_factory=dict)


class _Api:
    def __init__(self, http: httpx.Client, report: SeedReport) -> None:
        self.http, self.report = http, report

    def get(self, path: str, **params: Any) -> Any:
        r = self.http.get(f"/api/v1{path}", params=params)
        r.raise_for_status()
        return r.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.http.post(f"/api/v1{path}", json=body)
        if r.is_error:
            raise RuntimeError(f"POST {path} answered {r.status_code}: {r.text[:300]}")
        return r.json()

    def create(self, path: str, body: dict[str, Any]) -> Any:
        self.report.created += 1
        return self.post(path, body)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        r = self.http.put(f"/api/v1{path}", json=body)
        if r.is_error:
            raise RuntimeError(f"PUT {path} answered {r.status_code}: {r.text[:300]}")
        return r.json()


def _employees(api: _Api) -> list[str]:
    rows = api.get("/employees", limit=200)["items"]
    return sorted(e["userid"] for e in rows if e["status"] == 1 and e["customer_contact"])


def _tag_ids(api: _Api) -> dict[str, str]:
    return {t["name"]: t["tag_id"] for g in api.get("/tags/groups") for t in g["tags"]}


def _channels(api: _Api, staff: list[str], tags: dict[str, str]) -> dict[str, int]:
    existing = {c["state"]: c["id"] for c in api.get("/acquisition/channels", limit=200)["items"]}
    for i, (state, (name, group, welcome, source)) in enumerate(CHANNELS.items()):
        if state in existing:
            continue
        userids = [staff[(i * PER_CHANNEL + k) % len(staff)] for k in range(PER_CHANNEL)]
        body = {
            "name": name,
            "group_name": group,
            "state": state,
            "userids": userids,
            "tag_ids": [tags[source]] if source in tags else [],
            "remark_template": "{nickname}-{channel}",
            "welcome": {
                "text": welcome,
                "attachments": [
                    {
                        "type": "link",
                        "title": "新客首单礼",
                        "url": "https://example.com/promo/welcome",
                        "desc": "首单立减 30 元",
                    }
                ],
            },
            # the live stream runs late: a night welcome (the corp's time, wraps midnight)
            "welcome_variants": [
                {
                    "start": "22:00",
                    "end": "08:00",
                    "text": "{nickname}晚上好！直播回放和福利已为您保留，明早九点起顾问为您服务～",
                }
            ]
            if state == "live-stream"
            else [],
        }
        existing[state] = api.create("/acquisition/channels", body)["id"]
    return existing


def _content(api: _Api) -> dict[str, int]:
    folders = {f["name"]: f["id"] for f in api.get("/content/folders") if f["parent_id"] is None}
    for name in FOLDERS:
        if name not in folders:
            folders[name] = api.create("/content/folders", {"name": name})["id"]
    items = {c["title"]: c["id"] for c in api.get("/content", limit=200)["items"]}
    for folder, kind, title, desc, url, tags in ITEMS:
        if title not in items:
            body: dict[str, Any] = {"kind": kind, "title": title, "description": desc}
            body |= {"url": url}
            body |= {"folder_id": folders[folder], "tags": tags}
            items[title] = api.create("/content", body)["id"]
    if ARTICLE not in items:
        body = {"kind": "article", "title": ARTICLE, "description": "三分钟了解我们"}
        body |= {"body": ARTICLE_BODY, "folder_id": folders["产品介绍"], "tags": ["新客"]}
        items[ARTICLE] = api.create("/content", body)["id"]
    return items


def _segments(api: _Api, tags: dict[str, str]) -> None:
    names = {s["name"] for s in api.get("/segments")}
    rule: dict[str, Any]
    if SEGMENT_HOT not in names and "高意向" in tags:
        rule = {"type": "tags", "match": "any", "tag_ids": [tags["高意向"]]}
        api.create("/segments", {"name": SEGMENT_HOT, "rule": rule, "owner": "演示"})
    if SEGMENT_RECENT not in names:
        rule = {
            "type": "and",
            "terms": [
                {"type": "channel", "states": ["douyin-ad"]},
                {"type": "added", "within_days": 30},
            ],
        }
        api.create("/segments", {"name": SEGMENT_RECENT, "rule": rule, "owner": "演示"})
    rules = {r["name"]: r for r in api.get("/rule-tags")}
    old = rules.get(RULE_TAG)
    if old is not None and old["tag_id"] != tags.get(RULE_TAG_TAG):
        # an older demo's rule tag applied 高意向: two 意向 levels on one customer
        api.http.delete(f"/api/v1/rule-tags/{old['id']}").raise_for_status()
        old = None
    if old is None and RULE_TAG_TAG in tags:
        rule = {"type": "channel", "states": ["live-stream"]}
        body = {"name": RULE_TAG, "rule": rule, "tag_id": tags[RULE_TAG_TAG]}
        api.create("/rule-tags", body | {"remove_when_unmatched": True})
    elif old is not None:  # the sandbox was rebuilt: tag its customers again now
        api.post(f"/rule-tags/{old['id']}/run")


def _sop(api: _Api, codes: dict[str, int], items: dict[str, int]) -> None:
    tpl = next((t for t in api.get("/sop/templates") if t["name"] == SOP_NAME), None)
    if tpl is None:
        body = {
            "name": SOP_NAME,
            "trigger": {
                "kind": "channel",
                "channel_ids": [codes["douyin-ad"], codes["store-poster"]],
            },
            "steps": [
                {
                    "day": 0,
                    "minutes": 1,
                    "text": "欢迎！这是我们的新客指南，先收藏～",
                    "item_ids": [items[ARTICLE]],
                },
                {
                    "day": 3,
                    "at_time": "10:00",
                    "text": "这几天体验如何？新客首单礼还有效哦。",
                    "item_ids": [items["新客首单礼"]],
                },
            ],
            "stop": {"converted_tags": []},
        }
        tpl = api.create("/sop/templates", body)
    if not tpl["enabled"]:
        api.post(f"/sop/templates/{tpl['id']}/enable", {"backfill": False})


def _task(api: _Api, staff: list[str], items: dict[str, int], tags: dict[str, str]) -> None:
    if any(t["name"] == TASK_NAME for t in api.get("/tasks", keyword=TASK_NAME)["items"]):
        return
    body = {
        "name": TASK_NAME,
        "description": "把会员日活动发给自己的高意向客户",
        "kind": "customer",
        "text": "会员日福利来啦，满 300 减 50，点开看看～",
        "content_ids": [items["双十二会员日"]],
        "targets": {"filter": {"tags_any": [tags["高意向"]] if "高意向" in tags else []}},
        "userids": staff[:5],
        "deadline": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
    }
    api.create("/tasks", body)


def _broadcast(
    api: _Api, staff: list[str], items: dict[str, int], tags: dict[str, str], sandbox_url: str
) -> None:
    """A small broadcast; once WeCom has it, its senders confirm it on their phones (the
    sandbox's employee action) and the operator pulls the results."""
    found = api.get("/broadcasts", keyword=BROADCAST)["items"]
    if any(b["name"] == BROADCAST for b in found):
        return
    body = {
        "name": BROADCAST,
        "text": "会员日就要到啦，提前领券更划算～",
        "content_item_id": items["双十二会员日"],
        "audience": {
            "filter": {"tags_any": [tags["高意向"]] if "高意向" in tags else []},
            "userids": staff[:3],
        },
    }
    b = api.create("/broadcasts", body)
    deadline = time.monotonic() + 30
    while b["status"] in ("scheduled", "planning", "submitting") and time.monotonic() < deadline:
        time.sleep(0.2)
        b = api.get(f"/broadcasts/{b['id']}")
    if b["status"] != "submitted":
        return  # still on its way (or failed): the broadcasts page shows where it stands
    httpx.post(f"{sandbox_url}/sandbox/groupmsg/confirm_all", timeout=30).raise_for_status()
    api.post(f"/broadcasts/{b['id']}/sync")


def _act(sandbox_url: str, actor: str, body: dict[str, Any]) -> None:
    r = httpx.post(
        f"{sandbox_url}/sandbox/actors/{actor}", params={"wait": "true"}, json=body, timeout=30
    )
    r.raise_for_status()


def _ownership(api: _Api, staff: list[str], sandbox_url: str) -> None:
    """The collision lock (防撞单) on, and on the first start a few collisions and losses in both
    directions, so that 流失与撞单 has something to show before the trickle adds more."""
    api.http.put(
        "/api/v1/acquisition/settings", json={"collision_lock": True, "loss_alerts": True}
    ).raise_for_status()
    customers = api.get("/customers", limit=500)["items"]
    shared = [c for c in customers if len(c["userids"]) >= 2]
    single = [c for c in customers if len(c["userids"]) == 1]
    if not api.get("/acquisition/losses", limit=1)["items"]:
        # customers followed by two employees lose one of them: three leave their employee,
        # two are removed by theirs; every one stays a customer of the other employee
        for i, c in enumerate(shared[:5]):
            actor = "customer_delete" if i < 3 else "employee_delete"
            body = {"userid": c["userids"][-1], "external_userid": c["external_userid"]}
            _act(sandbox_url, actor, body)
    if not api.get("/acquisition/collisions", limit=1)["items"]:
        for c in single[:3]:
            # two colleagues add an owned customer: the first settles the owner (the employee
            # who added them first), the second is a collision the owner and they are told of
            for u in [u for u in staff if u not in c["userids"]][:2]:
                body = {"userid": u, "external_userid": c["external_userid"]}
                _act(sandbox_url, "add_customer", body)


def _group_and_moment(api: _Api, staff: list[str], tags: dict[str, str]) -> None:
    """A group broadcast to the group chats of three owners, and a moment three employees
    post for the customers tagged 高意向 (the sandbox confirms them with the others)."""
    names = {b["name"] for b in api.get("/broadcasts", limit=200)["items"]}
    if GROUP_BROADCAST not in names:
        body = {
            "name": GROUP_BROADCAST,
            "text": "周六下午两点群内抽奖，记得准时来～",
            "audience": {"kind": "group", "userids": staff[:3]},
        }
        api.create("/broadcasts", body)
    if MOMENT not in names:
        body = {
            "name": MOMENT,
            "text": "秋冬新品已上架，到店试穿送围巾一条。",
            "audience": {
                "kind": "moment",
                "userids": staff[:3],
                "visible_tag_ids": [tags["高意向"]] if "高意向" in tags else [],
            },
        }
        api.create("/broadcasts", body)


def seed(
    http: httpx.Client,
    *,
    sandbox_url: str | None = None,
    step: Callable[[str], None] = lambda _: None,
) -> SeedReport:
    """Create what is missing; ``http`` has the Siyu base URL and the API key. With the
    sandbox's URL, a broadcast is also sent and confirmed by its employees."""
    report = SeedReport()
    api = _Api(http, report)
    staff = _employees(api)
    if not staff:
        raise RuntimeError("the demo corp has no employees who may add customers; sync first")
    tags = _tag_ids(api)
    step("channel codes")
    codes = _channels(api, staff, tags)
    step("content library")
    items = _content(api)
    step("reply library")
    phrases = seed_phrases(api)
    step("segments and a rule tag")
    _segments(api, tags)
    step("SOP")
    _sop(api, codes, items)
    step("frontline task")
    _task(api, staff, items, tags)
    step("custom fields, follow-ups and group tags")
    seed_sidebar(api, staff)
    if sandbox_url:
        step("losses and collisions")
        _ownership(api, staff, sandbox_url)
        step("broadcast")
        _group_and_moment(api, staff, tags)
        _broadcast(api, staff, items, tags, sandbox_url)
    report.counts = {"channel codes": len(codes), "content items": len(items), "phrases": phrases}
    return report


def seed_with_progress(base_url: str, api_key: str, sandbox_url: str) -> SeedReport | None:
    """Seed with a spinner; a failure is one sentence and the demo serves on regardless."""
    from siyu.cli.common import console

    headers = {"Authorization": f"Bearer {api_key}"}
    try:
        with (
            httpx.Client(base_url=base_url, headers=headers, timeout=60) as http,
            console.status("Seeding the demo…") as status,
        ):
            report = seed(
                http,
                sandbox_url=sandbox_url,
                step=lambda what: status.update(f"Seeding the demo: {what}…"),
            )
    except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as exc:
        console.print(f"[yellow]Could not seed the demo data ({exc}); serving without it.[/]")
        return None
    made = f"{report.created} created" if report.created else "already there"
    console.print(
        f"Demo data: {len(CHANNELS)} channel codes, {len(FOLDERS)} folders, "
        f"{report.counts.get('content items', 0)} content items, "
        f"{report.counts.get('phrases', 0)} phrases, 2 segments, a rule tag, "
        f"an SOP, a frontline task and a broadcast ({made})."
    )
    return report
