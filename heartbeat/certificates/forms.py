from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from heartbeat.certificates import queries
from heartbeat.certificates.images import HEX_COLOUR, contrast_on_white
from heartbeat.certificates.models import DEFAULT_ACCENT, DEFAULT_PRIMARY, DEFAULT_PROGRAMME
from heartbeat.certificates.printing import SELECTIONS
from heartbeat.core.edits import VersionedForm
from heartbeat.core.text import refuse_unprintable_name

MIN_CONTRAST = 4.5


class RegisterFilterForm(FlaskForm):
    """The register's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    stage = SelectField("Milestone", choices=[], validate_choice=False)
    issued_from = DateField("Issued on or after", validators=[Optional()])
    issued_to = DateField("Issued on or before", validators=[Optional()])
    printed = SelectField(
        "Printed",
        choices=[SelectChoice(k, v) for k, v in queries.PRINTED_FILTERS.items()],
        validate_choice=False,
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice(k, v) for k, v in queries.STATUS_FILTERS.items()],
        default="standing",
        validate_choice=False,
    )
    q = SearchField("Name or serial", validators=[Optional(), Length(max=100)])

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = [SelectChoice("", "Any milestone"), SelectChoice("club", "Clubs")] + [
            SelectChoice(str(stage.id), stage.title) for stage in stages
        ]

    def validate_issued_to(self, field) -> None:
        if field.data and self.issued_from.data and field.data < self.issued_from.data:
            raise ValidationError("The end date is before the start date.")


class CheckCredentialForm(FlaskForm):
    """Anyone can check a credential file they were given (public, CSRF-protected)."""

    credential_file = FileField(
        "Credential file",
        description="The .json file of a Heartbeat Miles credential (Open Badges 3.0).",
    )
    credential_text = TextAreaField(
        "Or paste the credential",
        validators=[Length(max=64 * 1024, message="That is far longer than a credential.")],
    )

    def credential_bytes(self) -> bytes | None:
        upload = self.credential_file.data
        if upload is not None and upload.filename:
            data: bytes = upload.read(64 * 1024 + 1)
            return data
        text = (self.credential_text.data or "").strip()
        return text.encode() if text else None


class IssueForm(FlaskForm):
    award_id = HiddenField(validators=[DataRequired(message="Choose an award.")])


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Give the reason for revoking it."),
            Length(min=3, max=1000, message="Between 3 and 1,000 characters."),
        ],
        description="Kept in the audit trail. The public verify page only says it was revoked.",
    )
    version = HiddenField()


class RenewForm(FlaskForm):
    """Confirming a renewal: CSRF and the version of the certificate the person saw."""

    version = HiddenField()


class BatchForm(FlaskForm):
    mode = RadioField(
        "Which certificates",
        choices=[SelectChoice(k, v) for k, v in SELECTIONS.items() if k != "selected"],
        default="unprinted",
        validators=[DataRequired(message="Choose which certificates to print.")],
    )


def _colour_field(label: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message="Enter a colour as # and six hex digits, like #0b5563."),
            Regexp(HEX_COLOUR, message="Enter a colour as # and six hex digits, like #0b5563."),
        ],
        description=description,
        # A colour picker; a browser without one shows a text box, checked the same way.
        render_kw={"type": "color", "autocomplete": "off", "spellcheck": "false"},
    )


class BrandingForm(VersionedForm):
    programme_name = StringField(
        "Programme name",
        validators=[DataRequired(message="Enter the programme's name."), Length(max=120)],
        description="Printed under the milestone, e.g. “Riverside adaptive racing programme”.",
    )
    primary_colour = _colour_field(
        "Main colour", "Border, heading and centre name. Must read well on white (4.5:1)."
    )
    accent_colour = _colour_field(
        "Accent colour", "The milestone's name. Must read well on white (4.5:1)."
    )
    signatory_name = StringField(
        "Signatory's name",
        validators=[Optional(), Length(max=120), refuse_unprintable_name],
        description="Who signs the certificates, e.g. “Dr Ana Souza”.",
    )
    signatory_title = StringField(
        "Signatory's title",
        validators=[Optional(), Length(max=120)],
        description="e.g. “Head of therapy”.",
    )
    paper_size = SelectField(
        "Paper size", choices=[SelectChoice("A4", "A4"), SelectChoice("Letter", "US Letter")]
    )
    logo = FileField(
        "Logo",
        description="PNG or SVG, up to 512 KB. SVGs with scripts or links are refused.",
        render_kw={"accept": "image/png,image/svg+xml,.png,.svg"},
    )
    remove_logo = BooleanField("Remove the current logo")
    signature = FileField(
        "Signature image",
        description="Optional. A PNG of the signature, up to 256 KB.",
        render_kw={"accept": "image/png,.png"},
    )
    remove_signature = BooleanField("Remove the current signature image")

    def load(self, centre, current) -> None:
        """The design as saved (the defaults before anyone saved one)."""
        self.programme_name.data = current.programme_name if current else DEFAULT_PROGRAMME
        self.primary_colour.data = current.primary_colour if current else DEFAULT_PRIMARY
        self.accent_colour.data = current.accent_colour if current else DEFAULT_ACCENT
        self.signatory_name.data = current.signatory_name if current else ""
        self.signatory_title.data = current.signatory_title if current else ""
        self.paper_size.data = centre.paper_size.value
        self.remove_logo.data = self.remove_signature.data = False
        self.mark_loaded(current.version if current else 0)

    def _check_contrast(self, field) -> None:
        if field.data and HEX_COLOUR.match(field.data):
            ratio = contrast_on_white(field.data)
            if ratio < MIN_CONTRAST:
                raise ValidationError(
                    f"{field.data} has a contrast of {ratio:.1f}:1 on white; text needs at least "
                    f"{MIN_CONTRAST}:1. Choose a darker colour."
                )

    def validate_primary_colour(self, field) -> None:
        self._check_contrast(field)

    def validate_accent_colour(self, field) -> None:
        self._check_contrast(field)
