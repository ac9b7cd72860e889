"""The participant services: enrolment, edits, status, consents, equipment, notes, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent, AuditTrailIsAppendOnly
from heartbeat.audit.services import diff
from heartbeat.auth.models import User
from heartbeat.core.edits import StaleEdit
from heartbeat.extensions import db
from heartbeat.participants import services
from heartbeat.participants.models import (
    Consent,
    ConsentKind,
    EquipmentFitting,
    Participant,
    ParticipantStatus,
    StatusChange,
)
from heartbeat.participants.rules import heart_rate_unreliable, normalise_sci_level
from tests.participants.conftest import DETAILS, TODAY


def _actor(world_centre):
    return db.session.get(User, world_centre.therapist.id)


def _load(participant_id: int) -> Participant:
    return db.session.get(Participant, participant_id)


# --- pure rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "unreliable"),
    [("C5", True), ("C8", True), ("T1", True), ("T6", True), ("T7", False), ("L2", False)],
)
def test_heart_rate_is_unreliable_at_or_above_t6(level, unreliable):
    assert heart_rate_unreliable(level) is unreliable


def test_sci_levels_are_normalised_and_nonsense_is_refused():
    assert normalise_sci_level(" t 6 ") == "T6"
    assert normalise_sci_level("c-5") == "C5"
    assert normalise_sci_level("") is None
    for bad in ("T13", "C9", "X1", "L6", "S0"):
        with pytest.raises(ValueError, match="spinal-cord level"):
            normalise_sci_level(bad)


def test_audit_diff_keeps_only_changed_fields_as_json_values():
    before = {"status": ParticipantStatus.ACTIVE, "dob": date(1990, 1, 1), "name": "Ada"}
    after = {"status": ParticipantStatus.PAUSED, "dob": date(1990, 1, 1), "name": "Ada"}
    assert diff(before, after) == {"status": {"before": "active", "after": "paused"}}


# --- enrolment ----------------------------------------------------------------------------------


def test_enrolment_with_data_consent_creates_an_active_participant_with_history(
    app, world, helpers
):
    participant_id = helpers.enrol(world.a, consents={ConsentKind.DATA_PROCESSING: True})
    with app.app_context():
        participant = _load(participant_id)
        assert participant.status == ParticipantStatus.ACTIVE
        assert participant.centre_id == world.a.centre.id
        assert participant.version == 1
        assert participant.hr_unreliable  # T4
        changes = db.session.scalars(sa.select(StatusChange)).all()
        assert [(c.from_status, c.to_status) for c in changes] == [(None, ParticipantStatus.ACTIVE)]
        consents = {c.kind: c for c in db.session.scalars(sa.select(Consent))}
        assert consents[ConsentKind.DATA_PROCESSING].given is True
        assert consents[ConsentKind.MEDIA].given is False
        assert consents[ConsentKind.DATA_PROCESSING].recorded_by_id == world.a.therapist.id
        assert all(c.centre_id == world.a.centre.id for c in consents.values())

    created = helpers.audit("participant.create")
    assert len(created) == 1
    assert created[0].actor_id == world.a.therapist.id
    assert created[0].changes["family_name"] == {"before": None, "after": "Lovelace"}
    assert created[0].changes["racing_class"] == {"before": None, "after": "T53"}
    assert len(helpers.audit("consent.change")) == 3


def test_enrolment_without_data_consent_is_refused_and_saves_nothing(app, world, helpers):
    with app.app_context():
        with pytest.raises(services.ParticipantError) as refused:
            services.enrol(
                centre_id=world.a.centre.id,
                actor=_actor(world.a),
                details=DETAILS,
                consents={ConsentKind.MEDIA: True},
                consent_recorded_on=TODAY,
                today=TODAY,
            )
        db.session.rollback()
    assert "consent_data_processing" in refused.value.field_errors
    assert helpers.count(Participant) == 0
    assert helpers.count(AuditEvent) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_of_birth": TODAY + timedelta(days=1)}, "date_of_birth", "in the past"),
        ({"racing_class": "T99"}, "racing_class", "racing class"),
        ({"given_name": "  "}, "given_name", "given name"),
        ({"sci_level": None}, "sci_level", "level"),
        ({"classification_status": "R"}, "classification_review_on", "review"),
    ],
)
def test_bad_details_are_refused_with_a_field_error(app, world, helpers, overrides, field, message):
    with app.app_context():
        with pytest.raises(services.ParticipantError) as refused:
            services.enrol(
                centre_id=world.a.centre.id,
                actor=_actor(world.a),
                details={**DETAILS, **overrides},
                consents={ConsentKind.DATA_PROCESSING: True},
                consent_recorded_on=TODAY,
                today=TODAY,
            )
        db.session.rollback()
    assert message in refused.value.field_errors[field]
    assert helpers.count(Participant) == 0


def test_therapist_from_another_centre_cannot_be_assigned(app, world):
    with app.app_context():
        with pytest.raises(services.ParticipantError) as refused:
            services.enrol(
                centre_id=world.a.centre.id,
                actor=_actor(world.a),
                details={**DETAILS, "therapist_id": world.b.therapist.id},
                consents={ConsentKind.DATA_PROCESSING: True},
                consent_recorded_on=TODAY,
                today=TODAY,
            )
    assert "therapist_id" in refused.value.field_errors


def test_sci_level_is_dropped_for_other_impairments(app, world, helpers):
    participant_id = helpers.enrol(world.a, impairment="amputation", sci_level="T4")
    participant = helpers.participant(participant_id)
    assert participant.sci_level is None
    assert not participant.hr_unreliable


# --- edits and versions -------------------------------------------------------------------------


def test_update_writes_field_level_audit_and_bumps_the_version(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    with app.app_context():
        participant = _load(participant_id)
        changes = services.update_details(
            participant,
            actor=_actor(world.a),
            details={**DETAILS, "therapist_id": world.a.therapist.id, "racing_class": "T54"},
            expected_version=1,
            today=TODAY,
        )
        db.session.commit()
        assert changes == {"racing_class": {"before": "T53", "after": "T54"}}
        assert participant.version == 2
    (event,) = helpers.audit("participant.update")
    assert event.entity_type == "participant"
    assert event.entity_id == participant_id
    assert event.changes == {"racing_class": {"before": "T53", "after": "T54"}}


def test_an_edit_built_from_an_older_version_is_refused_and_changes_nothing(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    mine = {**DETAILS, "therapist_id": world.a.therapist.id}
    with app.app_context():
        participant = _load(participant_id)
        services.update_details(
            participant,
            actor=_actor(world.a),
            details={**mine, "goal": "Finish a 5K"},
            expected_version=1,
            today=TODAY,
        )
        db.session.commit()
        with pytest.raises(StaleEdit) as stale:
            services.update_details(
                participant,
                actor=_actor(world.a),
                details={**mine, "goal": "Finish a 10K"},
                expected_version=1,
                today=TODAY,
            )
        db.session.rollback()
    assert stale.value.current_version == 2
    assert helpers.participant(participant_id).goal == "Finish a 5K"
    assert len(helpers.audit("participant.update")) == 1


# --- status -------------------------------------------------------------------------------------


def _change(participant, world_centre, to, version, reason="Because", on=TODAY):
    return services.change_status(
        participant,
        actor=_actor(world_centre),
        to_status=to,
        on=on,
        reason=reason,
        expected_version=version,
        today=TODAY,
    )


def test_status_lifecycle_active_paused_active_withdrawn(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    with app.app_context():
        participant = _load(participant_id)
        for target in ("paused", "active", "withdrawn"):
            _change(participant, world.a, target, participant.version)
        db.session.commit()
        history = db.session.scalars(sa.select(StatusChange).order_by(StatusChange.id)).all()
        assert [c.to_status.value for c in history] == ["active", "paused", "active", "withdrawn"]
        assert participant.status == ParticipantStatus.WITHDRAWN
    events = helpers.audit("participant.status")
    assert [e.changes["status"] for e in events] == [
        {"before": "active", "after": "paused"},
        {"before": "paused", "after": "active"},
        {"before": "active", "after": "withdrawn"},
    ]
    assert events[0].changes["reason"] == {"before": None, "after": "Because"}


@pytest.mark.parametrize(
    ("first", "then", "field"),
    [
        ("withdrawn", "paused", "to_status"),
        ("graduated", "withdrawn", "to_status"),
        (None, "active", "to_status"),
    ],
)
def test_status_changes_that_the_lifecycle_forbids_are_refused(
    app, world, helpers, first, then, field
):
    participant_id = helpers.enrol(world.a)
    with app.app_context():
        participant = _load(participant_id)
        if first:
            _change(participant, world.a, first, participant.version)
        with pytest.raises(services.ParticipantError) as refused:
            _change(participant, world.a, then, participant.version)
    assert field in refused.value.field_errors


def test_status_change_needs_a_reason_and_a_date_not_in_the_future(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    with app.app_context():
        participant = _load(participant_id)
        with pytest.raises(services.ParticipantError) as no_reason:
            _change(participant, world.a, "paused", 1, reason="  ")
        with pytest.raises(services.ParticipantError) as future:
            _change(participant, world.a, "paused", 1, on=TODAY + timedelta(days=1))
    assert "reason" in no_reason.value.field_errors
    assert "changed_on" in future.value.field_errors


# --- consents, equipment, notes -----------------------------------------------------------------


def test_consent_changes_are_audited_and_a_stale_consent_form_is_refused(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    with app.app_context():
        participant = _load(participant_id)
        changed = services.set_consents(
            participant,
            actor=db.session.get(User, world.a.admin.id),
            answers={ConsentKind.DATA_PROCESSING: True, ConsentKind.MEDIA: True},
            recorded_on=TODAY,
            expected_version=1,
            today=TODAY,
        )
        db.session.commit()
        assert [c.kind for c in changed] == [ConsentKind.MEDIA]
        assert changed[0].recorded_by_id == world.a.admin.id
        assert participant.version == 2
        with pytest.raises(StaleEdit) as stale:
            services.set_consents(
                participant,
                actor=_actor(world.a),
                answers={ConsentKind.DATA_PROCESSING: True},
                recorded_on=TODAY,
                expected_version=1,
                today=TODAY,
            )
    assert stale.value.current_version == 2
    event = helpers.audit("consent.change")[-1]
    assert event.actor_id == world.a.admin.id
    assert event.changes["given"] == {"before": False, "after": True}
    assert event.changes["kind"]["after"] == "media"


def test_a_refit_is_a_new_row_and_the_old_fitting_stays(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    with app.app_context():
        participant = _load(participant_id)
        for make, fitted in (("Top End", date(2025, 2, 1)), ("Carbonbike", date(2025, 5, 1))):
            services.add_fitting(
                participant,
                actor=_actor(world.a),
                chair_make=make,
                chair_model="Racer",
                fitted_on=fitted,
                wheel_size="700c",
                push_rim_mm=356,
                gloves="hard",
                notes=None,
                today=TODAY,
            )
        db.session.commit()
        rows = db.session.scalars(
            sa.select(EquipmentFitting).order_by(EquipmentFitting.fitted_on)
        ).all()
    assert [r.chair_make for r in rows] == ["Top End", "Carbonbike"]
    assert len(helpers.audit("equipment.create")) == 2


def test_a_fitting_in_the_future_or_without_a_make_is_refused(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    with app.app_context():
        with pytest.raises(services.ParticipantError) as refused:
            services.add_fitting(
                _load(participant_id),
                actor=_actor(world.a),
                chair_make="",
                chair_model=None,
                fitted_on=TODAY + timedelta(days=3),
                wheel_size=None,
                push_rim_mm=5,
                gloves="velvet",
                notes=None,
                today=TODAY,
            )
    assert set(refused.value.field_errors) == {"chair_make", "fitted_on", "push_rim_mm", "gloves"}


def test_audit_events_cannot_be_changed_or_deleted(app, world, helpers):
    helpers.enrol(world.a)
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent)).first()
        event.action = "tampered"
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalars(sa.select(AuditEvent)).first()
        db.session.delete(event)
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()


def test_linking_a_portal_login_is_audited_and_happens_once(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    second_id = helpers.enrol(world.a)
    with app.app_context():
        participant = _load(participant_id)
        user = db.session.get(User, world.a.participant.id)
        services.link_portal_user(participant, user)
        db.session.commit()
        other = db.session.get(User, world.a.other_participant.id)
        with pytest.raises(services.ParticipantError):
            services.link_portal_user(participant, other)
        with pytest.raises(services.ParticipantError):
            services.link_portal_user(
                _load(second_id), db.session.get(User, world.b.participant.id)
            )
    (event,) = helpers.audit("participant.link_user")
    assert event.changes == {"user_id": {"before": None, "after": world.a.participant.id}}


def test_a_newcomer_starts_on_the_lowest_active_stage_of_the_ladder(app, world, helpers):
    from tests.participants.conftest import seed_ladder

    no_ladder_yet = helpers.enrol(world.a)
    stages = seed_ladder(app, world.a)
    with app.app_context():
        from heartbeat.progress.models import LadderStage

        db.session.execute(
            sa.update(LadderStage)
            .where(LadderStage.id == stages["chair-fitted"])
            .values(retired_at=sa.func.now())
        )
        db.session.commit()
    newcomer = helpers.enrol(world.a)

    assert helpers.participant(no_ladder_yet).current_stage_id is None
    assert helpers.participant(newcomer).current_stage_id == stages["first-push"]
