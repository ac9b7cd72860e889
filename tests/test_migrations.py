"""The migrations build exactly the models' schema, and take it all down again, on both backends.

Each backend gets a database of its own: a temporary SQLite file, and a PostgreSQL database
created for the test and dropped after it. PostgreSQL being unreachable skips the test on a
developer's machine and fails it in CI.
"""

from __future__ import annotations

import contextlib
import logging.config
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from heartbeat.db import scratch_postgres_database
from heartbeat.extensions import db
from tests.harness import make_app

# migrations/env.py tries Flask-SQLAlchemy's deprecated get_engine() before db.engine.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'migrated.db'}"


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(
                scratch_postgres_database(POSTGRES_ADMIN_URL, "hm_migrations")
            )
        except sa.exc.OperationalError as error:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is required in CI but unreachable: {error}")
            pytest.skip(f"PostgreSQL unreachable: {error}")
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_app(request, tmp_path, monkeypatch):
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / "instance"))
    # migrations/env.py hands alembic.ini to logging.config.fileConfig, which would replace the
    # root logger's handlers and level for every test that runs after this one.
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)
    url = request.getfixturevalue(f"{request.param}_url")
    application = make_app(url)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def schema_differences(application) -> list:
    with application.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def describe(differences: list) -> str:
    """One line per difference: the operation and what it is about."""
    lines = []
    for difference in differences:
        first = difference[0] if isinstance(difference, list) else difference
        subject = next(
            (getattr(part, "name", None) for part in first[1:] if getattr(part, "name", None)),
            first[1:],
        )
        lines.append(f"{first[0]}: {subject}")
    return "the migrations and the models disagree (run `flask db migrate`):\n" + "\n".join(lines)


def table_names(application) -> set[str]:
    with application.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_upgrading_from_nothing_builds_exactly_the_models_schema(migrated_app):
    assert table_names(migrated_app) == set()
    with migrated_app.app_context():
        flask_migrate.upgrade()
    differences = schema_differences(migrated_app)
    assert differences == [], describe(differences)
    assert table_names(migrated_app) == {t.name for t in db.metadata.sorted_tables} | {
        "alembic_version"
    }


def test_downgrading_to_base_removes_every_table_but_alembics_own(migrated_app):
    with migrated_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
    assert table_names(migrated_app) == {"alembic_version"}
    with migrated_app.app_context():
        version = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    assert version == []


def test_the_migrations_have_a_single_head_and_upgrade_again_after_a_downgrade(migrated_app):
    with migrated_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        heads = db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
    assert len(heads) == 1
    differences = schema_differences(migrated_app)
    assert differences == [], describe(differences)


def _fill(conn, table: sa.Table, **values) -> int:
    """A row of ``table`` with every required column given something of its type; returns its id."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            kind = str
        if kind is bool:
            row[column.name] = False
        elif kind is int:
            row[column.name] = 1
        elif kind is float:
            row[column.name] = 1.0
        elif kind is datetime:
            row[column.name] = datetime(2025, 1, 1, tzinfo=UTC)
        elif kind is date:
            row[column.name] = date(2025, 1, 1)
        elif kind is dict or kind is list:
            row[column.name] = {}
        else:
            row[column.name] = f"x{column.name}"[: getattr(column.type, "length", None) or 40]
    return conn.execute(table.insert().values(**row)).inserted_primary_key[0]


def test_the_classification_statuses_keep_every_row_and_its_children(migrated_app):
    """Widening the status column keeps participants and what refers to them (on SQLite the
    participant table is not copied, so no cascade can empty its children)."""
    with migrated_app.app_context():
        flask_migrate.upgrade(revision="f3a9c2d71e58")
        with db.engine.begin() as conn:
            meta = sa.MetaData()
            meta.reflect(conn, only=["centre", "participant", "participant_note"])
            centre = _fill(conn, meta.tables["centre"], slug="alpha", name="Alpha")
            person = _fill(
                conn, meta.tables["participant"], centre_id=centre, classification_status="R"
            )
            _fill(
                conn,
                meta.tables["participant_note"],
                centre_id=centre,
                participant_id=person,
                author_id=None,
            )
        flask_migrate.upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM participant_note")).scalar() == 1
            conn.execute(sa.text("UPDATE participant SET classification_status = 'FRD'"))
            status = conn.execute(sa.text("SELECT classification_status FROM participant"))
            assert status.scalar() == "FRD"
        differences = schema_differences(migrated_app)
        assert differences == [], describe(differences)
        flask_migrate.downgrade(revision="f3a9c2d71e58")
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM participant_note")).scalar() == 1
            status = conn.execute(sa.text("SELECT classification_status FROM participant"))
            assert status.scalar() == "R"


def test_upgrading_a_database_with_records_keeps_every_child_row(migrated_app):
    """Upgrading from the first release with participants to today keeps their sessions and
    notes. On SQLite, migrations that rebuild the participant table (copy, DROP, rename) would
    otherwise empty every table pointing at it through ON DELETE CASCADE: env.py turns foreign
    keys off while migrating and checks every reference afterwards."""
    children = ("training_session", "participant_note")
    with migrated_app.app_context():
        flask_migrate.upgrade(revision="7c3e1a9d2b40")
        with db.engine.begin() as conn:
            meta = sa.MetaData()
            meta.reflect(conn, only=["centre", "participant", *children])
            centre = _fill(conn, meta.tables["centre"], slug="alpha", name="Alpha")
            person = _fill(conn, meta.tables["participant"], centre_id=centre)
            for table in children:
                for _ in range(3):
                    _fill(conn, meta.tables[table], centre_id=centre, participant_id=person)
        flask_migrate.upgrade()
        with db.engine.begin() as conn:
            for table in children:
                count = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
                assert count == 3, f"{table} lost rows in the upgrade"
            foreign_keys = (
                conn.execute(sa.text("PRAGMA foreign_keys"))
                if conn.dialect.name == "sqlite"
                else None
            )
            assert foreign_keys is None or foreign_keys.scalar() == 1  # back on after migrating
