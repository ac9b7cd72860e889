"""Forms for red flags: the symptom checklist the session forms include, acknowledging a flag,
and the centre's guidance."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2

from heartbeat.core.edits import VersionedForm
from heartbeat.core.i18n import _l
from heartbeat.safety.rules import SYMPTOMS


class SymptomsField(SelectMultipleField):
    """Tick boxes, one per symptom; unknown values are refused by ``rules.clean_symptoms``."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [SelectChoice(key, label) for key, label in SYMPTOMS.items()])
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


SYMPTOMS_LABEL = _l("Any of these during or after the session?")
SYMPTOMS_HINT = _l(
    "Tick every one that happened. Any of them shows what to do straight away and tells the team."
)


class AcknowledgeForm(FlaskForm):
    follow_up = TextAreaField(
        _l("Follow-up note"),
        description=_l("What was done, what was found, and what happens next."),
    )
    version = HiddenField()


class GuidanceForm(VersionedForm):
    text = TextAreaField(
        _l("Guidance shown when symptoms of autonomic dysreflexia are reported"),
        description=_l(
            "Plain text; blank lines separate paragraphs. Leave it empty to go back to the"
            " default wording."
        ),
        render_kw={"rows": 16},
    )
