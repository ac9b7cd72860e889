"""The shared form macros (templates/_forms.html): every error in the summary links to a field."""

from __future__ import annotations

import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

PAGE = """{% from "_forms.html" import error_summary, field %}{{ error_summary(form) }}
{{ field(form.name) }}{% for option in form.mode %}{{ option() }}{{ option.label }}{% endfor %}"""


class _Form(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="Enter a name.")])
    mode = RadioField(
        "Which",
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B")],
        validators=[DataRequired("Choose one.")],
    )


def test_each_error_links_to_an_element_that_exists_and_fields_point_at_their_errors(app):
    with app.test_request_context(method="POST", data={}):
        form = _Form()
        assert not form.validate()
        page = render_template_string(PAGE, form=form)
    targets = re.findall(r'<li><a href="#([^"]+)">', page)
    assert targets == ["name", "mode-0"]  # a radio group links to its first button
    for target in targets:
        assert f'id="{target}"' in page
    assert 'aria-describedby="name-error"' in page and 'aria-invalid="true"' in page
    assert "data-focus-on-load" in page and 'role="alert"' in page
