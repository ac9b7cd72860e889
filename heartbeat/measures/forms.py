"""Forms for outcome measures: one answer, submitting, defining a measure, its schedule."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2

from heartbeat.core.edits import VersionedForm
from heartbeat.core.i18n import _l
from heartbeat.measures.models import PARTICIPANT, STAFF
from heartbeat.measures.scoring import SCALES, Scoring
from heartbeat.participants.forms import ListSelectField

NUMBER = {"inputmode": "decimal", "autocomplete": "off", "size": 6}


class AnswerForm(FlaskForm):
    """One question: ``value`` is a scale value or "none" (rendered as tiles by the template)."""

    value = StringField(_l("Answer"))


class SubmitForm(FlaskForm):
    version = HiddenField()


class ConfirmForm(FlaskForm):
    pass


class _Schedule:
    due_after_days = StringField(
        _l("Due every (days)"),
        description=_l("Days after the last completion. Empty: no schedule. WUSPI: 28 to 42."),
        render_kw=NUMBER,
    )
    overdue_after_days = StringField(
        _l("Overdue after (days)"),
        description=_l("Days after the last completion."),
        render_kw=NUMBER,
    )
    smallest_real_change = StringField(
        _l("Smallest real change"),
        description=_l(
            "The least change in the total that counts as real (WUSPI: 5.1). Empty: none."
        ),
        render_kw=NUMBER,
    )


class ScheduleForm(_Schedule, VersionedForm):
    pass


class MeasureForm(_Schedule, FlaskForm):
    title = StringField(_l("Title"))
    instructions = TextAreaField(
        _l("Instructions"), description=_l("Shown before the first question.")
    )
    completed_by = ListSelectField(
        _l("Completed by"),
        choices=[
            SelectChoice(PARTICIPANT, _l("The participant (staff may complete it for them)")),
            SelectChoice(STAFF, _l("Staff")),
        ],
    )
    scale = ListSelectField(
        _l("Answer scale"),
        choices=[SelectChoice(code, scale.label) for code, scale in SCALES.items()],
    )
    scoring = ListSelectField(
        _l("Score"), choices=[SelectChoice(kind.value, kind.label) for kind in Scoring]
    )
    items = TextAreaField(
        _l("Items"),
        description=_l("One question or skill per line, in order. At least one."),
        render_kw={"rows": 10},
    )
    allow_not_done = BooleanField(_l("Allow \u201cdoes not apply\u201d (left out of the score)"))
    higher_is_worse = BooleanField(_l("A higher total is worse (as with pain)"), default=True)


def parse_days(raw: str | None) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    return int(text)


def parse_change(raw: str | None) -> float | None:
    text = (raw or "").strip()
    if not text:
        return None
    return float(text)
