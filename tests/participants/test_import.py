"""CSV import: every row checked first, errors by line and column, then all or nothing."""

from __future__ import annotations

import codecs
import csv
import html as html_lib
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.participants import importing
from heartbeat.participants.models import Consent, ConsentKind, Participant
from tests.helpers import signed_in

HEADER = [
    "given_name",
    "family_name",
    "date_of_birth",
    "impairment",
    "sci_level",
    "racing_class",
    "classification_status",
    "enrolled_on",
    "therapist_email",
    "consent_data_processing",
    "consent_media",
    "consent_recorded_on",
]


def _row(**overrides) -> dict[str, str]:
    return {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1990-05-31",
        "impairment": "sci",
        "sci_level": "T4",
        "racing_class": "T53",
        "classification_status": "N",
        "enrolled_on": "2025-01-10",
        "therapist_email": "",
        "consent_data_processing": "yes",
        "consent_media": "no",
        "consent_recorded_on": "2025-01-10",
        **overrides,
    }


def _csv(
    rows: list[dict[str, str]],
    header: list[str] = HEADER,
    *,
    bom: bool = False,
    delimiter: str = ",",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    data = out.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + data if bom else data


def _upload(client, data: bytes, filename: str = "people.csv"):
    return client.post(
        "/participants/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _problems(response) -> list[tuple[str, str]]:
    html = response.get_data(as_text=True)
    return [
        (html_lib.unescape(where), html_lib.unescape(problem))
        for where, problem in re.findall(
            r'<th scope="row" data-label="Where">([^<]+)</th><td data-label="Problem">([^<]+)</td>',
            html,
        )
    ]


@pytest.fixture
def therapist(app, world):
    return signed_in(app, world.a.therapist.email)


def test_the_template_has_the_documented_header(app, world, therapist):
    response = therapist.get("/participants/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    assert text.strip().split(",") == list(importing.COLUMN_NAMES)
    page = therapist.get("/participants/import").get_data(as_text=True)
    for name in importing.COLUMN_NAMES:
        assert f"<code>{name}</code>" in page


def test_a_good_file_enrols_everyone_with_consents_and_an_audit_trail(
    app, world, helpers, therapist
):
    rows = [
        _row(therapist_email=world.a.therapist.email.upper()),
        _row(
            given_name="Grace",
            family_name="Hopper",
            impairment="Amputation",
            sci_level="",
            racing_class="t54",
            consent_media="yes",
        ),
        _row(given_name="Zoë", family_name="Ørsted", racing_class="Not yet classified"),
    ]

    response = _upload(therapist, _csv(rows, bom=True))

    assert response.status_code == 302, _problems(response)
    assert "/participants" in response.headers["Location"]
    with app.app_context():
        people = db.session.scalars(sa.select(Participant).order_by(Participant.id)).all()
        assert [(p.given_name, p.family_name) for p in people] == [
            ("Ada", "Lovelace"),
            ("Grace", "Hopper"),
            ("Zoë", "Ørsted"),
        ]
        assert people[0].therapist_id == world.a.therapist.id
        assert people[1].sci_level is None and people[1].racing_class.value == "T54"
        assert people[2].racing_class.value == "unclassified"
        media = db.session.scalars(
            sa.select(Consent).where(Consent.kind == ConsentKind.MEDIA).order_by(Consent.id)
        ).all()
        assert [c.given for c in media] == [False, True, False]
    assert len(helpers.audit("participant.create")) == 3
    (summary,) = helpers.audit("participant.import")
    assert summary.actor_id == world.a.therapist.id
    assert summary.entity_type == "centre" and summary.entity_id == world.a.centre.id
    assert summary.changes["rows"] == {"before": None, "after": 3}
    assert summary.changes["file"] == {"before": None, "after": "people.csv"}
    assert summary.changes["participant_ids"]["after"] == [p.id for p in people]


def test_one_bad_row_imports_nobody_and_names_line_and_column(app, world, helpers, therapist):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    rows = [_row(), _row(given_name="Grace", date_of_birth=tomorrow), _row(given_name="Alan")]

    response = _upload(therapist, _csv(rows))

    assert response.status_code == 422
    assert _problems(response) == [
        ("Line 3, column date_of_birth (C)", "The date of birth must be in the past."),
        (
            "Line 3, column enrolled_on (H)",
            "The enrolment date cannot be before the date of birth.",
        ),
    ]
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert helpers.count(Participant) == 0
    assert helpers.audit() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"given_name": ""}, ("Line 2, column given_name (A)", "Enter the given name.")),
        (
            {"racing_class": "T99"},
            ("Line 2, column racing_class (F)", "This is not a racing class we know."),
        ),
        (
            {"date_of_birth": "31/05/1990"},
            ("Line 2, column date_of_birth (C)", "Enter a real date as YYYY-MM-DD"),
        ),
        (
            {"enrolled_on": "2025-02-30"},
            ("Line 2, column enrolled_on (H)", "Enter a real date as YYYY-MM-DD"),
        ),
        (
            {"sci_level": ""},
            ("Line 2, column sci_level (E)", "Enter the level of the spinal-cord injury"),
        ),
        (
            {"classification_status": "R"},
            ("Line 2, column classification_review_on", "Enter the date of the classification"),
        ),
        (
            {"consent_data_processing": "no"},
            ("Line 2, column consent_data_processing (J)", "cannot enrol anyone without it"),
        ),
        ({"consent_media": "maybe"}, ("Line 2, column consent_media (K)", "Write yes or no.")),
        (
            {"therapist_email": "therapist@bravo.example"},
            ("Line 2, column therapist_email (I)", "No therapist or admin of this centre"),
        ),
    ],
)
def test_each_kind_of_bad_value_is_reported_where_it_is(
    app, world, helpers, therapist, overrides, expected
):
    response = _upload(therapist, _csv([_row(**overrides)]))

    assert response.status_code == 422
    problems = _problems(response)
    assert len(problems) == 1, problems
    where, message = problems[0]
    assert where == expected[0] or where.startswith(expected[0])
    assert expected[1] in message
    assert helpers.count(Participant) == 0


def test_every_problem_of_every_row_is_listed_at_once(app, world, therapist):
    rows = [_row(given_name="", racing_class="X"), _row(), _row(family_name="", impairment="?")]
    problems = [where for where, _ in _problems(_upload(therapist, _csv(rows)))]
    assert problems == [
        "Line 2, column given_name (A)",
        "Line 2, column racing_class (F)",
        "Line 4, column family_name (B)",
        "Line 4, column impairment (D)",
    ]


def test_the_form_and_the_import_give_the_same_message_for_the_same_mistake(app, world, therapist):
    from tests.participants.conftest import form_data

    form = therapist.post(
        "/participants/new",
        data={
            **form_data(sci_level=""),
            "consent_data_processing": "y",
            "consent_recorded_on": "2025-01-10",
        },
    ).get_data(as_text=True)
    message = "Enter the level of the spinal-cord injury, such as T4."
    assert message in form
    (problem,) = _problems(_upload(therapist, _csv([_row(sci_level="")])))
    assert problem[1] == message


def test_duplicates_in_the_file_and_of_people_already_enrolled_are_refused(
    app, world, helpers, therapist
):
    helpers.enrol(
        world.a, given_name="Grace", family_name="Hopper", date_of_birth=date(1990, 5, 31)
    )
    rows = [
        _row(),
        _row(given_name=" ada ", family_name="LOVELACE"),
        _row(given_name="Grace", family_name="Hopper"),
    ]

    problems = _problems(_upload(therapist, _csv(rows)))

    assert problems[0] == (
        "Line 3",
        "The same person (name and date of birth) as line 2.",
    )
    assert problems[1][0] == "Line 4" and "Already enrolled: participant number" in problems[1][1]
    assert helpers.count(Participant) == 1


def test_someone_in_another_centre_is_no_duplicate(app, world, helpers, therapist):
    helpers.enrol(world.b, date_of_birth=date(1990, 5, 31))
    assert _upload(therapist, _csv([_row()])).status_code == 302


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            [*HEADER, "shoe_size"],
            [("Line 1, column shoe_size (M)", "This is not a column we know.")],
        ),
        (
            [name for name in HEADER if name != "date_of_birth"],
            [("Line 1, column date_of_birth", "This required column is missing")],
        ),
        (
            [*HEADER, "Given_Name "],
            [("Line 1, column given_name (M)", "This column appears twice (also column A).")],
        ),
    ],
)
def test_wrong_headers_are_refused_before_any_row(app, world, helpers, therapist, header, expected):
    response = _upload(therapist, _csv([_row()], header))
    assert response.status_code == 422
    problems = _problems(response)
    assert len(problems) == len(expected)
    for (where, message), (want_where, want_message) in zip(problems, expected, strict=True):
        assert where == want_where and message.startswith(want_message)
    assert helpers.count(Participant) == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_csv([_row(given_name="Zoë")]).decode().encode("latin-1"), "Line 2 has a character"),
        (_csv([_row()]).decode().encode("utf-16"), "saved as UTF-16"),
        (b"", "The file is empty."),
        (_csv([]), "no participants under it"),
        (b"\x00\x01\x02binary", "NUL characters"),
    ],
    ids=["latin-1", "utf-16", "empty", "header-only", "binary"],
)
def test_files_that_are_not_utf8_csv_are_refused_clearly(
    app, world, helpers, therapist, data, expected
):
    response = _upload(therapist, data)
    assert response.status_code == 422
    ((where, message),) = _problems(response)
    assert where == "The file"
    assert expected in message
    assert helpers.count(Participant) == 0


def test_a_quoted_value_over_several_lines_keeps_line_numbers_right(app, world, therapist):
    text = (
        ",".join([*HEADER, "goal"])
        + "\r\n"
        + ",".join(_row().values())
        + ',"Push a mile,\r\nthen a 5K"\r\n'
        + ",".join(_row(given_name="Grace", racing_class="bad").values())
        + ",\r\n"
    )
    ((where, _),) = _problems(_upload(therapist, text.encode()))
    assert where == "Line 4, column racing_class (F)"


@pytest.mark.parametrize(
    ("delimiter", "bom"),
    [(";", True), ("\t", False), (";", False)],
    ids=["semicolon-bom", "tab", "semicolon"],
)
def test_a_spreadsheets_semicolons_or_tabs_are_read_like_commas(
    app, world, helpers, therapist, delimiter, bom
):
    # Saved by a spreadsheet set to decimal commas: the session import reads these too.
    rows = [_row(), _row(given_name="Grace", family_name="Hopper; née Murray, RN")]
    response = _upload(therapist, _csv(rows, delimiter=delimiter, bom=bom))
    assert response.status_code == 302, _problems(response)
    with app.app_context():
        names = db.session.scalars(sa.select(Participant.family_name).order_by(Participant.id))
        assert list(names) == ["Lovelace", "Hopper; née Murray, RN"]


def test_a_header_with_two_separators_is_refused_rather_than_guessed(
    app, world, helpers, therapist
):
    text = ",".join(HEADER[:6]) + ";" + ";".join(HEADER[6:]) + "\r\n"
    text += ",".join(list(_row().values())[:6]) + ";" + ";".join(list(_row().values())[6:]) + "\r\n"
    response = _upload(therapist, text.encode())
    assert response.status_code == 422
    ((where, message),) = _problems(response)
    assert where == "Line 1"
    assert message.startswith("The header line has both commas and semicolons")
    assert helpers.count(Participant) == 0


def test_a_row_with_too_many_values_is_refused(app, world, therapist):
    data = (
        _csv([_row()]) + b"Ada,Lovelace,1990-05-31,sci,T4,T53,N,2025-01-10,,yes,no,2025-01-10,x\r\n"
    )
    ((where, message),) = _problems(_upload(therapist, data))
    assert where == "Line 3" and "has 13 values but the header has 12 columns" in message


def test_a_file_that_is_not_csv_by_name_is_refused_by_the_form(app, world, helpers, therapist):
    response = _upload(therapist, _csv([_row()]), filename="people.xlsx")
    assert response.status_code == 422
    assert "Choose a .csv file" in response.get_data(as_text=True)
    assert helpers.count(Participant) == 0


def test_a_50_mb_upload_gets_the_too_large_page(app, world, helpers, therapist):
    response = _upload(therapist, b"a" * (50 * 1024 * 1024))
    assert response.status_code == 413
    assert "That file is too large" in response.get_data(as_text=True)
    assert helpers.count(Participant) == 0


def test_participants_cannot_import_and_other_centres_staff_import_into_their_own(
    app, world, helpers
):
    participant = signed_in(app, world.a.participant.email)
    assert participant.get("/participants/import").status_code == 403
    assert _upload(participant, _csv([_row()])).status_code == 403
    assert participant.get("/participants/import/template.csv").status_code == 403

    admin_b = signed_in(app, world.b.admin.email)
    assert _upload(admin_b, _csv([_row()])).status_code == 302
    with app.app_context():
        (centre_id,) = db.session.scalars(sa.select(Participant.centre_id)).all()
    assert centre_id == world.b.centre.id


def test_a_file_over_the_row_limit_is_refused_whole(app, world, helpers, therapist):
    rows = [_row(given_name=f"G{n}") for n in range(importing.MAX_ROWS + 1)]
    ((where, message),) = _problems(_upload(therapist, _csv(rows)))
    assert where == "The file" and "more than 1,000 participants" in message
    assert helpers.count(Participant) == 0
