"""Bounded integers for everything the API accepts (a path, a query or a body).

Every integer a client sends is bounded in its schema, so the OpenAPI document shows the range
and a value outside it is a 422 before any work, instead of an ``OverflowError`` from SQLite or
a ``NumericValueOutOfRange`` from PostgreSQL (a 500). Use these types in routers and in the
request schemas of every domain:

- :data:`Id`: a row id, 1 .. 2^53 - 1. Tighter than the database's 64 bits on purpose: that is
  the largest integer JavaScript (the console) holds exactly, and an OpenAPI number that JSON
  readers parse as a double keeps its exact value.
- :data:`Int32`: a non-negative code that WeCom sends as a 32-bit integer and Siyu stores in a
  32-bit column (department ids, an agent id, add-way codes), 0 .. 2^31 - 1.

Counts and limits carry their own, smaller maxima where they are declared (``le=500``).
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

ID_MAX = 2**53 - 1
INT32_MAX = 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

Id = Annotated[int, Interval(ge=1, le=ID_MAX)]
Int32 = Annotated[int, Interval(ge=0, le=INT32_MAX)]


def fits_int64(value: int) -> bool:
    """Whether a database column (SQLite INTEGER, PostgreSQL BIGINT) can hold ``value``: what a
    value that no schema bounds (a number inside an opaque cursor) is checked with."""
    return INT64_MIN <= value <= INT64_MAX
