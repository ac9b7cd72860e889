"""A person's name order (given name first or family name first) is recorded with their details
and used wherever their name is written in full: the record, the certificate's PDF, its check
page and its credential, the audit trail."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.certificates import credentials, services
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.participants.names import NameOrder, join_name
from tests.browserform import form_on
from tests.certificates.test_fonts import extracted_text, needs_noto
from tests.helpers import signed_in


def test_names_join_in_the_persons_order():
    assert join_name("Ada", "Lovelace", NameOrder.GIVEN_FIRST) == "Ada Lovelace"
    assert join_name("Ada", "Lovelace", None) == "Ada Lovelace"  # not recorded: given first
    assert join_name("Xiaoming", "Wang", NameOrder.FAMILY_FIRST) == "Wang Xiaoming"
    assert join_name("Ilona", "Nagy", "family_first") == "Nagy Ilona"
    # Chinese, Japanese and Korean names in their own scripts are written without a space.
    assert join_name("小明", "王", NameOrder.FAMILY_FIRST) == "王小明"
    assert join_name("はるか", "佐藤", NameOrder.FAMILY_FIRST) == "佐藤はるか"
    assert join_name("민준", "김", NameOrder.FAMILY_FIRST) == "김민준"
    # Mixed scripts keep the space.
    assert join_name("Ming", "王", NameOrder.FAMILY_FIRST) == "王 Ming"


def test_the_record_keeps_the_order_and_defaults_to_given_name_first(app, world, certs):
    plain = certs.people.enrol(world.a, given_name="Ada", family_name="Lovelace")
    wang = certs.people.enrol(
        world.a,
        given_name="Xiaoming",
        family_name="Wang",
        preferred_name="Ming",
        name_order="family_first",
    )
    assert certs.people.participant(plain).name_order is NameOrder.GIVEN_FIRST
    person = certs.people.participant(wang)
    assert person.name_order is NameOrder.FAMILY_FIRST
    assert person.full_name == "Wang Xiaoming"
    assert person.display_name == "Wang Ming"


@needs_noto
def test_a_chinese_name_prints_family_name_first_on_pdf_check_page_and_credential(
    app, client, world, certs
):
    achiever = certs.achiever(
        world.a,
        given_name="小明",
        family_name="王",
        name_order=NameOrder.FAMILY_FIRST.value,
        public_name=True,
    )
    certificate = certs.certificate(certs.issue(world.a, achiever))
    assert certificate.participant_name == "王小明"

    with app.app_context():
        stored = certs.certificate(certificate.id)
        db.session.add(stored)
        pdf = services.certificate_pdf(stored)
        assert "王小明" in extracted_text(pdf)
        assert "小明王" not in extracted_text(pdf)

    page = client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert "王小明" in page and "小明 王" not in page and "小明王" not in page

    # The credential names them only as a salted hash: the one of the name in their order.
    subject = certificate.credential["credentialSubject"]
    identifier = subject["identifier"][0]
    expected = credentials.name_identifier("王小明", certificate.identity_salt)
    assert identifier == expected
    assert identifier != credentials.name_identifier("小明王", certificate.identity_salt)


def test_changing_the_order_in_the_details_form_reorders_the_name(app, world, certs):
    pid = certs.people.enrol(world.a, given_name="Ilona", family_name="Nagy")
    client = signed_in(app, world.a.therapist.email)
    page = client.get(f"/participants/{pid}/edit").get_data(as_text=True)
    assert "Family name first" in page
    data = form_on(page)
    assert data["name_order"] == "given_first"  # the record's order, chosen in the form
    data["name_order"] = "family_first"
    response = client.post(f"/participants/{pid}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)

    assert certs.people.participant(pid).full_name == "Nagy Ilona"
    records = client.get(f"/participants/{pid}/records").get_data(as_text=True)
    assert "Nagy Ilona" in records
    (event,) = certs.people.audit("participant.update")
    assert event.changes == {"name_order": {"before": "given_first", "after": "family_first"}}


def test_a_csv_import_takes_the_order_or_refuses_an_unknown_one(app, world):
    from heartbeat.participants import importing

    header = "given_name,family_name,name_order,date_of_birth,impairment,racing_class,"
    header += "classification_status,enrolled_on,consent_data_processing,consent_recorded_on"
    rows = [
        "Xiaoming,Wang,family_first,1990-01-02,other,T54,N,2025-01-10,yes,2025-01-10",
        "Ada,Lovelace,,1990-01-02,other,T54,N,2025-01-10,yes,2025-01-10",
    ]
    bad = header + "\r\nIlona,Nagy,surname_first,1990-01-02,other,T54,N,2025-01-10,yes,2025-01-10"
    with app.app_context():
        therapist = db.session.get(User, world.a.therapist.id)
        rejected = _import(importing, bad, world.a.centre.id, therapist)
        assert rejected is not None and "family_first" in rejected
        assert (
            _import(importing, "\r\n".join([header, *rows]), world.a.centre.id, therapist) is None
        )
        names = db.session.scalars(sa.select(Participant).order_by(Participant.id)).all()
        assert [p.full_name for p in names] == ["Wang Xiaoming", "Ada Lovelace"]


def _import(importing, text: str, centre_id: int, actor) -> str | None:
    """None when the file was imported, else every problem's message in one string."""
    from datetime import date

    try:
        importing.import_participants(
            text.encode(),
            filename="people.csv",
            centre_id=centre_id,
            actor=actor,
            today=date(2026, 6, 1),
        )
    except importing.ImportRejected as rejected:
        db.session.rollback()
        return " ".join(error.message for error in rejected.errors)
    db.session.commit()
    return None
