"""The segment rule model: a JSON tree of AND / OR / NOT groups over typed terms.

Shape checks (empty group, bad window, too deep, too many nodes) are pydantic errors, so the API
answers 422 before any work: depth and size are measured on the raw JSON, without recursion,
before pydantic parses the tree (a rule nested thousands of levels deep is refused as quickly as
one nested nine). Checks against the corp's data (unknown tag, employee, department, event
kind) happen in :func:`siyu.segments.engine.compile_rule` and raise ``InvalidInput`` (422).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from siyu.core.bounds import Id, Int32

MAX_DEPTH = 8
MAX_TERMS = 100
MAX_WINDOW_DAYS = 3660


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TagsTerm(_Node):
    """Has any / all / none of the tags, over the union of the customer's live relations,
    or only on the live relation with employee ``userid`` when it is given."""

    type: Literal["tags"]
    match: Literal["any", "all", "none"] = "any"
    tag_ids: list[str] = Field(min_length=1, max_length=200)
    userid: str | None = None


class EmployeeTerm(_Node):
    """Followed (live relation) by any of these employees."""

    type: Literal["employee"]
    userids: list[str] = Field(min_length=1, max_length=1000)


class OwnerTerm(_Node):
    """The customer's owner (归属员工) is one of these employees."""

    type: Literal["owner"]
    userids: list[str] = Field(min_length=1, max_length=1000)


class DepartmentTerm(_Node):
    """Followed by an employee of these departments (and their sub-departments by default)."""

    type: Literal["department"]
    dept_ids: list[Int32] = Field(min_length=1, max_length=200)
    include_children: bool = True


class ChannelTerm(_Node):
    """A live relation came through one of these channel ``states``, or through any channel
    code of these channel ``groups`` (渠道分组, ``ChannelCode.group_name``)."""

    type: Literal["channel"]
    states: list[str] = Field(default_factory=list, max_length=1000)
    groups: list[str] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _some(self) -> ChannelTerm:
        if not self.states and not self.groups:
            raise ValueError("give channel states or channel groups")
        return self


class AddWayTerm(_Node):
    type: Literal["add_way"]
    values: list[Int32] = Field(min_length=1, max_length=50)


class AddedTerm(_Node):
    """First added on a local day (corp time zone) in ``[from_date, to_date]`` (inclusive,
    either side open), or within the last ``within_days`` days counting today."""

    type: Literal["added"]
    from_date: date | None = None
    to_date: date | None = None
    within_days: int | None = Field(default=None, ge=1, le=MAX_WINDOW_DAYS)

    @model_validator(mode="after")
    def _window(self) -> AddedTerm:
        ranged = self.from_date is not None or self.to_date is not None
        if ranged == (self.within_days is not None):
            raise ValueError("give either from_date/to_date or within_days")
        if self.from_date and self.to_date and self.from_date > self.to_date:
            raise ValueError("from_date must not be after to_date")
        return self


class GenderTerm(_Node):
    type: Literal["gender"]
    values: list[Literal[0, 1, 2]] = Field(min_length=1)


class CustomerTypeTerm(_Node):
    """1 = WeChat user, 2 = WeCom user."""

    type: Literal["customer_type"]
    values: list[Literal[1, 2]] = Field(min_length=1)


class DeletedTerm(_Node):
    """Lost (no live relation left) or not; only meaningful with ``include_deleted``."""

    type: Literal["deleted"]
    value: bool = True


class EventTerm(_Node):
    """Count of timeline events of ``kind`` in the last ``within_days`` days ≥ / ≤ ``count``."""

    type: Literal["event"]
    kind: str = Field(min_length=1, max_length=32)
    op: Literal[">=", "<="] = ">="
    count: int = Field(default=1, ge=0, le=1_000_000)
    within_days: int = Field(ge=1, le=MAX_WINDOW_DAYS)


class StageTerm(_Node):
    """The customer's current lifecycle stage (客户阶段) is one of these stage ids."""

    type: Literal["stage"]
    stage_ids: list[Id] = Field(min_length=1, max_length=20)


class AndGroup(_Node):
    type: Literal["and"]
    terms: list[Rule] = Field(min_length=1, max_length=MAX_TERMS)


class OrGroup(_Node):
    type: Literal["or"]
    terms: list[Rule] = Field(min_length=1, max_length=MAX_TERMS)


class NotGroup(_Node):
    type: Literal["not"]
    term: Rule


Term = (
    TagsTerm
    | EmployeeTerm
    | OwnerTerm
    | DepartmentTerm
    | ChannelTerm
    | AddWayTerm
    | AddedTerm
    | GenderTerm
    | CustomerTypeTerm
    | DeletedTerm
    | EventTerm
    | StageTerm
)
Rule = Annotated[AndGroup | OrGroup | NotGroup | Term, Field(discriminator="type")]
for _m in (AndGroup, OrGroup, NotGroup):
    _m.model_rebuild()


def children(node: Any) -> list[Any]:
    if isinstance(node, AndGroup | OrGroup):
        return list(node.terms)
    if isinstance(node, NotGroup):
        return [node.term]
    return []


def shape(node: Any) -> tuple[int, int]:
    """(depth, number of nodes) of a rule tree: parsed nodes, or the JSON of one (each object is
    a node; the lists between them add no depth). Iterative, so any input can be measured."""
    deepest, nodes = 0, 0
    todo: list[tuple[Any, int]] = [(node, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, list):
            todo.extend((v, depth) for v in item)
            continue
        if isinstance(item, BaseModel):
            kids: list[Any] = children(item)
        elif isinstance(item, dict):
            kids = [v for v in item.values() if isinstance(v, dict | list)]
        else:
            continue
        nodes += 1
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH or nodes > MAX_TERMS:
            break  # refused anyway: stop measuring a huge input
        todo.extend((k, depth + 1) for k in kids)
    return deepest, nodes


def _bounded(value: Any) -> Any:
    """Refuse a rule deeper than :data:`MAX_DEPTH` or larger than :data:`MAX_TERMS` nodes
    before pydantic (and later the engine, recursively) walks it."""
    depth, nodes = shape(value)
    if depth > MAX_DEPTH:
        raise ValueError(f"the rule is nested more than {MAX_DEPTH} levels deep")
    if nodes > MAX_TERMS:
        raise ValueError(f"the rule has more than {MAX_TERMS} nodes")
    return value


#: a whole rule as the API accepts it (every request schema with a rule uses this)
BoundedRule = Annotated[Rule, BeforeValidator(_bounded)]


class Definition(BaseModel):
    """What a segment selects: ``rule`` over the corp's customers, lost ones only on request."""

    model_config = ConfigDict(extra="forbid")

    rule: BoundedRule
    include_deleted: bool = False
