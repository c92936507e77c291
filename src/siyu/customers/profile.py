"""The customer's editable profile (the 1:1 sidebar and the console).

WeCom's fields of a follow relation (remark, description, remark_company, remark_mobiles) are
written to WeCom through a durable ``RemarkWrite`` (see ``remark_writes``) and mirrored locally
when WeCom accepts them. Siyu-only facts (birthday, custom fields) are stored at once and appear
in the timeline with their names.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Forbidden, InvalidInput, NotFound
from siyu.corps.principal import Principal
from siyu.customers import custom_fields as cf
from siyu.customers import remark_writes as rw
from siyu.customers import repository as repo
from siyu.customers import timeline as tl
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.profile_models import (
    CustomerProfile,
    CustomFieldValue,
    FollowUp,
    RemarkWrite,
)
from siyu.customers.profile_schemas import (
    FieldValueOut,
    FollowUpOut,
    ProfileIn,
    ProfileOut,
    RemarkWriteOut,
)
from siyu.db.base import utcnow
from siyu.db.repository import scoped

#: WeCom's limits (https://developer.work.weixin.qq.com/document/path/92115)
REMARK_MAX, DESCRIPTION_MAX, COMPANY_MAX = 20, 150, 20
#: Siyu's own bounds on remark mobiles (WeCom documents none)
MOBILES_MAX = 5
MOBILE = re.compile(r"^\+?[0-9][0-9-]{4,19}$")


async def customer_for(session: AsyncSession, principal: Principal, customer_id: int) -> Customer:
    customer = await repo.by_id(
        session, principal.corp_id, customer_id, visible_userids=principal.visible_userids
    )
    if customer is None:
        raise NotFound(f"客户 {customer_id} 不存在")
    return customer


async def relation_for(
    session: AsyncSession, principal: Principal, customer: Customer, userid: str | None
) -> FollowRelation:
    """The live relation of ``userid`` (default: the signed-in employee) with the customer."""
    who = userid or principal.userid
    if not who:
        raise InvalidInput("请指定跟进员工（userid）：当前账号未关联企业微信成员")
    if not principal.can_see_userid(who):
        raise Forbidden("你不能编辑该员工的客户资料")
    rel = await session.scalar(
        scoped(FollowRelation, principal.corp_id).where(
            FollowRelation.customer_id == customer.id,
            FollowRelation.userid == who,
            FollowRelation.deleted_at.is_(None),
        )
    )
    if rel is None:
        raise InvalidInput("该员工与此客户没有跟进关系")
    return rel


def _text(value: str, limit: int, label: str) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{label}最多 {limit} 个字符（企业微信的限制），现在是 {len(value)} 个")
    return value


def wecom_fields(body: ProfileIn, rel: FollowRelation, *, wechat_user: bool) -> dict[str, Any]:
    """The WeCom fields that change, checked against WeCom's rules (Chinese sentences)."""
    out: dict[str, Any] = {}
    if body.remark is not None:
        out["remark"] = _text(body.remark, REMARK_MAX, "备注")
    if body.description is not None:
        out["description"] = _text(body.description, DESCRIPTION_MAX, "描述")
    if body.remark_company is not None:
        company = _text(body.remark_company, COMPANY_MAX, "备注企业")
        if company and not wechat_user:
            raise InvalidInput("备注企业只对微信用户有效，该客户是企业微信用户")
        out["remark_company"] = company
    if body.remark_mobiles is not None:
        mobiles = list(dict.fromkeys(m.strip() for m in body.remark_mobiles if m.strip()))
        if len(mobiles) > MOBILES_MAX:
            raise InvalidInput(f"备注手机号最多 {MOBILES_MAX} 个")
        bad = [m for m in mobiles if not MOBILE.match(m)]
        if bad:
            raise InvalidInput(f"手机号格式不正确：{bad[0]}")
        out["remark_mobiles"] = mobiles
    changed = {k: v for k, v in out.items() if getattr(rel, rw.COLUMNS[k]) != v}
    final = {k: changed.get(k, getattr(rel, rw.COLUMNS[k])) for k in rw.COLUMNS}
    if changed and not any(final.values()):
        raise InvalidInput("企业微信不允许备注、描述、备注企业和备注手机号同时为空")
    return changed


def parse_birthday(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("生日须是日期，格式如 1990-05-01") from None
    if day > utcnow().date() or day.year < 1900:
        raise InvalidInput("生日须在 1900 年之后，且不晚于今天")
    return day


async def update(
    session: AsyncSession, principal: Principal, customer_id: int, body: ProfileIn
) -> tuple[ProfileOut, RemarkWrite | None]:
    """Check everything first (nothing half-written), then store Siyu's fields and record the
    WeCom write. Returns the profile and the write to queue (None: nothing for WeCom)."""
    corp_id = principal.corp_id
    customer = await customer_for(session, principal, customer_id)
    wants_wecom = any(
        v is not None
        for v in (body.remark, body.description, body.remark_company, body.remark_mobiles)
    )
    rel = await relation_for(session, principal, customer, body.userid) if wants_wecom else None
    fields = wecom_fields(body, rel, wechat_user=customer.type == 1) if rel is not None else {}
    birthday = parse_birthday(body.birthday) if body.birthday is not None else None
    values: dict[int, str | None] = {}
    defs = {f.id: f for f in await cf.list_fields(session, corp_id)}
    for item in body.custom_fields or []:
        if item.field_id not in defs:
            raise InvalidInput(f"自定义字段 {item.field_id} 不存在")
        values[item.field_id] = cf.check_value(defs[item.field_id], item.value)

    now = utcnow()
    changes: list[dict[str, Any]] = []
    if body.birthday is not None:
        prof = await session.get(CustomerProfile, customer.id)
        old = prof.birthday if prof is not None else None
        if prof is None:
            prof = CustomerProfile(customer_id=customer.id, corp_id=corp_id)
            session.add(prof)
        if old != birthday:
            prof.birthday = birthday
            changes.append(
                {
                    "field": "birthday",
                    "label": rw.LABELS["birthday"],
                    "old": old.isoformat() if old else "",
                    "new": birthday.isoformat() if birthday else "",
                }
            )
    if values:
        have = {
            v.field_id: v
            for v in (
                await session.scalars(
                    select(CustomFieldValue).where(
                        CustomFieldValue.customer_id == customer.id,
                        CustomFieldValue.field_id.in_(list(values)),
                    )
                )
            ).all()
        }
        for fid, value in values.items():
            old_value = have[fid].value if fid in have else None
            if old_value == value:
                continue
            if value is None:
                await session.delete(have[fid])
            elif fid in have:
                have[fid].value = value
            else:
                session.add(
                    CustomFieldValue(
                        customer_id=customer.id, field_id=fid, corp_id=corp_id, value=value
                    )
                )
            changes.append(
                {
                    "field": f"custom:{fid}",
                    "label": defs[fid].name,
                    "old": old_value or "",
                    "new": value or "",
                }
            )
    if changes:
        await tl.record(
            session,
            [
                tl.entry(
                    corp_id,
                    customer.id,
                    tl.PROFILE_CHANGED,
                    at=now,
                    userid=principal.userid or "",
                    changes=changes,
                    by=principal.name,
                )
            ],
        )
    write = None
    if rel is not None and fields:
        write = await rw.request(session, corp_id, rel, fields, by=principal.name)
    await session.flush()
    return await get(
        session, principal, customer_id, userid=rel.userid if rel else body.userid
    ), write


async def get(
    session: AsyncSession, principal: Principal, customer_id: int, *, userid: str | None = None
) -> ProfileOut:
    """The profile as one employee's relation shows it (default: the signed-in employee's;
    without one, the first live relation the principal may see)."""
    corp_id = principal.corp_id
    customer = await customer_for(session, principal, customer_id)
    rels = (await repo.relations_of(session, corp_id, [customer.id], live_only=True))[customer.id]
    rels = [r for r in rels if principal.can_see_userid(r.userid)]
    who = userid or principal.userid
    rel = next((r for r in rels if r.userid == who), None)
    if rel is None and userid is None and rels:
        rel = rels[0]
    prof = await session.get(CustomerProfile, customer.id)
    defs = await cf.list_fields(session, corp_id)
    have = dict(
        (
            await session.execute(
                select(CustomFieldValue.field_id, CustomFieldValue.value).where(
                    CustomFieldValue.customer_id == customer.id
                )
            )
        ).all()
    )
    out = ProfileOut(
        customer_id=customer.id,
        userid=rel.userid if rel else None,
        is_wechat_user=customer.type == 1,
        birthday=prof.birthday if prof else None,
        custom_fields=[
            FieldValueOut(
                field_id=f.id, name=f.name, type=f.type, options=f.options, value=have.get(f.id)
            )
            for f in defs
        ],
    )
    if rel is not None:
        out.remark, out.description = rel.remark, rel.description
        out.remark_company, out.remark_mobiles = rel.remark_corp_name, list(rel.remark_mobiles)
        write = await rw.latest(session, corp_id, customer.id, rel.userid)
        out.write = RemarkWriteOut.model_validate(write) if write else None
        fu = await session.get(FollowUp, (customer.id, rel.userid))
        out.follow_up = FollowUpOut(due_at=fu.due_at, note=fu.note) if fu else None
    return out
