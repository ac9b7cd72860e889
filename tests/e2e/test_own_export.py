"""A participant takes their data with them, in a real browser: their therapist uploads a watch's
GPX file (gzipped, as exports ship them) as a session, the session page offers the original for
download, and the participant, on their own device, downloads "my data" as a ZIP holding the
session as CSV and the original file, byte for byte."""

from __future__ import annotations

import csv
import gzip
import io
import uuid
import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import ConsentKind
from heartbeat.participants.services import enrol
from tests.e2e.conftest import PEOPLE, Person, make_live_app
from tests.e2e.journeys import open_my_page, sign_in
from tests.helpers import add_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# A real track, moved a year earlier: the journeys upload the same file, and a centre refuses
# a file it already holds (this test shares the browser tests' database).
GPX = (
    (Path(__file__).parent.parent / "training" / "data" / "cerknicko-jezero.gpx")
    .read_bytes()
    .replace(b"2010-", b"2009-")
)


@pytest.fixture(scope="module")
def rider(live_database_url, tmp_path_factory) -> tuple[int, Person]:
    """A participant of centre A, enrolled before the file's 2009 session, with a login."""
    email = f"rider.{uuid.uuid4().hex[:8]}@alpha.example"
    app = make_live_app(live_database_url, tmp_path_factory.mktemp("own-export"))
    with app.app_context():
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == "alpha")).one()
        therapist = db.session.scalars(
            sa.select(User).where(User.email == PEOPLE.therapist.email)
        ).one()
        user = add_user(centre, email, Role.PARTICIPANT)
        participant = enrol(
            centre_id=centre.id,
            actor=therapist,
            details={
                "given_name": "Rae",
                "family_name": f"Carver{uuid.uuid4().hex[:4]}",
                "date_of_birth": date(1980, 4, 2),
                "enrolled_on": date(2009, 1, 5),
                "impairment": "amputation",
                "racing_class": "T54",
                "classification_status": "N",
                "therapist_id": therapist.id,
            },
            consents={ConsentKind.DATA_PROCESSING: True},
            consent_recorded_on=date(2025, 1, 10),
            today=date.today(),
        )
        db.session.flush()
        participant.user_id = user.id
        participant_id = participant.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return participant_id, Person(email, "Rae")


def test_a_participant_downloads_their_sessions_and_original_files(page, new_page, shot, rider):
    participant_id, person = rider
    packed = gzip.compress(GPX)

    # --- the therapist uploads the watch's file ---------------------------------------------
    sign_in(page, shot, PEOPLE.therapist)
    shot(page, "therapist home")
    page.goto(f"/participants/{participant_id}/sessions/upload")
    page.get_by_label("Device file (GPX, TCX or FIT)").set_input_files(
        files=[{"name": "lake-push.gpx.gz", "mimeType": "application/gzip", "buffer": packed}]
    )
    page.get_by_label("Kind of session").select_option(label="Road")
    shot(page, "a gzipped GPX file chosen")
    page.get_by_role("button", name="Upload and save").click()
    expect(page.get_by_text("The file is saved as a session")).to_be_visible()
    link = page.get_by_role("link", name="Download the original file")
    expect(link).to_be_visible()
    shot(page, "the session from the file, with its original")
    with page.expect_download() as staff_download:
        link.click()
    assert Path(staff_download.value.path()).read_bytes() == packed
    assert staff_download.value.suggested_filename == "lake-push.gpx.gz"

    # --- the participant, on their own device -----------------------------------------------
    own = new_page()
    sign_in(own, shot, person)
    shot(own, "participant signed in")
    own.goto("/me")
    shot(own, "participant's today page")
    open_my_page(own, "About me")
    button = own.get_by_role("button", name="Download my data")
    expect(button).to_be_visible()
    shot(own, "about me, with their data to download")
    with own.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"my-heartbeat-miles-{participant_id}-")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    names = archive.namelist()
    [original] = [name for name in names if name.startswith("device-files/")]
    assert original.endswith("-lake-push.gpx.gz")
    assert archive.read(original) == packed
    rows = list(csv.DictReader(io.StringIO(archive.read("sessions.csv").decode("utf-8-sig"))))
    assert [(row["kind"], row["device_file"]) for row in rows] == [("road", "lake-push.gpx.gz")]
    assert "README.txt" in names
