"""Data scope of broadcasts: managers and staff broadcast within their scope.

A manager or a staff member sends only through employees of their visible set, so only to
customers (or group chats) those employees serve: the audience's ``userids`` (its senders, or
the owners of the group chats) are narrowed to the visible set and stored so, and the plan the
worker makes later from the stored audience never picks a relation out of scope (see
``repository.assignment``: a recipient is picked only through a live relation of one of
``userids``). They see, follow and act on the broadcasts they created; admins, operators and
API keys see every broadcast.
"""

from __future__ import annotations

from siyu.broadcasts.schemas import Audience
from siyu.core.errors import Forbidden, InvalidInput
from siyu.corps.principal import Principal


def audience_within(principal: Principal, audience: Audience) -> Audience:
    """The audience as the principal may send it (unchanged for full access)."""
    visible = principal.visible_userids
    if visible is None:
        return audience
    if not visible:
        raise Forbidden("your console user is not linked to an employee: nobody can send")
    outside = sorted(set(audience.userids) - visible)
    if outside:
        raise Forbidden(f"you may not send through employees out of your scope: {outside[:10]}")
    userids = sorted(set(audience.userids) or visible)
    if not userids:
        raise InvalidInput("choose the employees who send")
    return audience.model_copy(update={"userids": userids})


def creator_of(principal: Principal) -> str | None:
    """Whose broadcasts the principal sees: None for every broadcast (full access)."""
    return None if principal.full_access else principal.name
