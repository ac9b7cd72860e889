"""What a job's row says, in the reader's language.

The runner and the handlers write a job's progress, failure and summary in English, whoever
reads them later (a job runs outside any request, and its row outlives the person who asked).
The job's pages show those words through ``said``: a message the catalogue knows is shown
translated, and one the runner wrote from a pattern ("…(job 42).") is matched back to its
pattern and translated with its values. Anything else (a file's name, a reason a handler gave
in words of its own) is shown as it was written.
"""

from __future__ import annotations

import re
from functools import cache

from heartbeat.core.i18n import DEFAULT_LANGUAGE, _l, gettext, speaking
from heartbeat.jobs import runner

# The runner's patterns (``str.format``, as the runner writes them) and the same words as
# messages of the catalogue.
_PATTERNS = (
    (
        runner.GENERAL_FAILURE,
        _l(
            "Something went wrong while running this job. Nothing it did was saved. The details "
            "have been logged for your administrator (job %(job_id)s)."
        ),
    ),
    (
        runner.TIMED_OUT,
        _l("It took longer than the time limit of %(minutes)s minutes and was stopped."),
    ),
    (
        runner.STALE,
        _l("The worker running it stopped responding (no sign of life for %(seconds)s seconds)."),
    ),
    (
        runner.NOT_AVAILABLE,
        _l("This kind of job (%(kind)s) is not available on the worker that picked it up."),
    ),
)

# Words written as they are, marked here for the catalogue: the runner's, and the steps and
# summaries of the jobs of this app's own features (``certificates.jobs``).
WORDS = (
    _l("The connection to the database was lost while it ran."),
    _l("The job could not be completed."),
    _l("Writing the file"),
    _l("certificates"),
)

_FIELD = re.compile(r"\\\{(\w+)\\\}")


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], object], ...]:
    return tuple(
        (re.compile(_FIELD.sub(r"(?P<\1>.+?)", re.escape(pattern)) + r"\Z", re.S), message)
        for pattern, message in _PATTERNS
    )


def said(text: str | None) -> str:
    """``text`` (English, as a job's row keeps it) in the reader's language, when the app
    wrote it; as it is otherwise."""
    if not text:
        return ""
    translated = gettext(text)
    if translated != text:
        return translated
    for pattern, message in _compiled():
        found = pattern.match(text)
        if found is not None:
            with speaking(DEFAULT_LANGUAGE):
                english = str(message)
            words = str(message)
            if words == english:
                return text
            return words % found.groupdict()
    return text
