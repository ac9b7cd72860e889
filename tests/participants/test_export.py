"""CSV export of the caseload: the current filter, every page, safe cells, audited."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from heartbeat.core.csvfiles import safe_cell, write_csv
from heartbeat.participants.exporting import EXPORT_COLUMNS
from tests.helpers import signed_in
from tests.participants.conftest import seed_ladder


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+44 1234 567890", "'+44 1234 567890"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Ada = great", "Ada = great"),
        (None, ""),
        (True, "yes"),
        (date(2025, 1, 2), "2025-01-02"),
        (42, "42"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert safe_cell(value) == expected


def test_the_header_row_is_made_safe_too():
    assert write_csv(["=cmd"], [], bom=False) == "'=cmd\r\n"


def _rows(response) -> list[dict[str, str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the mark to read accents right
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_export_holds_everyone_the_filter_shows_on_every_page(app, world, helpers):
    app.config["HEARTBEAT_PAGE_SIZE"] = 2
    stages = seed_ladder(app, world.a)
    for n in range(5):
        helpers.enrol(world.a, family_name=f"Racer{n}", racing_class="T54")
    helpers.enrol(world.a, family_name="Slower", racing_class="T51")
    helpers.enrol(
        world.a, family_name='=HYPERLINK("http://x")', racing_class="T54", phone="+44 1234"
    )
    helpers.enrol(world.b, family_name="Bravo", racing_class="T54")
    client = signed_in(app, world.a.therapist.email)

    response = client.post("/participants/export.csv", data={"scope": "all", "class": "T54"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="caseload-')
    rows = _rows(response)
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    names = [row["family_name"] for row in rows]
    assert names == ['\'=HYPERLINK("http://x")', *(f"Racer{n}" for n in range(5))]
    assert rows[0]["phone"] == "'+44 1234"
    assert {row["racing_class"] for row in rows} == {"T54"}
    assert rows[1]["current_stage"] == "Chair fitted"
    assert rows[1]["therapist"] == "Therapist"
    assert rows[1]["date_of_birth"] == "1990-05-01"
    assert "condition" not in rows[1]  # free-text health notes stay out of the list export
    assert stages


def test_export_is_audited_with_its_filter_and_row_count(app, world, helpers):
    helpers.enrol(world.a)
    helpers.enrol(world.a, family_name="Other")
    client = signed_in(app, world.a.admin.email)

    client.post("/participants/export.csv", data={"scope": "all", "q": "other"})

    (event,) = helpers.audit("participant.export")
    assert event.actor_id == world.a.admin.id
    assert event.entity_type == "centre" and event.entity_id == world.a.centre.id
    assert event.changes["rows"] == {"before": None, "after": 1}
    assert event.changes["filters"]["after"] == {
        "scope": "all",
        "q": "other",
        "status": "current",
        "sort": "name",
    }


def test_the_caseload_page_offers_the_export_of_its_current_filter(app, world, helpers):
    helpers.enrol(world.a)
    html = (
        signed_in(app, world.a.therapist.email)
        .get("/participants?class=T53&q=ada")
        .get_data(as_text=True)
    )
    form = html[html.index('action="/participants/export.csv"') :]
    form = form[: form.index("</form>")]
    for name, value in (("class", "T53"), ("q", "ada"), ("scope", "mine")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in form


def test_export_never_includes_another_centre_and_is_closed_to_participants(app, world, helpers):
    helpers.enrol(world.a, family_name="Alphaonly")
    admin_b = signed_in(app, world.b.admin.email)
    rows = _rows(admin_b.post("/participants/export.csv", data={"scope": "all", "status": "all"}))
    assert rows == []
    assert (
        signed_in(app, world.a.participant.email).post("/participants/export.csv").status_code
        == 403
    )
    assert (
        signed_in(app, world.a.therapist.email).get("/participants/export.csv").status_code == 405
    )
