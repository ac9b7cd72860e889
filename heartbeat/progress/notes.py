"""A participant's email when one of their milestones is verified (their choice: account page).

Only to a participant with a portal login, whose own progress page shows the same milestone:
the email says no more than that page does (the milestone's title, no distances or notes).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.auth.viewer import language_of_login
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import _, speaking
from heartbeat.core.public_url import public_url_for
from heartbeat.extensions import db
from heartbeat.outbox.models import EmailKind
from heartbeat.outbox.services import queue_email
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award, LadderStage
from heartbeat.progress.services import award_title_text


def portal_login(participant_id: int) -> tuple[Participant, User] | None:
    """The participant and their active portal login, or None (no login, erased, inactive)."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.user_id is None or participant.erased_at is not None:
        return None
    user = db.session.get(User, participant.user_id)
    if user is None or not user.active:
        return None
    return participant, user


def _title(award: Award) -> str:
    # Verification may hand over awards loaded without their stage (``lazy="raise"``).
    if award.stage_id is not None and "stage" in sa.inspect(award).unloaded:
        stage = db.session.get(LadderStage, award.stage_id)
        return stage.title if stage is not None else _("Ladder stage")
    return award_title_text(award)


def note_milestone(award: Award, *, now: datetime, **_signal: object) -> None:
    found = portal_login(award.participant_id)
    if found is None:
        return
    participant, user = found
    centre = db.session.get(Centre, award.centre_id)
    # In the participant's language (theirs, else their centre's), whoever verified it.
    language = language_of_login(user.id, centre) if centre is not None else user.language
    with speaking(language):
        title = _title(award)
        queue_email(
            kind=EmailKind.MILESTONE,
            to=user.email,
            subject=_("Milestone reached: %(title)s", title=title),
            template="milestone",
            context={
                "name": participant.preferred_name or participant.given_name,
                "title": title,
                "centre": centre.name if centre is not None else _("your centre"),
                "link": public_url_for("progress.my_progress"),
            },
            centre_id=award.centre_id,
            user_id=user.id,
            now=now,
        )
