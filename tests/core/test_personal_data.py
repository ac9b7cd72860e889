"""Every mapped column says whether it is personal data and what erasure does to it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from heartbeat.core import personal
from heartbeat.extensions import db


def _models(app) -> list[type]:
    with app.app_context():
        return sorted(
            (mapper.class_ for mapper in db.Model.registry.mappers), key=lambda m: m.__name__
        )


def test_every_mapped_column_is_classified_exactly_once(app):
    problems = {
        model.__name__: missing
        for model in _models(app)
        if (missing := personal.unclassified(model))
    }
    assert problems == {}, (
        "classify these columns in the model's __personal_data__ (core/personal.py explains how)"
    )


def test_a_new_unclassified_column_is_caught():
    class Base(sa.orm.DeclarativeBase):
        pass

    class Thing(Base):
        __tablename__ = "thing"
        __personal_data__ = personal.declare(not_personal=("id",))
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        nickname: sa.orm.Mapped[str] = sa.orm.mapped_column(sa.String(20))

    assert personal.unclassified(Thing) == ["nickname"]


def test_rows_about_a_participant_name_their_subject_and_a_section(app):
    about = personal.about_a_participant(_models(app))
    assert {model.__name__ for model, _ in about} >= {
        "Participant",
        "Consent",
        "TrainingSession",
        "ActivityFile",
        "Award",
        "Certificate",
        "Invite",
    }
    for model, declared in about:
        assert declared.subject in sa.inspect(model).columns, model
        assert declared.section and declared.describe, model
        assert set(declared.erased) <= set(sa.inspect(model).columns.keys()), model


@pytest.mark.parametrize("secret", ["password_hash", "token_hash", "mfa_secret", "code_hash"])
def test_credentials_are_declared_secret_so_no_export_carries_them(app, secret):
    holders = [m for m in _models(app) if secret in sa.inspect(m).columns]
    assert holders
    for model in holders:
        assert secret in personal.declaration(model).secret
