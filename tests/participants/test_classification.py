"""The classification pathway (issue 18 item 7): the statuses people meet besides N, R and C,
the review-due reminder for R and R (FRD), and the Medical Diagnostics Form checklist."""

from __future__ import annotations

import html
import io
from datetime import date, timedelta

import pytest

from heartbeat.participants import services
from heartbeat.participants.classification import (
    MDF_ITEMS,
    REVIEW_DATED,
    ClassificationStatus,
    checklist_labels,
    clean_checklist,
)
from heartbeat.participants.models import Participant
from tests.helpers import signed_in
from tests.participants.conftest import DETAILS, TODAY, form_data
from tests.participants.test_attention import _group, _listed, _recent


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def staff(app, world):
    return signed_in(app, world.a.therapist.email)


# --- the statuses and the checklist as data ----------------------------------------------------


def test_the_statuses_and_which_need_a_review_date():
    assert [status.value for status in ClassificationStatus] == [
        "N",
        "R",
        "FRD",
        "C",
        "CNC",
        "NE",
    ]
    assert REVIEW_DATED == {ClassificationStatus.REVIEW, ClassificationStatus.FIXED_REVIEW}
    assert ClassificationStatus("FRD").label.startswith("R (FRD)")
    assert ClassificationStatus("CNC").label == "CNC: classification not completed"
    assert ClassificationStatus("NE").label == "NE: not eligible"


def test_the_checklist_keeps_its_order_and_refuses_unknown_items():
    assert clean_checklist(["signed", "diagnosis", "signed"]) == ["diagnosis", "signed"]
    assert checklist_labels(["dated"]) == [MDF_ITEMS["dated"]]
    assert "12 months" in MDF_ITEMS["dated"]
    with pytest.raises(ValueError, match="Not an item of the checklist: x-ray"):
        clean_checklist(["x-ray"])


# --- details: the statuses through the service and the form -------------------------------------


@pytest.mark.parametrize("status", ["FRD", "CNC", "NE"])
def test_the_new_statuses_are_saved_as_their_codes(app, world, helpers, status):
    review = TODAY + timedelta(days=200) if status == "FRD" else None
    pid = helpers.enrol(world.a, classification_status=status, classification_review_on=review)
    participant = helpers.participant(pid)
    assert participant.classification_status == ClassificationStatus(status)
    assert participant.classification_review_on == review


def test_a_fixed_review_needs_its_date(app, world, helpers):
    with app.app_context(), pytest.raises(services.ParticipantError) as refused:
        services.clean_details(
            {**DETAILS, "classification_status": "FRD"}, centre_id=world.a.centre.id, today=TODAY
        )
    assert refused.value.field_errors["classification_review_on"].startswith(
        "Enter the fixed review date"
    )


def test_the_details_form_offers_every_status_and_the_record_shows_it(app, world, helpers, staff):
    pid = helpers.enrol(world.a)
    page = _text(staff.get(f"/participants/{pid}/edit"))
    for status in ClassificationStatus:
        assert f'value="{status.value}"' in page and status.label in page
    version = str(helpers.participant(pid).version)
    saved = staff.post(
        f"/participants/{pid}/edit",
        data=form_data(
            classification_status="FRD",
            classification_review_on=(TODAY + timedelta(days=90)).isoformat(),
            version=version,
            therapist_id=str(world.a.therapist.id),
        ),
    )
    assert saved.status_code == 302, _text(saved)
    records = _text(staff.get(f"/participants/{pid}/records"))
    assert "R (FRD): class holds until a fixed review date" in records
    [event] = [e for e in helpers.audit("participant.update") if e.entity_id == pid]
    assert event.changes["classification_status"] == {"before": "C", "after": "FRD"}
    trail = _text(signed_in(app, world.a.admin.email).get("/audit"))
    assert "R (FRD): class holds until a fixed review date" in trail


# --- the review-due reminder -------------------------------------------------------------------


def test_fixed_review_dates_are_reminded_like_reviews(app, world, helpers):
    today = date.today()
    for name, status, days in (
        ("Fixedsoon", "FRD", 12),
        ("Fixedlater", "FRD", 90),
        ("Reviewpast", "R", -3),
        ("Notcompleted", "CNC", None),
    ):
        helpers.enrol(
            world.a,
            family_name=name,
            classification_status=status,
            classification_review_on=today + timedelta(days=days) if days is not None else None,
            **_recent(),
        )
    page = signed_in(app, world.a.admin.email).get("/participants").get_data(as_text=True)
    assert _listed(page, "reviews") == ["Reviewpast, Ada", "Fixedsoon, Ada"]
    assert "fixed review due" in _group(page, "reviews")


def test_the_overview_says_a_fixed_review_is_due(app, world, helpers, staff):
    soon = date.today() + timedelta(days=5)
    pid = helpers.enrol(
        world.a, classification_status="FRD", classification_review_on=soon, **_recent()
    )
    assert f"Classification review due {soon:%d %b %Y}" in _text(staff.get(f"/participants/{pid}"))


# --- the medical diagnostics form checklist ----------------------------------------------------


def test_ticking_the_checklist_saves_audits_and_shows_on_the_record(app, world, helpers, staff):
    pid = helpers.enrol(world.a)
    records = _text(staff.get(f"/participants/{pid}/records"))
    assert f"/participants/{pid}/classification" in records
    assert f"0 of {len(MDF_ITEMS)} checklist items done" in records
    page = _text(staff.get(f"/participants/{pid}/classification"))
    assert "Medical diagnostics form" in page
    for label in MDF_ITEMS.values():
        assert label in page
    version = str(helpers.participant(pid).version)
    saved = staff.post(
        f"/participants/{pid}/classification",
        data={"checklist": ["signed", "diagnosis"], "version": version},
    )
    assert saved.status_code == 302, _text(saved)
    assert helpers.participant(pid).classification_checklist == ["diagnosis", "signed"]
    [event] = helpers.audit("participant.classification_checklist")
    assert event.changes["classification_checklist"] == {
        "before": [],
        "after": ["diagnosis", "signed"],
    }
    records = _text(staff.get(f"/participants/{pid}/records"))
    assert f"2 of {len(MDF_ITEMS)} checklist items done" in records
    trail = _text(signed_in(app, world.a.admin.email).get("/audit"))
    assert "Medical diagnostics form checklist" in trail and MDF_ITEMS["signed"] in trail

    # Everything ticked: ready. A stale form is refused; an unknown item is refused.
    version = str(helpers.participant(pid).version)
    stale = staff.post(
        f"/participants/{pid}/classification", data={"checklist": ["dated"], "version": "1"}
    )
    assert stale.status_code == 409
    unknown = staff.post(
        f"/participants/{pid}/classification", data={"checklist": ["x-ray"], "version": version}
    )
    assert unknown.status_code == 422 and "Not an item of the checklist" in _text(unknown)
    everything = staff.post(
        f"/participants/{pid}/classification",
        data={"checklist": list(MDF_ITEMS), "version": version},
    )
    assert everything.status_code == 302
    assert "Ready" in _text(staff.get(f"/participants/{pid}/records"))


def test_participants_and_other_centres_cannot_reach_the_checklist(app, world, helpers):
    pid = helpers.enrol(world.a)
    helpers.link(pid, world.a.participant)
    own = signed_in(app, world.a.participant.email)
    assert own.get(f"/participants/{pid}/classification").status_code == 403
    other = signed_in(app, world.b.therapist.email)
    assert other.get(f"/participants/{pid}/classification").status_code == 404
    assert other.post(f"/participants/{pid}/classification", data={}).status_code == 404


# --- CSV import ---------------------------------------------------------------------------------


def test_a_csv_import_takes_the_new_codes(app, world, helpers):
    header = "given_name,family_name,date_of_birth,impairment,racing_class,classification_status,"
    header += "classification_review_on,enrolled_on,consent_data_processing,consent_recorded_on\r\n"
    rows = "Fay,Fixed,1991-02-03,amputation,T54,FRD,2026-09-01,2025-01-10,yes,2025-01-10\r\n"
    rows += "Nel,Noteligible,1992-02-03,other,unclassified,NE,,2025-01-10,yes,2025-01-10\r\n"
    admin = signed_in(app, world.a.admin.email)
    response = admin.post(
        "/participants/import",
        data={"file": (io.BytesIO((header + rows).encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, _text(response)
    with app.app_context():
        from heartbeat.extensions import db

        statuses = dict(
            db.session.execute(
                Participant.__table__.select()
                .with_only_columns(Participant.family_name, Participant.classification_status)
                .where(Participant.family_name.in_(["Fixed", "Noteligible"]))
            ).all()
        )
    assert statuses == {"Fixed": "FRD", "Noteligible": "NE"}
    bad = admin.post(
        "/participants/import",
        data={
            "file": (
                io.BytesIO((header + rows.replace("FRD", "XX")).encode()),
                "people.csv",
            )
        },
        content_type="multipart/form-data",
    )
    assert "Use N, R, FRD, C, CNC or NE." in _text(bad)
