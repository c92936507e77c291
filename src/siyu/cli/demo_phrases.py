"""The demo corp's reply library (话术库): folders in order and realistic phrases of each
kind, created through the API like the rest of the demo (idempotent: by title)."""

from __future__ import annotations

from typing import Any, Protocol

FOLDERS = ["开场问候", "产品介绍", "活动推广", "售后服务", "结束语"]

#: (folder, kind, title, words / description, url or (appid, page), cover)
PHRASES: list[tuple[str, str, str, str, Any, str]] = [
    (
        "开场问候",
        "text",
        "新客欢迎",
        "您好！我是您的专属顾问，很高兴为您服务，有任何问题随时找我～",
        "",
        "",
    ),
    ("开场问候", "text", "老客回访", "好久不见！最近使用得怎么样？有什么需要我帮忙的吗？", "", ""),
    (
        "开场问候",
        "text",
        "节日问候",
        "祝您节日快乐！我们为老朋友准备了专属福利，回复“福利”即可领取～",
        "",
        "",
    ),
    (
        "开场问候",
        "text",
        "直播间来客",
        "感谢您从直播间添加我！直播专享价已为您保留 24 小时。",
        "",
        "",
    ),
    (
        "产品介绍",
        "text",
        "会员权益说明",
        "成为会员即享：全年 95 折、生日双倍积分、每月一张免邮券。",
        "",
        "",
    ),
    (
        "产品介绍",
        "text",
        "新品卖点",
        "这款新品主打温和无刺激，敏感肌也能放心用，本周下单赠旅行装。",
        "",
        "",
    ),
    (
        "产品介绍",
        "link",
        "品牌故事",
        "三分钟了解我们的初心与坚持",
        "https://example.com/brand/story",
        "https://example.com/brand/cover.jpg",
    ),
    (
        "产品介绍",
        "miniprogram",
        "小程序商城首页",
        "",
        ("wx8a6c3f0d2e1b4a59", "pages/index/index.html"),
        "https://example.com/mp/home.jpg",
    ),
    (
        "活动推广",
        "text",
        "双十二预热",
        "双十二会员日提前购：全场八折，满 299 再减 30，12 月 10 日开抢！",
        "",
        "",
    ),
    (
        "活动推广",
        "link",
        "双十二会员日",
        "全场八折，会员再享积分翻倍",
        "https://example.com/promo/1212",
        "https://example.com/promo/1212.jpg",
    ),
    (
        "活动推广",
        "miniprogram",
        "领取新人优惠券",
        "",
        ("wx8a6c3f0d2e1b4a59", "pages/coupon/new.html"),
        "https://example.com/mp/coupon.jpg",
    ),
    ("活动推广", "text", "拼团邀请", "三人成团立减 50 元，邀请好友一起来拼更划算～", "", ""),
    ("售后服务", "text", "物流查询", "麻烦提供一下订单号，我马上帮您查询物流进度。", "", ""),
    (
        "售后服务",
        "text",
        "退换货政策",
        "支持 7 天无理由退换货，商品未拆封即可申请，运费由我们承担。",
        "",
        "",
    ),
    (
        "售后服务",
        "text",
        "安抚情绪",
        "非常抱歉给您带来不好的体验，我已经在加急处理，今天内给您答复。",
        "",
        "",
    ),
    (
        "售后服务",
        "link",
        "售后申请入口",
        "在线提交退换货申请，进度随时可查",
        "https://example.com/service/after-sales",
        "",
    ),
    ("结束语", "text", "感谢咨询", "感谢您的咨询，祝您生活愉快！有需要随时找我～", "", ""),
    (
        "结束语",
        "text",
        "下单提醒",
        "优惠名额有限，确认好了直接下单就可以，我帮您盯着发货～",
        "",
        "",
    ),
]


class Api(Protocol):
    def get(self, path: str, **params: Any) -> Any: ...
    def create(self, path: str, body: dict[str, Any]) -> Any: ...


def seed_phrases(api: Api) -> int:
    """Create the folders and phrases that are missing; how many phrases the library has."""
    folders = {f["name"]: f["id"] for f in api.get("/phrases/folders")}
    for name in FOLDERS:
        if name not in folders:
            folders[name] = api.create("/phrases/folders", {"name": name})["id"]
    have = {p["title"] for p in api.get("/phrases", scope="corp", limit=200)["items"]}
    for folder, kind, title, words, target, cover in PHRASES:
        if title in have:
            continue
        body: dict[str, Any] = {"kind": kind, "title": title, "folder_id": folders[folder]}
        if kind == "text":
            body["body"] = words
        elif kind == "link":
            body |= {"description": words, "url": target, "cover": cover}
        else:
            body |= {"appid": target[0], "page": target[1], "cover": cover}
        api.create("/phrases", body)
        have.add(title)
    return len(have)
