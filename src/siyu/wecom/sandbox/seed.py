"""Deterministic seeding of a sandbox world: same seed, same anchor day -> same world.

Tags describe a customer, not a relation, as a company's staff would keep them: each customer
has one 来源 (the channel they came through, when they did), at most one 意向 tag (a level,
or 已成交 / 流失预警, never two), at most one 会员等级 and one 行业, and a few 兴趣. The
employee who added them first carries all of them; each colleague who follows the customer
too carries some of the same tags (WeCom keeps tags per relation), never others.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping

from faker import Faker

from siyu.wecom.sandbox.world import (
    ChatMember,
    Customer,
    Department,
    Employee,
    Follow,
    GroupChat,
    Tag,
    TagGroup,
    World,
)

SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("林", "lin"), ("罗", "luo"), ("高", "gao"),
]  # fmt: skip
GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"),
    ("婷", "ting"), ("浩", "hao"), ("欣", "xin"), ("子涵", "zihan"), ("雨轩", "yuxuan"),
]  # fmt: skip
REGIONS = {
    "华东大区": ["上海门店", "杭州门店", "南京门店", "苏州门店"],
    "华南大区": ["广州门店", "深圳门店", "厦门门店"],
    "华北大区": ["北京门店", "天津门店"],
    "西南大区": ["成都门店", "重庆门店"],
}
HQ_TEAMS = ["市场部", "客户成功部", "电商运营部"]
POSITIONS = ["导购", "高级导购", "店长", "客户经理", "销售顾问", "客服专员", "私域运营"]
TAG_GROUPS = {
    "来源": ["抖音", "小红书", "线下门店", "朋友推荐", "公众号", "视频号", "展会"],
    "意向": ["高意向", "中意向", "低意向", "已成交", "流失预警"],
    "行业": ["互联网", "教育", "医疗", "制造业", "金融", "零售", "餐饮"],
    "会员等级": ["普通会员", "银卡会员", "金卡会员", "钻石会员"],
    "兴趣": ["护肤", "彩妆", "母婴", "健身", "旅行", "美食"],
    # applied by Siyu's rule tags (the demo's 直播间来客自动打标), carried by no one at first
    "运营标签": ["直播间来客"],
}
#: a customer's 意向 tag and its weight ("" = none): one at most per customer
INTENT = {"高意向": 12, "中意向": 20, "低意向": 26, "已成交": 22, "流失预警": 8, "": 12}
#: 会员等级 weights of customers who bought (已成交, 流失预警); the others are 普通会员 or none
LEVELS = {"普通会员": 40, "银卡会员": 30, "金卡会员": 20, "钻石会员": 10}
NICK_PARTS = ["小", "阿", "老", "大"]
NICK_WORDS = [
    "雨", "晴天", "小鱼", "糖糖", "木子", "安静", "向日葵", "橙子", "Lily", "Grace", "Kevin",
    "快乐每一天", "追风少年", "一只猫", "云淡风轻", "momo", "Amy", "吃货一枚", "平安喜乐",
]  # fmt: skip
REMARK_NOTES = ["意向强", "老客户", "待回访", "价格敏感", "已到店", "VIP", "同事介绍", "复购"]
DESCRIPTIONS = [
    "双11活动扫码添加，关注护肤品",
    "到店体验过，对会员权益感兴趣",
    "朋友推荐来的，预算充足",
    "直播间下单后添加，需跟进售后",
    "咨询过团购价格，周末方便联系",
    "宝妈，关注母婴类新品",
]
#: channel state of a customer's first relation -> their 来源 tag (30 % came through a channel)
STATES: dict[str, str] = {
    "douyin_live": "抖音",
    "xhs_note": "小红书",
    "store_qr": "线下门店",
    "poster_2024": "线下门店",
    "wxmp_menu": "公众号",
    "expo_sh": "展会",
}
ADD_WAYS = [1, 2, 3, 4, 5, 6, 7, 201, 202]
ADD_WAY_WEIGHTS = [55, 6, 8, 10, 4, 6, 3, 5, 3]
CHAT_TOPICS = ["VIP客户群", "新品体验群", "福利群", "护肤交流群", "会员服务群", "宝妈交流群"]
TWO_YEARS = 2 * 365 * 86400


def anchor_day(clock: Callable[[], float] = time.time) -> int:
    """Start of the current UTC day: the reference "now" of seeded times."""
    return int(clock() // 86400) * 86400


def build_world(
    world: World,
    *,
    seed: int,
    employees: int,
    customers: int,
    anchor: int,
    channels: Mapping[str, str] | None = None,
) -> None:
    """Fill ``world`` deterministically from ``seed``; times spread over 2 years before anchor.

    ``channels`` maps the channel states customers came through to their 来源 tag (default
    :data:`STATES`; the demo passes its channel codes' states)."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    _departments(world)
    _employees(world, rng, fake, employees)
    _tags(world, rng, anchor)
    _customers(world, rng, fake, customers, anchor, dict(channels or STATES))
    _chats(world, rng, anchor, max(3, customers // 100))


def _departments(world: World) -> None:
    world.departments[1] = Department(1, "总部", 0, 100000000, "Headquarters")
    next_id, order = 2, 1000
    for team in HQ_TEAMS:
        world.departments[next_id] = Department(next_id, team, 1, order)
        next_id, order = next_id + 1, order - 1
    for region, stores in REGIONS.items():
        region_id = next_id
        world.departments[region_id] = Department(region_id, region, 1, order)
        next_id, order = next_id + 1, order - 1
        for store in stores:
            world.departments[next_id] = Department(next_id, store, region_id, order)
            next_id, order = next_id + 1, order - 1


def _employees(world: World, rng: random.Random, fake: Faker, count: int) -> None:
    leaves = [d.id for d in world.departments.values() if d.parentid != 0 and "门店" in d.name]
    hq = [d.id for d in world.departments.values() if d.parentid == 1 and "大区" not in d.name]
    for _ in range(count):
        (sn, sp), (gn, gp) = rng.choice(SURNAMES), rng.choice(GIVEN)
        userid, n = sp + gp, 2
        while userid in world.employees:
            userid, n = f"{sp}{gp}{n}", n + 1
        dep = rng.choice(leaves) if rng.random() < 0.8 else rng.choice(hq)
        world.employees[userid] = Employee(
            userid=userid,
            name=sn + gn,
            department=[dep],
            main_department=dep,
            position=rng.choice(POSITIONS),
            mobile=fake.phone_number(),
            gender=rng.choice(["1", "2"]),
            email=f"{userid}@example.com",
            status=1,
        )
        world.by_employee[userid] = {}


def _tags(world: World, rng: random.Random, anchor: int) -> None:
    for gi, (gname, names) in enumerate(TAG_GROUPS.items()):
        created = anchor - TWO_YEARS - rng.randrange(86400 * 30)
        group = TagGroup(world.new_id("et", 20, rng), gname, created, 100 - gi)
        for ti, name in enumerate(names):
            tag = Tag(
                world.new_id("et", 20, rng), name, created + ti, len(names) - ti, group.group_id
            )
            group.tags[tag.id] = tag
            world.tags[tag.id] = tag
        world.tag_groups[group.group_id] = group


def _nickname(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if roll < 0.45:
        return name
    if roll < 0.6:
        return rng.choice(NICK_PARTS) + name[-1]
    return rng.choice(NICK_WORDS) + (rng.choice(["", "", "🌸", "~", "_" + name[-1]]))


def _profile(
    rng: random.Random, tags: dict[str, dict[str, str]], channels: dict[str, str]
) -> tuple[str, list[str]]:
    """One customer's channel state (or "") and tag ids, coherent as described above."""
    state = rng.choice(list(channels)) if rng.random() < 0.3 else ""
    source = channels[state] if state else rng.choice(list(tags["来源"]))
    chosen = [tags["来源"][source]] if source in tags["来源"] else []
    intent = rng.choices(list(INTENT), weights=list(INTENT.values()))[0]
    if intent:
        chosen.append(tags["意向"][intent])
    if intent in ("已成交", "流失预警"):
        level = rng.choices(list(LEVELS), weights=list(LEVELS.values()))[0]
        chosen.append(tags["会员等级"][level])
    elif rng.random() < 0.4:
        chosen.append(tags["会员等级"]["普通会员"])
    if rng.random() < 0.6:
        chosen.append(rng.choice(list(tags["行业"].values())))
    chosen.extend(rng.sample(list(tags["兴趣"].values()), rng.choice([0, 1, 1, 2])))
    return state, chosen


def _customers(
    world: World,
    rng: random.Random,
    fake: Faker,
    count: int,
    anchor: int,
    channels: dict[str, str],
) -> None:
    names = [fake.name() for _ in range(min(4000, max(200, count)))]
    companies = [fake.company() for _ in range(200)]
    cities = [fake.city_name() for _ in range(60)]
    mobiles = [fake.phone_number() for _ in range(2000)]
    tags = {
        g.group_name: {world.tags[t].name: t for t in g.tags} for g in world.tag_groups.values()
    }
    userids = [u for u, e in world.employees.items() if e.contact_enabled]
    for _ in range(count):
        name = rng.choice(names)
        ctype = 2 if rng.random() < 0.08 else 1
        cust = Customer(
            external_userid=world.new_id("wm", 30, rng),
            name=_nickname(rng, name) if ctype == 1 else name,
            type=ctype,
            gender=rng.choice([0, 1, 1, 2, 2, 2]),
            avatar=f"https://wx.qlogo.cn/mmhead/{world.new_id('', 24, rng)}/0",
            unionid=world.new_id("o", 27, rng) if rng.random() < 0.6 else "",
        )
        if ctype == 2:
            company = rng.choice(companies)
            cust.corp_name = company[:-6] if len(company) > 8 else company
            cust.corp_full_name = company
            cust.position = rng.choice(["经理", "采购", "总监", "行政"])
        state, profile = _profile(rng, tags, channels)
        k = rng.choices([1, 2, 3], weights=[35, 40, 25])[0]
        followers = rng.sample(userids, min(k, len(userids)))
        added = sorted(anchor - rng.randrange(TWO_YEARS) for _ in followers)
        for i, userid in enumerate(followers):
            # the first to add them knows them best; colleagues carry some of the same tags
            tag_ids = profile if i == 0 else [t for t in profile if rng.random() < 0.5]
            surname = name[0]
            honor = "先生" if cust.gender == 1 else "女士"
            world.add_follow(
                cust,
                Follow(
                    userid=userid,
                    remark=(
                        f"{surname}{honor}-{rng.choice(cities)}-{rng.choice(REMARK_NOTES)}"[:20]
                        if rng.random() < 0.4
                        else ""
                    ),
                    description=rng.choice(DESCRIPTIONS) if rng.random() < 0.2 else "",
                    createtime=added[i],
                    tag_ids=list(tag_ids),
                    remark_corp_name=cust.corp_name if ctype == 2 else "",
                    remark_mobiles=[rng.choice(mobiles)] if rng.random() < 0.15 else [],
                    oper_userid=userid,
                    add_way=rng.choices(ADD_WAYS, weights=ADD_WAY_WEIGHTS)[0],
                    state=state if i == 0 else "",
                ),
            )
        world.customers[cust.external_userid] = cust


def _chats(world: World, rng: random.Random, anchor: int, count: int) -> None:
    userids = list(world.employees)
    ext = list(world.customers)
    stores = [d.name.removesuffix("门店") for d in world.departments.values() if "门店" in d.name]
    for n in range(count):
        owner = rng.choice(userids)
        created = anchor - rng.randrange(TWO_YEARS)
        chat = GroupChat(
            chat_id=world.new_id("wr", 30, rng),
            name=f"{rng.choice(stores)}{rng.choice(CHAT_TOPICS)}{n % 9 + 1}",
            owner=owner,
            create_time=created,
            notice=rng.choice(["", "欢迎加入，群内每周三有会员福利～", "请勿发广告，违者移出"]),
        )
        owner_name = world.employees[owner].name
        chat.members[owner] = ChatMember(owner, 1, created, 1, "", "", owner_name)
        for u in rng.sample(userids, min(len(userids), rng.randrange(4))):
            if u not in chat.members:
                t = created + rng.randrange(86400)
                chat.members[u] = ChatMember(u, 1, t, 1, owner, "", world.employees[u].name)
        for x in rng.sample(ext, min(len(ext), rng.randrange(5, 41))):
            cust = world.customers[x]
            scene = rng.choice([1, 2, 3, 3])
            chat.members[x] = ChatMember(
                userid=x,
                type=2,
                join_time=created + rng.randrange(max(1, anchor - created)),
                join_scene=scene,
                invitor=owner if scene != 3 else "",
                group_nickname=cust.name if rng.random() < 0.2 else "",
                name=cust.name,
                unionid=cust.unionid,
            )
        if rng.random() < 0.3 and len(chat.members) > 1:
            chat.admins = [u for u in chat.members if u != owner and u in world.employees][:1]
        world.chats[chat.chat_id] = chat
