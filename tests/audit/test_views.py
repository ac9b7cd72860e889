"""The audit trail page names the new participant actions and filters by them."""

from __future__ import annotations

import io
import re

from tests.helpers import PASSWORD, signed_in


def _whats(html: str) -> list[str]:
    return re.findall(r'<td data-label="What">([^<]+)</td>', html)


def test_imports_exports_subject_access_and_erasure_are_labelled_and_filterable(
    app, world, helpers
):
    admin = signed_in(app, world.a.admin.email)
    header = "given_name,family_name,date_of_birth,impairment,racing_class,classification_status,"
    header += "enrolled_on,consent_data_processing,consent_recorded_on\r\n"
    row = "Ada,Lovelace,1990-05-31,amputation,T54,N,2025-01-10,yes,2025-01-10\r\n"
    imported = admin.post(
        "/participants/import",
        data={"file": (io.BytesIO((header + row).encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    participant_id = helpers.audit("participant.create")[0].entity_id
    admin.post("/participants/export.csv", data={"scope": "all"})
    admin.post(f"/participants/{participant_id}/subject-access")
    admin.post(
        f"/participants/{participant_id}/erase",
        data={"confirm_name": "Ada Lovelace", "password": PASSWORD},
    )

    html = admin.get("/audit").get_data(as_text=True)
    assert _whats(html)[:4] == [
        "Personal data erased",
        "Subject-access export downloaded",
        "Caseload exported to CSV",
        "Participants imported from CSV",
    ]
    for action in (
        "participant.import",
        "participant.export",
        "participant.subject_access",
        "participant.erase",
    ):
        assert f'<option value="{action}">' in html
        filtered = admin.get(f"/audit?action={action}").get_data(as_text=True)
        assert len(_whats(filtered)) == 1, action
    centre_rows = admin.get("/audit?entity=centre").get_data(as_text=True)
    assert _whats(centre_rows) == ["Caseload exported to CSV", "Participants imported from CSV"]


def test_another_centres_data_rights_events_stay_out_of_the_trail(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    signed_in(app, world.a.admin.email).post(f"/participants/{participant_id}/subject-access")
    html = signed_in(app, world.b.admin.email).get("/audit").get_data(as_text=True)
    assert _whats(html) == []


def test_lists_and_mappings_in_changes_read_as_text(app, world, helpers):
    participant_id = helpers.enrol(world.a, family_name="Readable")
    admin = signed_in(app, world.a.admin.email)
    admin.post(
        f"/participants/{participant_id}/erase",
        data={"confirm_name": "Ada Readable", "password": PASSWORD},
    )
    html = admin.get("/audit?action=participant.erase").get_data(as_text=True)
    assert "Given name, Family name" in html
    assert "Status history: 1" in html and "Notes: 0" in html
    assert "[" not in re.search(r'<dl class="summary-list audit-changes">(.*?)</dl>', html, re.S)[1]
