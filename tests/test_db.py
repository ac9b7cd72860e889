"""Database foundations: centre scoping, lazy loading, UTC timestamps and SQLite's settings."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError

from heartbeat.auth.models import Role, User
from heartbeat.centres import services
from heartbeat.centres.models import Centre
from heartbeat.db import NO_CENTRE, UTCDateTime, set_centre_scope
from heartbeat.extensions import db
from tests.harness import is_postgres


def emails(statement) -> set[str]:
    return set(db.session.scalars(statement).all())


def all_emails(world) -> set[str]:
    people = [world.operator]
    for centre in (world.a, world.b):
        people += [centre.admin, centre.therapist, centre.participant, centre.other_participant]
    return {person.email for person in people}


def centre_emails(centre_world) -> set[str]:
    return {
        centre_world.admin.email,
        centre_world.therapist.email,
        centre_world.participant.email,
        centre_world.other_participant.email,
    }


# --- centre scoping -------------------------------------------------------------------------------


def test_a_scoped_request_sees_only_its_own_centres_users(app, world):
    with app.test_request_context():
        set_centre_scope(world.a.centre.id)
        assert emails(sa.select(User.email)) == centre_emails(world.a)
        assert {u.email for u in db.session.scalars(sa.select(User))} == centre_emails(world.a)


def test_a_scoped_request_cannot_reach_another_centres_rows_by_id_or_filter(app, world):
    with app.test_request_context():
        set_centre_scope(world.a.centre.id)
        assert db.session.get(User, world.b.admin.id) is None
        by_email = sa.select(User).where(User.email == world.b.admin.email)
        assert db.session.scalars(by_email).one_or_none() is None
        count = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        assert count == 4


def test_a_scoped_update_leaves_other_centres_rows_alone(app, world):
    with app.test_request_context(method="POST"):
        set_centre_scope(world.a.centre.id)
        db.session.execute(sa.update(User).values(failed_logins=3))
        db.session.commit()
    with app.app_context():
        rows = db.session.execute(sa.select(User.email, User.failed_logins)).all()
    changed = {email for email, failed in rows if failed == 3}
    assert changed == centre_emails(world.a)


def test_asking_for_all_centres_lifts_the_scope(app, world):
    with app.test_request_context():
        set_centre_scope(world.a.centre.id)
        statement = sa.select(User.email).execution_options(all_centres=True)
        assert emails(statement) == all_emails(world)


def test_the_deny_all_scope_sees_no_centres_rows(app, world):
    with app.test_request_context():
        set_centre_scope(NO_CENTRE)
        assert emails(sa.select(User.email)) == set()
        assert db.session.get(User, world.a.admin.id) is None


def test_outside_any_scope_every_row_is_visible(app, world):
    with app.app_context():
        assert emails(sa.select(User.email)) == all_emails(world)


def test_centres_themselves_are_not_scoped(app, world):
    with app.test_request_context():
        set_centre_scope(world.a.centre.id)
        slugs = set(db.session.scalars(sa.select(Centre.slug)))
    assert slugs == {"alpha", "bravo"}


# --- relationships ------------------------------------------------------------------------------


def test_every_relationship_refuses_to_lazy_load():
    relationships = [
        (mapper.class_.__name__, rel.key, rel.lazy)
        for mapper in db.Model.registry.mappers
        for rel in mapper.relationships
    ]
    assert relationships, "no relationships found: is every model imported?"
    loose = [(cls, key, lazy) for cls, key, lazy in relationships if lazy != "raise"]
    assert loose == []


def test_touching_an_unloaded_relationship_raises_instead_of_querying(app, world):
    with app.app_context():
        user = db.session.get(User, world.a.admin.id)
        with pytest.raises(sa.exc.InvalidRequestError, match="lazy='raise'"):
            _ = user.centre


# --- UTC timestamps -------------------------------------------------------------------------------


def test_timestamps_come_back_timezone_aware_in_utc(app):
    paris_summer = timezone(timedelta(hours=2))
    written = datetime(2025, 6, 1, 14, 30, 15, 123456, tzinfo=paris_summer)
    with app.app_context():
        centre = Centre(name="Clock", slug="clock", created_at=written)
        db.session.add(centre)
        db.session.commit()
        centre_id = centre.id
    with app.app_context():
        read = db.session.get(Centre, centre_id).created_at
        raw = db.session.scalar(sa.select(Centre.created_at).where(Centre.id == centre_id))
    for value in (read, raw):
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
        assert value == written
        assert value.replace(tzinfo=None) == datetime(2025, 6, 1, 12, 30, 15, 123456)


def test_comparing_against_a_utc_timestamp_works_in_sql(app):
    moment = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    with app.app_context():
        db.session.add(Centre(name="Early", slug="early", created_at=moment - timedelta(hours=1)))
        db.session.add(Centre(name="Late", slug="late", created_at=moment + timedelta(hours=1)))
        db.session.commit()
        later = db.session.scalars(sa.select(Centre.slug).where(Centre.created_at > moment)).all()
    assert later == ["late"]


def test_a_naive_datetime_is_refused_before_it_reaches_the_database(app):
    with app.app_context():
        db.session.add(Centre(name="Naive", slug="naive", created_at=datetime(2025, 1, 1)))
        with pytest.raises(StatementError, match="naive datetime"):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Centre)) == 0


@pytest.mark.parametrize("dialect_name", ["sqlite", "postgresql"])
def test_the_utc_type_refuses_naive_values_on_every_dialect(dialect_name):
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}[dialect_name]
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2025, 1, 1), dialect)
    assert UTCDateTime().process_bind_param(None, dialect) is None


# --- SQLite's settings ----------------------------------------------------------------------------


@pytest.fixture
def sqlite_only(database_url):
    if is_postgres(database_url):
        pytest.skip("SQLite connection settings")


def test_sqlite_connections_enforce_foreign_keys_wal_and_a_busy_timeout(app, sqlite_only):
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_sqlite_refuses_a_row_pointing_at_a_missing_centre(app, sqlite_only):
    with app.app_context():
        db.session.add(
            User(email="ghost@nowhere.example", name="Ghost", role=Role.ADMIN, centre_id=999)
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_concurrent_writers_on_sqlite_wait_their_turn_instead_of_failing(app, sqlite_only):
    threads_count, writes_each = 8, 10  # each write seeds a whole centre (ladder, measures, plans)
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def writer(number: int) -> None:
        try:
            with app.test_request_context(method="POST"):
                start.wait()
                for index in range(writes_each):
                    services.create_centre(
                        name=f"Centre {number}-{index}", slug=f"t{number}-{index}"
                    )
                    db.session.commit()
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    assert errors == []
    with app.app_context():
        slugs = set(db.session.scalars(sa.select(Centre.slug)))
    assert len(slugs) == threads_count * writes_each
    assert slugs == {f"t{n}-{i}" for n in range(threads_count) for i in range(writes_each)}
