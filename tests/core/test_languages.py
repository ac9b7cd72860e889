"""Languages: which one a page speaks (the person's, else the centre's, else the browser's), the
Language choice on My account and in centre settings, numbers and dates in the language, and the
catalogue tools' scan for text nobody marked."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.support import Translations

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import date_text, gettext, number, speaking
from heartbeat.core.units import distance_of_text, format_distance, moment_text
from heartbeat.core.wording import plural
from heartbeat.devtools import i18n as tools
from heartbeat.extensions import db
from tests.helpers import signed_in

CATALOGUES = Path(tools.CATALOGUES)
SETTINGS = "/centre/settings"


def _translated(language: str, message: str) -> str:
    text = Translations.load(str(CATALOGUES), [language]).gettext(message)
    assert text != message, f"{language} has no translation of {message!r}"
    return text


def _page(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found
    return found.group(1)


def _set(app, model, row_id: int, **values) -> None:
    with app.app_context():
        row = db.session.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


@pytest.mark.parametrize(
    ("asked", "spoken"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        ("es-MX", "es"),
        ("de-DE,de;q=0.9", "en-GB"),  # not spoken here: English, cleanly
        ("", "en-GB"),
        ("xx-;q=bogus", "en-GB"),
    ],
)
def test_nobody_signed_in_reads_the_first_language_the_browser_asks_for_that_we_speak(
    client, asked, spoken
):
    page = _page(client, "/login", **({"Accept-Language": asked} if asked else {}))
    assert _html_lang(page) == spoken
    if spoken != "en-GB":
        assert _translated(spoken, "Skip to main content") in page
        assert "Skip to main content" not in page
    else:
        assert "Skip to main content" in page


def test_a_signed_in_person_reads_their_centres_language_whatever_the_browser_asks(app, world):
    _set(app, Centre, world.a.centre.id, language="es")
    page = _page(signed_in(app, world.a.therapist), "/account", **{"Accept-Language": "fr"})
    assert _html_lang(page) == "es"
    assert _translated("es", "Sign out") in page


def test_a_persons_own_language_wins_over_their_centres(app, world):
    _set(app, Centre, world.a.centre.id, language="es")
    _set(app, User, world.a.participant.id, language="fr")
    assert _html_lang(_page(signed_in(app, world.a.participant), "/account")) == "fr"
    # Another person of the same centre still reads the centre's language.
    assert _html_lang(_page(signed_in(app, world.a.therapist), "/account")) == "es"


def test_choosing_a_language_on_my_account_changes_every_page_and_says_so_in_it(app, world):
    client = signed_in(app, world.a.therapist)
    response = client.post("/account/language", data={"language": "fr"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account#language-title")
    page = _page(client, "/account")
    assert _html_lang(page) == "fr"
    said = _translated("fr", "Your pages are now in %(language)s.") % {"language": "Français"}
    assert said in page
    with app.app_context():
        assert db.session.get(User, world.a.therapist.id).language == "fr"
    client.post("/account/language", data={"language": ""})
    with app.app_context():
        assert db.session.get(User, world.a.therapist.id).language is None
    assert _html_lang(_page(client, "/account")) == "en-GB"


def test_a_language_we_do_not_speak_is_refused_and_changes_nothing(app, world):
    client = signed_in(app, world.a.therapist)
    client.post("/account/language", data={"language": "es"})
    response = client.post("/account/language", data={"language": "de"}, follow_redirects=True)
    assert _translated("es", "That choice could not be saved; please try again.") in html.unescape(
        response.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.get(User, world.a.therapist.id).language == "es"


def test_an_admin_sets_the_centres_language_and_its_staff_read_it(app, world):
    client = signed_in(app, world.a.admin)
    page = _page(client, SETTINGS)
    assert 'name="language"' in page
    with app.app_context():
        centre = db.session.get(Centre, world.a.centre.id)
        form = {
            "name": centre.name,
            "timezone": centre.timezone,
            "country": centre.country,
            "units": centre.units.value,
            "paper_size": centre.paper_size.value,
            "language": "es",
        }
    assert client.post(SETTINGS, data=form).status_code == 302
    assert _html_lang(_page(signed_in(app, world.a.therapist), "/account")) == "es"
    # The other centre is untouched.
    assert _html_lang(_page(signed_in(app, world.b.therapist), "/account")) == "en-GB"
    form["language"] = "klingon"
    assert client.post(SETTINGS, data=form).status_code == 422


def test_create_centre_takes_a_language(app, runner):
    result = runner.invoke(
        args=["create-centre", "Centro Sur", "--slug", "sur", "--language", "es"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(Centre).filter_by(slug="sur").one().language == "es"
    refused = runner.invoke(args=["create-centre", "X", "--slug", "x", "--language", "de"])
    assert refused.exit_code != 0


def test_numbers_distances_and_dates_follow_the_language(app):
    day = date(2026, 12, 2)
    moment = datetime(2026, 12, 2, 5, 30, tzinfo=UTC)
    with app.app_context():
        # English is exactly what the pages printed before they were translated.
        assert number(1204) == "1,204"
        assert format_distance(1_609_300) == "1,609.3 km"
        assert date_text(day, "%d %b %Y") == "02 Dec 2026"
        assert moment_text(moment, UTC) == "02 Dec 2026, 05:30"
        assert distance_of_text(400, 5000) == "0.4 km of 5 km"
        with speaking("es"):
            assert number(1204) == "1.204"
            assert format_distance(7200) == "7,2 km"
            assert date_text(day, "%d %b %Y") == "02 dic 2026"
            assert moment_text(moment, UTC) == "02 dic 2026, 05:30"
            assert distance_of_text(400, 5000) == "0,4 km de 5 km"
            assert plural(1204, "session", "sessions") == "1.204 sesiones"
        with speaking("fr"):
            assert number(1204) == "1\u202f204"
            assert date_text(day, "%A %d %B %Y") == "mercredi 02 décembre 2026"
            assert plural(1, "session", "sessions") == "1 séance"
        with speaking("tlh"):  # not spoken: English
            assert gettext("Sign out") == "Sign out"


def test_a_count_in_a_template_is_written_in_the_languages_numbers(app):
    source = (
        "{% trans count=n %}{{ count }} session{% pluralize %}{{ count }} sessions{% endtrans %}"
    )
    with app.test_request_context():
        template = app.jinja_env.from_string(source)
        assert template.render(n=1204) == "1,204 sessions"
        assert template.render(n=1) == "1 session"
        with speaking("fr"):
            assert template.render(n=1204).startswith("1\u202f204 ")


def test_values_put_into_translated_html_are_escaped(app):
    with app.test_request_context():
        rendered = app.jinja_env.from_string("{{ _('Hello %(name)s', name=who) }}").render(
            who="<script>"
        )
    assert rendered == "Hello &lt;script&gt;"


# --- the catalogue tools -------------------------------------------------------------------------


def test_the_scan_finds_text_nobody_marked_and_passes_marked_text(tmp_path):
    page = tmp_path / "templates" / "page.html"
    page.parent.mkdir()
    page.write_text(
        "<h1>{% trans %}Sessions{% endtrans %}</h1>\n"
        '<p title="Left bare">{{ _("Marked") }} · 12 km</p>\n'
        "<p>Forgotten words</p>\n"
        "<script>const hidden = 'not prose';</script>\n"
        "{# a comment #}<button aria-label=\"{{ _('Close') }}\">×</button>\n",
        encoding="utf-8",
    )
    assert tools.bare_text(page) == [(2, "Left bare"), (3, "Forgotten words")]


def test_extraction_reads_count_filters_as_plural_messages(tmp_path):
    source = b"{{ n|plural('day', 'days') }} {% trans %}Today{% endtrans %} {{ x|plural(a, b) }}"
    found = [
        message
        for _, _, message, _ in tools.extract_templates(
            _Bytes(source), ("gettext", "ngettext", "_"), [], {}
        )
    ]
    assert ("day", "days") in found
    assert "Today" in found
    assert len(found) == 2  # a filter with variable words is not a message


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_):
        return self.data


def test_fill_copies_translations_and_reports_what_is_missing(tmp_path, monkeypatch):
    catalogues = tmp_path / "translations"
    for language in tools.TRANSLATED:
        folder = catalogues / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(
            f'msgid ""\nmsgstr ""\n"Language: {language}\\n"\n'
            '"Plural-Forms: nplurals=3; plural=(n == 1 ? 0 : 2);\\n"\n\n'
            'msgid "Sessions"\nmsgstr ""\n\n'
            'msgid "%(num)s day"\nmsgid_plural "%(num)s days"\nmsgstr[0] ""\nmsgstr[1] ""\n'
            'msgstr[2] ""\n\nmsgid "Left out"\nmsgstr ""\n',
            encoding="utf-8",
        )
    monkeypatch.setattr(tools, "CATALOGUES", catalogues)
    part = tmp_path / "part.json"
    part.write_text(
        '{"es": {"Sessions": "Sesiones", "%(num)s day": ["%(num)s día", "%(num)s días"]},'
        ' "fr": {"Sessions": "Séances", "%(num)s day": ["%(num)s jour", "%(num)s jours"]}}',
        encoding="utf-8",
    )
    assert tools.fill([part]) == ["es: 'Left out'", "fr: 'Left out'"]
    written = (catalogues / "es" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert 'msgstr "Sesiones"' in written
    assert 'msgstr[1] "%(num)s días"' in written and 'msgstr[2] "%(num)s días"' in written
