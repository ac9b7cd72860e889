"""No English left: every page a therapist and an admin of a Spanish centre, a participant who
reads French, and a visitor whose browser asks for French can open is read in that language.

"English" is a phrase of the catalogue's English messages that the translation does not share
(``tests/languages.py``): on a translated page it is text marked and left untranslated, or shown
without going through the catalogue. The security world is the crawl's data (every kind of
record, in both centres); its own words (names, notes, a centre's ladder) are what people typed
and are not messages.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from tests.languages import english_on, english_phrases, stored_text
from tests.security.access import ENDPOINTS, expected
from tests.security.test_access_matrix import method_of, rules_of
from tests.security.urls import Browsers, build_url, email_of, fill

pytestmark = pytest.mark.slow

# The API reference is written from the OpenAPI document, which is English for every client;
# the page says so (<html lang="en-GB">).
ENGLISH_BY_DESIGN = frozenset({"api_docs.docs"})
READERS = {"therapist": "es", "admin": "es", "participant": "fr", "anonymous": "fr"}


@pytest.fixture(scope="module")
def app(shared_app, shared_world):
    with shared_app.app_context():
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == "alpha")).one()
        centre.language = "es"
        participant = db.session.scalars(
            sa.select(User).where(User.email == email_of(shared_world, "participant"))
        ).one()
        participant.language = "fr"
        db.session.commit()
    return shared_app


def _pages(app, world, role: str) -> list[str]:
    urls = []
    for endpoint, rule in sorted(rules_of(app).items()):
        if method_of(rule) != "GET" or endpoint not in ENDPOINTS or endpoint in ENGLISH_BY_DESIGN:
            continue
        if expected(ENDPOINTS[endpoint].rule(role), "own", "own") != "ok":
            continue
        if role != "anonymous" and ENDPOINTS[endpoint].public:
            continue  # read by "anonymous" (an invitation link signs the reader out)
        values = {arg: fill(world, arg, role, "own", "own") for arg in rule.arguments}
        urls.append(build_url(app, endpoint, values))
    return urls


@pytest.mark.parametrize("role", sorted(READERS))
def test_every_page_a_person_opens_is_in_their_language(app, shared_world, role):
    language = READERS[role]
    browser = Browsers(app, shared_world)(role)
    # Public pages are read as by anybody (the browser's language): ask for the same one.
    headers = {"Accept-Language": f"{language};q=0.9"}
    stored = stored_text(app)
    read = 0
    left: list[str] = []
    skipped: list[str] = []
    for url in _pages(app, shared_world, role):
        response = browser.get(url, headers=headers)
        if response.status_code != 200 or response.mimetype != "text/html":
            skipped.append(f"{url} {response.status_code} {response.mimetype}")
            continue
        page = response.get_data(as_text=True)
        read += 1
        if f'<html lang="{language}"' not in page:
            left.append(f"{url}: not <html lang={language}>")
        left += [
            f"{url}: {phrase!r}" for phrase in english_on(page, language) if phrase not in stored
        ]
    assert read > (2 if role == "anonymous" else 10), (
        f"only {read} pages were read as {role}: {skipped}"
    )
    assert not left, f"English left on {role}'s pages in {language}:\n" + "\n".join(left)


def test_the_detector_finds_a_forgotten_phrase():
    # The check above is only as good as this: a page with an untranslated message fails it.
    english = next(p for p in english_phrases("es") if len(p) > 20)
    assert english_on(f"<main><p>{english}</p></main>", "es") == [english]
    assert english_on("<main><p>Nada en inglés.</p></main>", "es") == []
