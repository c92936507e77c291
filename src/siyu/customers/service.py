"""Customer reads (detail, the list's columns, the SQL form of the list's filter) and
write-through edits. The list itself is answered by the segment engine
(``siyu.segments.customer_list``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Forbidden, InvalidInput, NotFound
from siyu.customers import ingest, naming
from siyu.customers import repository as repo
from siyu.customers.models import Customer
from siyu.customers.schemas import (
    GENDERS,
    CustomerDetail,
    CustomerFilter,
    CustomerOut,
    RelationOut,
    TagRef,
    TimelineOut,
)
from siyu.db.base import utcnow
from siyu.wecom.client import WeComClient


async def _decorate(
    session: AsyncSession,
    corp_id: int,
    customers: Sequence[Customer],
    *,
    live_only: bool = True,
    visible: frozenset[str] | None = None,
) -> list[CustomerOut]:
    """The list's columns of ``customers``; within a data scope (``visible``) only the visible
    employees' relations count: their followers, tags and remarks."""
    rels = await repo.relations_of(session, corp_id, [c.id for c in customers], live_only=live_only)
    if visible is not None:
        rels = {cid: [r for r in rs if r.userid in visible] for cid, rs in rels.items()}
    tag_map = await repo.tags_of_relations(
        session, corp_id, [r.id for rs in rels.values() for r in rs if r.deleted_at is None]
    )
    stage_map = await repo.stages_of(session, corp_id, [c.id for c in customers])
    names = await repo.employee_names(
        session, corp_id, [r.userid for rs in rels.values() for r in rs if r.deleted_at is None]
    )
    out = []
    for c in customers:
        live = [r for r in rels.get(c.id, []) if r.deleted_at is None]
        tags: dict[str, TagRef] = {}
        for r in live:
            for tid, name, group in tag_map.get(r.id, []):
                tags[tid] = TagRef(tag_id=tid, name=name, group_name=group)
        item = CustomerOut.model_validate(c)
        item.userids = [r.userid for r in live]
        item.employee_names = [names.get(r.userid) or r.userid for r in live]
        item.tags = sorted(tags.values(), key=lambda t: (t.group_name, t.name, t.tag_id))
        item.remarks = [r.remark for r in live if r.remark]
        if (stage := stage_map.get(c.id)) is not None:
            item.stage_id, item.stage_name, item.stage_kind = stage.id, stage.name, stage.kind
        out.append(item)
    return out


decorate = _decorate  # public: segment members are listed with the same columns


class ExportReader:
    """Export rows (``EXPORT_HEADERS``) of customers, read as plain rows: the same columns as
    ``export_row(decorate(...))`` at a fraction of the cost, for exports of every customer a
    list selects. The corp's tags, stages and employee names are read once per export."""

    def __init__(
        self, session: AsyncSession, corp_id: int, *, visible: frozenset[str] | None = None
    ) -> None:
        self.session, self.corp_id = session, corp_id
        self.visible = visible  # a data scope: only these employees' relations are shown
        self.tags: dict[str, tuple[str, str]] | None = None  # tag id -> (name, group)
        self.rank: dict[str, int] = {}  # tag id -> place in the list's tag order
        self.shown: list[str] = []  # place -> the name shown
        self.stages: dict[int, str] = {}
        self.names: dict[str, str] = {}

    def _order(self) -> None:
        """The tags in the order the list shows them: by group, name and id."""
        assert self.tags is not None
        keys = sorted((g, n, t) for t, (n, g) in self.tags.items())
        self.rank = {t: i for i, (_, _, t) in enumerate(keys)}
        self.shown = [n or t for _, n, t in keys]

    async def rows(
        self,
        customer_ids: Sequence[int] = (),
        *,
        seqs: Sequence[int] = (),
        added: Literal["asc", "desc"] | None = None,
    ) -> list[list[Any]]:
        """The rows of these customers, in this order (customers that no longer exist are
        left out); or of the customers with these ``seqs``, in the list's order by first add
        when ``added`` is given (``repository.export_facts``), else in no order."""
        facts = await self.facts(customer_ids, seqs=seqs, added=added)
        return self.assemble(facts, customer_ids)

    async def facts(
        self,
        customer_ids: Sequence[int] = (),
        *,
        seqs: Sequence[int] = (),
        added: Literal["asc", "desc"] | None = None,
    ) -> tuple[list[Any], list[Any]]:
        """What ``rows`` reads from the database (every statement of an export is here, so a
        reader may read the next batch while ``assemble`` turns this one into rows)."""
        s, corp_id = self.session, self.corp_id
        if self.tags is None:
            self.tags = await repo.corp_tags(s, corp_id)
            self.stages = await repo.corp_stages(s, corp_id)
            self._order()
        customers, relations = await repo.export_facts(
            s, corp_id, customer_ids, seqs=seqs, added=added
        )
        if self.visible is not None:
            relations = [r for r in relations if r[1] in self.visible]
        unknown = {r[1] for r in relations} - self.names.keys()
        if unknown:
            self.names.update(await repo.employee_names(s, corp_id, sorted(unknown)))
            self.names.update((u, u) for u in unknown - self.names.keys())
        return customers, relations

    def assemble(
        self, facts: tuple[list[Any], list[Any]], customer_ids: Sequence[int] = ()
    ) -> list[list[Any]]:
        """The export rows of what ``facts`` read (no statement: pure Python). The employee,
        tag and remark columns are their texts joined by "、" (what the file shows of a list)."""
        customers, relations = facts
        # per customer its live relations: the relation itself (most customers have one), or a
        # list of them
        rels: dict[int, Any] = {}
        for r in relations:
            got = rels.get(r[0])
            if got is None:
                rels[r[0]] = r
            elif type(got) is list:
                got.append(r)
            else:
                rels[r[0]] = [got, r]
        if customer_ids:
            by_id = {c[0]: c for c in customers}
            customers = [by_id[i] for i in customer_ids if i in by_id]
        names, stages, label, as_utc = self.names, self.stages, self._label, repo.as_utc
        out: list[list[Any]] = []
        add = out.append
        for c in customers:
            live = rels.get(c[0])
            if live is None:
                people = tags = remarks = ""
            elif type(live) is not list:
                people, remarks, tags = names[live[1]], live[2] or "", label(live[3])
            else:
                people = "、".join([names[r[1]] for r in live])
                remarks = "、".join([r[2] for r in live if r[2]])
                tags = self._union([r[3] for r in live])
            add(
                [
                    c[0],
                    c[1],
                    c[2],
                    "微信" if c[3] == 1 else "企业微信",
                    GENDERS.get(c[4], "未知"),
                    c[5],
                    as_utc(c[6]),
                    as_utc(c[7]),
                    people,
                    tags,
                    remarks,
                    stages.get(c[8], "") if c[8] is not None else "",
                ]
            )
        return out

    def _places(self, ids: list[str]) -> list[int]:
        """The list's places of these tag ids (a tag on a relation but not in the library is
        shown by its id, in its place by id among the unnamed)."""
        try:
            return list(map(self.rank.__getitem__, ids))
        except KeyError:
            assert self.tags is not None
            for t in ids:
                self.tags.setdefault(t, ("", ""))
            self._order()
            return list(map(self.rank.__getitem__, ids))

    def _label(self, joined: str | None) -> str:
        """A relation's tags (ids joined by ``TAG_SEP``, each once) as the column's text."""
        if not joined:
            return ""
        places = sorted(self._places(joined.split(repo.TAG_SEP)))
        return "、".join(map(self.shown.__getitem__, places))

    def _union(self, each: list[str | None]) -> str:
        """The tags of several relations (each tag once) as the column's text."""
        ids = [t for joined in each if joined for t in joined.split(repo.TAG_SEP)]
        return "、".join(map(self.shown.__getitem__, sorted(set(self._places(ids)))))


async def detail(
    session: AsyncSession,
    corp_id: int,
    customer_id: int,
    *,
    visible: frozenset[str] | None = None,
) -> CustomerDetail:
    """A customer with every follow relation (deleted ones too) and the latest timeline.

    Within a data scope only the visible employees' relations (their remarks, descriptions and
    tags) and timeline entries show; a customer outside it is NotFound.
    """
    customer = await repo.by_id(session, corp_id, customer_id, visible_userids=visible)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    base = (await _decorate(session, corp_id, [customer], visible=visible))[0]
    rels = (await repo.relations_of(session, corp_id, [customer.id], live_only=False))[customer.id]
    if visible is not None:
        rels = [r for r in rels if r.userid in visible]
    tag_map = await repo.tags_of_relations(session, corp_id, [r.id for r in rels])
    names = await repo.employee_names(session, corp_id, [r.userid for r in rels])
    states = await naming.state_names(session, corp_id, [r.state for r in rels])
    relations = []
    for r in rels:
        out = RelationOut.model_validate(r)
        out.employee_name = names.get(r.userid, "")
        out.channel_name = states.get(r.state, "")
        out.tags = [TagRef(tag_id=t, name=n, group_name=g) for t, n, g in tag_map.get(r.id, [])]
        relations.append(out)
    events = await repo.timeline(session, corp_id, customer.id, visible=visible)
    return CustomerDetail(
        **base.model_dump(),
        relations=relations,
        timeline=await named_timeline(session, corp_id, events),
    )


_PEOPLE = {"previous": "previous_name", "owner": "owner_name"}  # data keys holding a userid


async def named_timeline(
    session: AsyncSession, corp_id: int, events: Sequence[Any]
) -> list[TimelineOut]:
    """Timeline entries with the names a person reads beside the ids they carry: the actor's
    name, a tag's name and group, the previous owner's or the lock owner's name."""
    people = [e.userid for e in events] + [
        e.data.get(k) for e in events for k in _PEOPLE if isinstance(e.data.get(k), str)
    ]
    names = await repo.employee_names(session, corp_id, [u for u in people if u])
    tags = await repo.tag_names(
        session,
        corp_id,
        [e.data["tag_id"] for e in events if isinstance(e.data.get("tag_id"), str)],
    )
    out = []
    for e in events:
        item = TimelineOut.model_validate(e)
        data = dict(item.data)
        item.actor = names.get(item.userid, "")
        if isinstance(data.get("tag_id"), str) and data["tag_id"] in tags:
            data["tag_name"], data["tag_group"] = tags[data["tag_id"]]
        for key, name_key in _PEOPLE.items():
            if isinstance(data.get(key), str) and data[key] in names:
                data[name_key] = names[data[key]]
        item.data = data
        out.append(item)
    return out


async def set_remark(
    session: AsyncSession,
    corp_id: int,
    customer_id: int,
    client: WeComClient,
    *,
    userid: str,
    remark: str | None,
    description: str | None,
    visible: frozenset[str] | None = None,
) -> CustomerDetail:
    """Write a relation's remark/description to WeCom first, then apply WeCom's fresh state."""
    if remark is None and description is None:
        raise InvalidInput("give a remark or a description")
    if visible is not None and userid not in visible:
        raise Forbidden(f"you may not edit employee {userid}'s relations")
    customer = await repo.by_id(session, corp_id, customer_id, visible_userids=visible)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    rels = (await repo.relations_of(session, corp_id, [customer.id], live_only=True))[customer.id]
    if userid not in {r.userid for r in rels}:
        raise InvalidInput(f"employee {userid} does not follow this customer")
    await client.remark(userid, customer.external_userid, remark=remark, description=description)
    await refresh_from_wecom(session, corp_id, customer.external_userid, client)
    return await detail(session, corp_id, customer_id, visible=visible)


async def refresh_from_wecom(
    session: AsyncSession, corp_id: int, external_userid: str, client: WeComClient
) -> Any:
    """Fetch one customer from WeCom and apply it (all relations, tags, timeline)."""
    d = await client.get_external_contact(external_userid)
    contact = ingest.contact_from(d.external_contact)
    pairs = [(contact, ingest.follow_from(f)) for f in d.follow_user]
    return await ingest.apply_contacts(session, corp_id, pairs, now=utcnow())


def filtered(
    corp_id: int, f: CustomerFilter, *, visible_userids: frozenset[str] | None = None
) -> Select[Any]:
    """``SELECT customers`` matching the filter, for domains that act on a filtered list
    (batch tags, broadcasts): the customer list's own filter, so both always agree."""
    return repo.filtered(corp_id, f, visible_userids=visible_userids)
