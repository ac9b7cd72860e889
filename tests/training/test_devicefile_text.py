"""The device-file messages on the upload page: the package's English, read in the uploader's
language by ``training.devicefile_text`` (the package itself stays pure and English)."""

from __future__ import annotations

from heartbeat.core.i18n import speaking
from heartbeat.training import devicefile_text
from heartbeat.training.devicefiles import ActivityFileError, activity, archives, budget


def test_every_message_the_page_translates_is_the_packages_own_english(app):
    with app.test_request_context(), speaking("en"):
        for template, (text, made_with) in devicefile_text._templates().items():
            # The same words and placeholders; one message was made with its value at import.
            assert (text.format(**made_with) if made_with else text) == template, template


def test_english_is_exactly_what_the_package_wrote(app):
    error = budget.BudgetExceeded(budget.TOO_MANY_POINTS, limit=200_000)
    with app.test_request_context(), speaking("en"):
        assert devicefile_text.shown(error) == str(error)
    assert str(error).startswith("This file holds more than 200,000 recorded points")
    refused = archives.ArchiveRefused(archives.TOO_MANY_ENTRIES, count=2500, limit=2000)
    assert refused.template == archives.TOO_MANY_ENTRIES and refused.values["count"] == 2500


def test_an_unknown_message_is_shown_as_written(app):
    error = ActivityFileError("Something the page does not know.")
    with app.test_request_context(), speaking("es"):
        assert devicefile_text.shown(error) == "Something the page does not know."
        assert devicefile_text.shown(ValueError("plain")) == "plain"
    assert ActivityFileError(activity.XML_DAMAGED, kind="GPX").args == (
        "The GPX file is damaged or cut short.",
    )
