"""The public "check a credential file" form: anyone given a credential can ask whether it is
genuine. Judged with the centres' own keys (``checking``); a refusal says why."""

from __future__ import annotations

from flask import current_app, render_template

from heartbeat.certificates import checking, services
from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.forms import CheckCredentialForm
from heartbeat.certificates.views.verify import verify_limit
from heartbeat.core.i18n import _
from heartbeat.db import utcnow


def _page(form: CheckCredentialForm, verdict: checking.Verdict | None, status: int):
    response = current_app.make_response(
        (
            render_template(
                "certificates/verify_check.html",
                form=form,
                verdict=verdict,
                expired=bool(
                    verdict and verdict.certificate and verdict.certificate.expired(utcnow())
                ),
                show_name=bool(
                    verdict
                    and verdict.certificate
                    and services.shows_name_publicly(verdict.certificate)
                ),
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/verify/check")
@verify_limit
def check_credential():
    form = CheckCredentialForm()
    if not form.validate_on_submit():
        return _page(form, None, 422)
    data = form.credential_bytes()
    if data is None:
        form.credential_file.errors = [_("Choose a credential file, or paste one below.")]
        return _page(form, None, 422)
    parsed = checking.parse(data)
    verdict = parsed if isinstance(parsed, checking.Verdict) else checking.check(parsed)
    return _page(form, verdict, 200 if verdict.genuine else 422)
