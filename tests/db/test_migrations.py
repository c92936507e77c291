"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

import siyu.models  # noqa: F401  (every table)
from siyu.db.base import Base
from siyu.db.engine import sync_url
from siyu.db.migrate import upgrade


def test_models_match_migrations(database_url: str) -> None:
    engine = create_engine(sync_url(database_url))
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_corps_registered_before_seeding_get_the_default_stages(tmp_path: Path) -> None:
    """Stages used to be seeded on a corp's first read; a corp that never read them gets the
    defaults from the migration, and one that already has stages keeps exactly its own."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "customer_stages_0001")
    engine = create_engine(sync_url(url))
    corp = (
        "INSERT INTO corps (wecom_corp_id, name, api_base, secret_enc, token_enc, aes_key_enc,"
        " timezone, next_customer_seq, created_at, updated_at) VALUES (:c, '企业', 'http://x',"
        " 's', 't', 'k', 'Asia/Shanghai', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    with engine.begin() as conn:
        for c in ("wwnever", "wwcustom"):
            conn.execute(text(corp), {"c": c})
        custom = conn.execute(text("SELECT id FROM corps WHERE wecom_corp_id='wwcustom'")).scalar()
        conn.execute(
            text(
                "INSERT INTO customer_stages (corp_id, name, kind, position, created_at,"
                " updated_at) VALUES (:c, '只有一个', 'open', 1, '2026-01-01 00:00:00',"
                " '2026-01-01 00:00:00')"
            ),
            {"c": custom},
        )
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.wecom_corp_id, s.name, s.kind FROM customer_stages s"
                " JOIN corps c ON c.id = s.corp_id ORDER BY c.wecom_corp_id, s.position"
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("wwcustom", "只有一个", "open"),
        ("wwnever", "潜在客户", "open"),
        ("wwnever", "意向客户", "open"),
        ("wwnever", "成交客户", "won"),
        ("wwnever", "复购客户", "won"),
        ("wwnever", "流失", "lost"),
    ]


def test_what_an_api_key_did_reads_as_its_name(tmp_path: Path) -> None:
    """Rows recorded as ``api-key:<prefix>`` before keys were principals by name read as the
    key's name after the upgrade (issue 13 §3)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    for rev in ("0002_accounts", "0006_broadcast_moments", "frontline_0001", "0008_sop"):
        upgrade(url, rev)
    for rev in ("tags_0001_batch_lease", "customer_stages_0002", "0003_acquisition"):
        upgrade(url, rev)
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO corps (wecom_corp_id, name, api_base, secret_enc, token_enc,"
                " aes_key_enc, timezone, next_customer_seq, created_at, updated_at) VALUES"
                " ('ww1', '企业', 'http://x', 's', 't', 'k', 'Asia/Shanghai', 1,"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        corp = conn.execute(text("SELECT id FROM corps")).scalar()
        conn.execute(
            text(
                "INSERT INTO api_keys (corp_id, name, prefix, key_hash, created_at, updated_at)"
                " VALUES (:c, '数据中台对接', 'sy_JYVu123', 'h', '2026-01-01 00:00:00',"
                " '2026-01-01 00:00:00')"
            ),
            {"c": corp},
        )
        for actor in ("api-key:sy_JYVu123", "admin"):
            conn.execute(
                text(
                    "INSERT INTO audit_log (corp_id, at, actor, actor_kind, action, target, ip)"
                    " VALUES (:c, '2026-01-01 00:00:00', :a, 'api_key', 'POST /api/v1/sync',"
                    " '', '')"
                ),
                {"c": corp, "a": actor},
            )
    upgrade(url)
    with engine.connect() as conn:
        actors = conn.execute(text("SELECT actor FROM audit_log ORDER BY id")).scalars().all()
    engine.dispose()
    assert actors == ["数据中台对接", "admin"]
