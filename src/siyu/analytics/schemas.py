"""Dashboard shapes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class DayPoint(BaseModel):
    day: date
    new: int
    lost: int
    net: int


class Ranked(BaseModel):
    key: str
    name: str
    count: int


class Dashboard(BaseModel):
    timezone: str
    start: date
    end: date
    total_customers: int
    new_customers: int
    lost_customers: int
    net_customers: int
    active_customers: int
    days: list[DayPoint]
    top_channels: list[Ranked]
    top_employees: list[Ranked]
