from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from heartbeat.auth import passwords
from heartbeat.auth.models import Role
from heartbeat.auth.viewer import UNITS_CHOICES
from heartbeat.core.i18n import LANGUAGES, _, _l
from heartbeat.core.text import refuse_unprintable_name


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class _NewPasswordMixin:
    def validate_password(self, field) -> None:
        problems = passwords.password_problems(field.data or "", email=getattr(self, "_email", ""))
        if problems:
            raise ValidationError(" ".join(problems))


_new_password_kw = {"autocomplete": "new-password", "minlength": passwords.MIN_LENGTH}


class SetPasswordForm(_NewPasswordMixin, FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)],
        description=_l(
            "At least %(num)s characters. A short sentence works well.", num=passwords.MIN_LENGTH
        ),
        render_kw=_new_password_kw,
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )

    field_order = ("current_password", "password", "confirm")

    def __iter__(self):
        # The rest (csrf_token) only when present: it is absent with WTF_CSRF_ENABLED off.
        ordered = [self[name] for name in self.field_order]
        return iter(ordered + [f for f in super().__iter__() if f.name not in self.field_order])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter the email address you sign in with.")),
            Length(max=254),
            Email(message=_l("Enter an email address, like name@example.org.")),
        ],
        render_kw={"autocomplete": "username"},
    )


class InviteForm(FlaskForm):
    name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=120), refuse_unprintable_name]
    )
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        # SelectChoice, not tuples: WTForms 3.3 deprecates tuple choices (removed in 3.4).
        choices=[
            SelectChoice(Role.THERAPIST.value, _l("Therapist or coach")),
            SelectChoice(Role.ADMIN.value, _l("Centre admin")),
        ],
        validators=[DataRequired()],
    )


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32)],
        description=_l(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "text",
            "spellcheck": "false",
            "autocapitalize": "none",
        },
    )


class EnableMfaForm(FlaskForm):
    code = StringField(
        _l("Code from your app"),
        validators=[DataRequired(), Length(max=16)],
        description=_l("After adding Heartbeat Miles to your app, type the 6-digit code it shows."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmPasswordForm(FlaskForm):
    """Sensitive changes ask for the password again (re-authentication)."""

    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class TokenForm(FlaskForm):
    """A new personal access token for the API."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l(
            "What will use it, such as “watch sync script”, so you can tell tokens apart."
        ),
    )
    scope = SelectField(_l("It may"), validators=[DataRequired()])
    days = SelectField(
        _l("Expires after"),
        choices=[
            SelectChoice("7", _l("7 days")),
            SelectChoice("30", _l("30 days")),
            SelectChoice("90", _l("90 days")),
            SelectChoice("366", _l("A year")),
        ],
        default="90",
        validators=[DataRequired()],
    )

    def __init__(self, *args, scopes=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"read": _("Only read"), "write": _("Read and change records")}
        self.scope.choices = [SelectChoice(s.value, labels[s.value]) for s in scopes]


class LanguageForm(FlaskForm):
    """The language of this person's pages, emails and certificates, or their centre's."""

    language = RadioField(
        _l("Show pages in"),
        choices=[SelectChoice("", _l("My centre's language"))]
        + [SelectChoice(code, name) for code, name in LANGUAGES.items()],
        default="",
    )


class UnitsForm(FlaskForm):
    """Kilometres or miles on every page this person sees, or their centre's default."""

    units = RadioField(
        _l("Show distances in"),
        choices=[SelectChoice(value, label) for value, label in UNITS_CHOICES],
        default="",
    )
