"""Backup and restore: a round trip gives back every row, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.centres.models import Centre
from heartbeat.devtools.backup import content_checksums
from heartbeat.devtools.benchdata import seed_bench
from heartbeat.extensions import db


def _checksums(app):
    with app.app_context():
        return content_checksums(db.engine, db.metadata)


def test_backup_then_restore_gives_back_identical_content(app, runner, tmp_path, world):
    with app.app_context():
        seed_bench(centres=2, participants=30, sessions=900)
        db.session.add(
            AuditEvent(
                centre_id=world.a.centre.id,
                action="test.event",
                entity_type="centre",
                entity_id=1,
                changes={"x": 1},
            )
        )
        db.session.commit()
    before = _checksums(app)
    assert before["training_session"][0] == 900
    backup_file = tmp_path / "backup.bin"

    result = runner.invoke(args=["backup", "-o", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert backup_file.stat().st_size > 0

    # Change things after the backup: a centre is lost, another appears.
    with app.app_context():
        db.session.execute(sa.delete(Centre).where(Centre.slug == "bench-1"))
        db.session.add(Centre(name="Made after the backup", slug="later"))
        db.session.commit()
    assert _checksums(app) != before

    result = runner.invoke(args=["restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    assert _checksums(app) == before


def test_restore_asks_before_replacing_everything(runner, tmp_path, app):
    backup_file = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", "-o", str(backup_file)]).exit_code == 0
    result = runner.invoke(args=["restore", str(backup_file)], input="n\n")
    assert result.exit_code != 0
    assert "replaces every centre's data" in result.output


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path, world, app):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"MZ\x90\x00 not a database")
    before = _checksums(app)
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code != 0
    assert "not a Heartbeat Miles backup" in result.output
    assert _checksums(app) == before


def test_restore_of_a_missing_file_says_so(runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "nope.bin"), "--yes"])
    assert result.exit_code != 0
    assert "No backup file" in result.output
