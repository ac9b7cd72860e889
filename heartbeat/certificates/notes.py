"""A participant's email when a certificate is issued to them (their choice: account page).

Only to a participant with a portal login; it names the certificate's title, as their own
certificates page does, and links there (the PDF itself stays behind sign-in).
"""

from __future__ import annotations

from datetime import datetime

from heartbeat.auth.viewer import language_of_login
from heartbeat.centres.models import Centre
from heartbeat.certificates.models import Certificate
from heartbeat.core.i18n import DEFAULT_LANGUAGE, gettext, speaking
from heartbeat.core.public_url import public_url_for
from heartbeat.extensions import db
from heartbeat.outbox.models import EmailKind
from heartbeat.outbox.services import queue_email
from heartbeat.progress.notes import portal_login


def note_certificate(certificate: Certificate, *, now: datetime, **_: object) -> None:
    found = portal_login(certificate.participant_id)
    if found is None:
        return
    participant, user = found
    centre = db.session.get(Centre, certificate.centre_id)
    language = language_of_login(user.id, centre) if centre is not None else DEFAULT_LANGUAGE
    # In the participant's language, whoever issued it (the subject, the body, its dates).
    with speaking(language):
        queue_email(
            kind=EmailKind.CERTIFICATE,
            to=user.email,
            subject=gettext("Your certificate: %(title)s", title=certificate.title),
            template="certificate",
            context={
                "name": participant.preferred_name or participant.given_name,
                "title": certificate.title,
                "centre": centre.name if centre is not None else gettext("your centre"),
                "link": public_url_for("certificates.my_certificates"),
            },
            centre_id=certificate.centre_id,
            user_id=user.id,
            now=now,
        )
