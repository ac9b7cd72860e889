"""The audit page reads like a record people keep: names, units, local times, and the filters
an admin needs (what, who, about whom, when), all in a bounded number of queries."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, date, datetime, timedelta

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre, Units
from heartbeat.extensions import db
from heartbeat.participants import services as participants
from heartbeat.participants.models import Participant
from heartbeat.progress.services import seed_default_ladder
from heartbeat.training import services as training
from heartbeat.training.models import SessionSource, TrainingSession
from tests.helpers import signed_in
from tests.training.conftest import START, session_values


def _cells(html: str, label: str) -> list[str]:
    found = re.findall(rf'<t[dh][^>]*data-label="{label}"[^>]*>(.*?)</t[dh]>', html, re.S)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def _changes(html: str) -> list[str]:
    """Each change as "Label: was → now" text, in page order."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.S)
    text = [
        f"{html_lib.unescape(label)}: "
        + html_lib.unescape(re.sub(r"<span class=\"visually-hidden\">[^<]*</span>|<[^>]+>", "", d))
        for label, d in pairs
    ]
    return [re.sub(r"\s+", " ", item).strip() for item in text]


def _people(app, world):
    centre = db.session.get(Centre, world.a.centre.id)
    return (
        centre,
        db.session.get(User, world.a.therapist.id),
        db.session.get(User, world.a.admin.id),
    )


def _push(app, world, pid: int, *, actor="therapist", **values) -> int:
    with app.app_context():
        participant = db.session.get(Participant, pid)
        user = db.session.get(User, getattr(world.a, actor).id)
        session = training.log_session(participant, actor=user, values=session_values(**values))
        db.session.commit()
        return session.id


# --- names, units and times ----------------------------------------------------------------------


def test_a_session_reads_in_the_centres_units_with_names_not_ids(app, world, helpers):
    pid = helpers.enrol(world.a, given_name="Ada", family_name="Lovelace", preferred_name="Addie")
    with app.app_context():
        seed_default_ladder(world.a.centre.id)
        db.session.commit()
    session_id = _push(app, world, pid, distance_m=12_400.0, moving_time_s=2525)
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        session.self_reported, session.source = True, SessionSource.SELF_REPORT
        centre, therapist, _ = _people(app, world)
        participant = db.session.get(Participant, pid)
        training.verify_sessions([session], {pid: participant}, actor=therapist)
        db.session.commit()
    admin = signed_in(app, world.a.admin.email)
    html = admin.get("/audit?entity=training_session").get_data(as_text=True)

    assert _cells(html, "What") == ["Session verified", "Session logged"]
    assert _cells(html, "Who") == ["Therapist", "Therapist"]
    assert _cells(html, "Record")[0] == "Session: Addie Lovelace, 1 May 2025"
    changes = _changes(html)
    assert "Distance: 12.4 km" in changes and "Time: 42:05" in changes
    assert "Verified by: Therapist" in changes
    assert "Participant: Addie Lovelace" in changes
    assert "Date and start time: 1 May 2025, 09:30" in changes  # 08:30 UTC, London summer
    for raw in ("distance_m", "verified_by_id", "12400", "Participant 1"):
        assert raw not in html, raw
    assert not [change for change in changes if "+00:00" in change or "T08:30" in change]

    with app.app_context():
        db.session.get(Centre, world.a.centre.id).units = Units.MI
        db.session.commit()
    in_miles = admin.get("/audit?action=session.create").get_data(as_text=True)
    assert "Distance: 7.7 mi" in _changes(in_miles)


def test_times_show_in_the_centres_zone_to_the_minute_with_the_zone_named(app, world, helpers):
    pid = helpers.enrol(world.a)
    late = datetime(2025, 6, 3, 23, 30, 15, 123456, tzinfo=UTC)
    with app.app_context():
        centre, therapist, _ = _people(app, world)
        audit.record(therapist, centre.id, "note.create", "participant", pid, {}, at=late)
        db.session.commit()
    admin = signed_in(app, world.a.admin.email)
    html = admin.get("/audit?action=note.create").get_data(as_text=True)
    assert '<th scope="col">When (Europe/London)</th>' in html
    assert _cells(html, "When") == ["4 Jun 2025, 00:30"]
    assert 'datetime="2025-06-03T23:30:15.123456+00:00"' in html

    with app.app_context():
        db.session.get(Centre, world.a.centre.id).timezone = "America/New_York"
        db.session.commit()
    html = admin.get("/audit?action=note.create").get_data(as_text=True)
    assert "When (America/New_York)" in html and _cells(html, "When") == ["3 Jun 2025, 19:30"]


# --- filters -------------------------------------------------------------------------------------


def test_filter_by_who_acted(app, world, helpers):
    pid = helpers.enrol(world.a, actor=world.a.therapist)
    admin = signed_in(app, world.a.admin.email)
    admin.post(f"/participants/{pid}/notes", data={"body": "Checked the chair", "shared": "y"})

    html = admin.get("/audit").get_data(as_text=True)
    assert '<label for="actor">Who did it</label>' in html
    assert f'<option value="{world.a.admin.id}">Admin</option>' in html
    assert "Bravo" not in html and "admin@bravo" not in html  # another centre's people
    by_admin = admin.get(f"/audit?actor={world.a.admin.id}").get_data(as_text=True)
    assert _cells(by_admin, "What") == ["Note added"]
    by_therapist = admin.get(f"/audit?actor={world.a.therapist.id}").get_data(as_text=True)
    assert set(_cells(by_therapist, "What")) == {"Participant enrolled", "Consent recorded"}
    with app.app_context():
        audit.record(None, world.a.centre.id, "awards.evaluate", "participant", pid, {})
        db.session.commit()
    assert _cells(admin.get("/audit?actor=system").get_data(as_text=True), "Who") == ["System"]


def test_filter_by_participant_finds_every_record_of_theirs_even_deleted_ones(app, world, helpers):
    ada = helpers.enrol(world.a, given_name="Ada", family_name="Lovelace")
    bea = helpers.enrol(world.a, given_name="Bea", family_name="Other")
    gone = _push(app, world, ada)
    _push(app, world, bea, started_at=START + timedelta(days=1))
    with app.app_context():
        _, therapist, _ = _people(app, world)
        session = db.session.get(TrainingSession, gone)
        training.delete_session(session, db.session.get(Participant, ada), actor=therapist)
        db.session.commit()
    admin = signed_in(app, world.a.admin.email)
    admin.post(f"/participants/{ada}/notes", data={"body": "Ada's note", "shared": "y"})

    page = admin.get("/audit").get_data(as_text=True)
    assert '<label for="participant">About participant</label>' in page
    assert f'<option value="{ada}">Ada Lovelace</option>' in page
    html = admin.get(f"/audit?participant={ada}").get_data(as_text=True)
    records = _cells(html, "Record")
    assert _cells(html, "What") == [
        "Note added",
        "Session deleted",
        "Session logged",
        "Consent recorded",
        "Consent recorded",
        "Consent recorded",
        "Participant enrolled",
    ]
    assert records[1] == records[2] == "Session (deleted): Ada Lovelace"
    assert not any("Bea" in record for record in records)
    # Another centre's participant is no one here.
    cy = helpers.enrol(world.b, given_name="Cy", family_name="Bravo")
    page = admin.get("/audit").get_data(as_text=True)
    choices = re.search(r'<select id="participant".*?</select>', page, re.S)[0]
    assert f'<option value="{ada}">Ada Lovelace</option>' in choices
    assert f'<option value="{cy}">' not in choices and "Bravo" not in choices
    assert _cells(admin.get(f"/audit?participant={cy}").get_data(as_text=True), "What") == []


def test_filter_by_local_dates(app, world, helpers):
    pid = helpers.enrol(world.a)
    with app.app_context():
        centre, therapist, _ = _people(app, world)
        # 23:30 UTC on 3 June is already 4 June in London (summer time).
        for at in (
            datetime(2025, 6, 2, 12, 0, tzinfo=UTC),
            datetime(2025, 6, 3, 23, 30, tzinfo=UTC),
            datetime(2025, 6, 5, 8, 0, tzinfo=UTC),
        ):
            audit.record(therapist, centre.id, "note.create", "participant", pid, {}, at=at)
        db.session.commit()
    admin = signed_in(app, world.a.admin.email)
    page = admin.get("/audit").get_data(as_text=True)
    assert '<label for="from">From (first day)</label>' in page
    assert '<input type="date" id="to" name="to"' in page

    def whens(query: str) -> list[str]:
        return _cells(
            admin.get(f"/audit?action=note.create&{query}").get_data(as_text=True), "When"
        )

    assert whens("from=2025-06-04&to=2025-06-04") == ["4 Jun 2025, 00:30"]
    assert whens("to=2025-06-03") == ["2 Jun 2025, 13:00"]
    assert whens("from=2025-06-04") == ["5 Jun 2025, 09:00", "4 Jun 2025, 00:30"]
    bad = admin.get("/audit?from=yesterday&to=2025-06-03").get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="from-error"' in bad
    assert "Enter a date as day, month and year" in bad
    backwards = admin.get("/audit?from=2025-06-05&to=2025-06-01").get_data(as_text=True)
    assert "The last day must be on or after the first day." in backwards


def test_pagination_keeps_every_filter(app, world, helpers):
    app.config["HEARTBEAT_PAGE_SIZE"] = 2
    pid = helpers.enrol(world.a)
    therapist = world.a.therapist.id
    query = (
        f"action=consent.change&actor={therapist}&participant={pid}&from=2000-01-01&to=2100-01-01"
    )
    html = signed_in(app, world.a.admin.email).get(f"/audit?{query}").get_data(as_text=True)
    assert "Page 1 of 2 (3 in all)" in html
    (link,) = re.findall(r'href="([^"]*page=2[^"]*)" rel="next"', html)
    link = html_lib.unescape(link)
    for part in query.split("&"):
        assert part in link, part


def test_the_filters_are_a_labelled_get_form(app, world):
    html = signed_in(app, world.a.admin.email).get("/audit").get_data(as_text=True)
    form = re.search(r"<form method=\"get\"[^>]*>(.*?)</form>", html, re.S)[1]
    controls = re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', form)
    assert {"action", "actor", "participant", "from", "to"} <= set(controls)
    for control in controls:
        assert f'<label for="{control}">' in form, control
    assert 'type="date" id="from" name="from"' in form


# --- a bounded number of queries -----------------------------------------------------------------


def test_a_page_of_many_events_costs_as_few_queries_as_a_page_of_a_few(
    app, world, helpers, query_counter
):
    """Six times the events of every kind on one page: not one query more."""
    app.config["HEARTBEAT_PAGE_SIZE"] = 500
    with app.app_context():
        seed_default_ladder(world.a.centre.id)
        db.session.commit()
    client = signed_in(app, world.a.admin.email)

    def add_racers(first: int, count: int) -> None:
        pids = [helpers.enrol(world.a, family_name=f"Racer{first + i}") for i in range(count)]
        with app.app_context():
            centre, therapist, admin = _people(app, world)
            for i, pid in enumerate(pids):
                participant = db.session.get(Participant, pid)
                for day in range(2):
                    values = session_values(
                        started_at=START + timedelta(days=day), distance_m=1500.0 * (i + day + 1)
                    )
                    training.log_session(participant, actor=therapist, values=values)
                participants.add_note(participant, actor=admin, body=f"Note {i}", shared=False)
                doomed = training.log_session(participant, actor=therapist, values=session_values())
                training.delete_session(doomed, participant, actor=therapist)
            db.session.commit()

    def cost() -> tuple[int, str]:
        client.get("/audit")  # warm: the first request pays for caches
        with query_counter() as statements:
            html = client.get("/audit").get_data(as_text=True)
        return len(statements), html

    add_racers(0, 2)
    few, small = cost()
    add_racers(2, 10)
    many, large = cost()
    assert len(_cells(large, "What")) > 5 * len(_cells(small, "What")) > 50
    assert "Racer11" in large and "Participant 1" not in large
    assert "Session (deleted): Ada Racer11" in _cells(large, "Record")
    assert many == few, (few, many)
    assert many <= 20


def test_another_day_in_another_zone_is_found_by_its_local_date(app, world, helpers):
    """The date range is the centre's calendar, not UTC's."""
    pid = helpers.enrol(world.a)
    with app.app_context():
        centre, therapist, _ = _people(app, world)
        centre.timezone = "Pacific/Auckland"
        # 12:30 UTC on 1 January is 01:30 on 2 January in Auckland (summer, UTC+13).
        at = datetime(2025, 1, 1, 12, 30, tzinfo=UTC)
        audit.record(therapist, centre.id, "note.create", "participant", pid, {}, at=at)
        db.session.commit()
    admin = signed_in(app, world.a.admin.email)
    day = date(2025, 1, 2).isoformat()
    html = admin.get(f"/audit?action=note.create&from={day}&to={day}").get_data(as_text=True)
    assert _cells(html, "When") == ["2 Jan 2025, 01:30"]
