"""History from before enrolment never dates an award by itself (issue 14 item 2).

"First push reached 1 Jan 1980", "Achieved 5 August 2010" on a certificate, and an already
verified award sent back for review by adding an old session: the engine now proposes an award
only history reaches (``needs_review``, dated the enrolment day until a therapist confirms it and
its date), never moves an award's evidence to history, and keeps a confirmed history award.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress.models import HISTORY_EVIDENCE, Award
from heartbeat.progress.services import verify_awards
from tests.helpers import signed_in

LONDON = ZoneInfo("Europe/London")
ENROLLED = date(2025, 1, 10)  # tests.participants.conftest.DETAILS
HISTORY_DAY = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def _history(progress, distance_m: float = 10_500.0) -> int:
    return progress.session(distance_m=distance_m, at=HISTORY_DAY, before_enrolment=True)


def test_adding_history_does_not_send_a_verified_award_back_for_review(progress):
    progress.session(distance_m=5200)  # yesterday: First push, One lap, One mile, 5K
    progress.evaluate()
    progress.verify_all()
    before = progress.awards()

    _history(progress)  # 10.5 km, before enrolment
    result = progress.evaluate()

    after = progress.awards()
    assert result.flagged == []
    for code in ("first-push", "one-lap", "one-mile", "5k"):
        assert after[code].verified and not after[code].needs_review
        assert after[code].evidence_session_id == before[code].evidence_session_id
        assert after[code].achieved_at == before[code].achieved_at
    # Only the 10K is new, and it is only proposed: no date of 2024, waiting for a therapist.
    ten = after["10k"]
    assert not ten.verified and ten.needs_review and ten.review_reason == HISTORY_EVIDENCE
    assert ten.achieved_at.astimezone(LONDON).date() == ENROLLED
    assert "miles-10" not in after  # history adds to no club


def test_bulk_verifying_leaves_a_history_award_for_its_date(app, progress):
    _history(progress)
    progress.evaluate()
    progress.verify_all()  # the services' verify_awards, as the "Verify ticked awards" button
    assert not progress.awards()["10k"].verified
    client = signed_in(app, progress.world.a.therapist.email)
    ten = progress.awards()["10k"]
    response = client.post(
        f"/participants/{progress.pid}/awards/verify",
        data={"only": str(ten.id), f"version-{ten.id}": str(ten.version)},
        follow_redirects=True,
    )
    assert "only history reaches it, so it needs its date" in response.get_data(as_text=True)
    assert not progress.awards()["10k"].verified


def _confirm(client, progress, award: Award, day: str):
    return client.post(
        f"/participants/{progress.pid}/awards/{award.id}/confirm-history",
        data={"achieved_on": day, "version": str(award.version)},
        follow_redirects=True,
    )


def test_a_therapist_confirms_a_history_award_with_the_date_they_choose(app, progress):
    _history(progress)
    progress.evaluate()
    client = signed_in(app, progress.world.a.therapist.email)
    page = client.get(f"/participants/{progress.pid}/progress").get_data(as_text=True)
    assert "From history: confirm the award and its date" in page
    assert 'name="achieved_on" id="history-date-' in page and 'value="2025-01-10"' in page
    ladder = page.split('id="ladder"')[1].split("</ol>")[0]
    assert "Jun 2024" not in ladder and "from history" in ladder

    ten = progress.awards()["10k"]
    refused = _confirm(client, progress, ten, "2024-05-31").get_data(as_text=True)
    assert "cannot be before the session that shows it (1 Jun 2024)" in refused
    future = (utcnow() + timedelta(days=3)).date().isoformat()
    assert "cannot be in the future" in _confirm(client, progress, ten, future).get_data(
        as_text=True
    )
    assert not progress.awards()["10k"].verified

    done = _confirm(client, progress, ten, "2024-06-01").get_data(as_text=True)
    assert "is confirmed and dated 1 Jun 2024" in done
    ten = progress.awards()["10k"]
    assert ten.verified and not ten.needs_review and ten.review_reason is None
    assert ten.achieved_at.astimezone(LONDON).date() == date(2024, 6, 1)
    [event] = progress.audit("award.confirm_history")
    assert event.actor_id == progress.world.a.therapist.id


def test_a_confirmed_history_award_stands_when_a_later_session_reaches_it_too(app, progress):
    _history(progress)
    progress.evaluate()
    client = signed_in(app, progress.world.a.therapist.email)
    _confirm(client, progress, progress.awards()["10k"], "2025-01-10")
    confirmed = progress.awards()["10k"]

    progress.session(distance_m=10_200)  # yesterday, in the programme
    result = progress.evaluate()

    ten = progress.awards()["10k"]
    assert result.flagged == [] and not ten.needs_review
    assert ten.evidence_session_id == confirmed.evidence_session_id
    assert ten.achieved_at == confirmed.achieved_at


def test_a_proposal_becomes_an_ordinary_award_when_the_programme_reaches_it(progress):
    _history(progress)
    progress.evaluate()
    assert progress.awards()["10k"].review_reason == HISTORY_EVIDENCE
    session_id = progress.session(distance_m=10_200)
    progress.evaluate()
    ten = progress.awards()["10k"]
    assert ten.evidence_session_id == session_id
    assert not ten.needs_review and ten.review_reason is None and not ten.verified


def test_the_certificate_of_a_confirmed_history_award_prints_the_confirmed_date(app, progress):
    from heartbeat.centres.models import Centre
    from heartbeat.certificates import services as certificates

    _history(progress)
    progress.evaluate()
    client = signed_in(app, progress.world.a.therapist.email)
    _confirm(client, progress, progress.awards()["10k"], "2025-01-10")
    with app.app_context():
        award = db.session.scalars(
            sa.select(Award)
            .options(sa.orm.joinedload(Award.stage))
            .where(Award.id == progress.awards()["10k"].id)
        ).one()
        certificate = certificates.issue(
            award,
            participant=db.session.get(Participant, progress.pid),
            centre=db.session.get(Centre, progress.world.a.centre.id),
            actor=db.session.get(User, progress.world.a.therapist.id),
        )
        assert certificate.achieved_on == ENROLLED


def test_verify_awards_never_verifies_an_award_only_history_reaches(app, progress):
    _history(progress)
    progress.evaluate()
    with app.app_context():
        awards = db.session.scalars(
            sa.select(Award).where(Award.participant_id == progress.pid)
        ).all()
        therapist = db.session.get(User, progress.world.a.therapist.id)
        assert verify_awards(awards, actor=therapist) == 0
        db.session.commit()
    assert all(not award.verified for award in progress.awards().values())
