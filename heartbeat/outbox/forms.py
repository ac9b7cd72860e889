from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class EmailPreferencesForm(FlaskForm):
    digest = BooleanField("A weekly digest of who in my caseload needs attention")
    digest_weekday = SelectField(
        "Day of the digest",
        choices=[SelectChoice(str(number), name) for number, name in enumerate(WEEKDAYS)],
        default="0",
    )
    digest_hour = SelectField(
        "Time of the digest",
        choices=[SelectChoice(str(hour), f"{hour:02d}:00") for hour in range(24)],
        default="8",
        description="In your centre's time zone.",
    )
    milestones = BooleanField("When I reach a milestone")
    certificates = BooleanField("When a certificate is issued to me")
