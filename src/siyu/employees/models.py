"""Employees (WeCom members) and departments mirrored from WeCom."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin


class Department(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("corp_id", "dept_id"),)

    dept_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(default=None)
    order: Mapped[int] = mapped_column(default=0)


class Employee(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "employees"
    __table_args__ = (UniqueConstraint("corp_id", "userid"),)

    userid: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[str] = mapped_column(String(100), default="")
    department_ids: Mapped[list[int]] = mapped_column(default=list)
    main_department: Mapped[int | None] = mapped_column(default=None)
    status: Mapped[int] = mapped_column(default=1)
    customer_contact: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
