"""The progress sections of the staff participant page and of the participant's own portal.

Each builder runs the same three queries (the ladder, the awards with their stages and
verifiers, the sessions as plain column tuples) however many sessions there are; everything else
is computed in Python by ``summary.build_summary``.

Someone with years of training has thousands of sessions, and reading and summarising them is
most of the page's time. The summary is kept in a small per-process cache under a key that
changes whenever anything it shows can change: the participant's ``summary_stamp`` (renewed by
the milestone engine after every session change), the number and newest id of their sessions,
each award's and stage's version, the day in the centre's time zone and the display settings
(units and language). A
stale entry can never be served; a process that has not seen the participant yet simply
computes the summary, so no process needs another's memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any
from zoneinfo import ZoneInfo

from heartbeat.auth.viewer import units_for
from heartbeat.centres.models import Centre
from heartbeat.core import panels
from heartbeat.core.i18n import current_language
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.progress import overview, queries
from heartbeat.progress.services import ladder
from heartbeat.progress.summary import Summary, build_summary

STAFF_CHARTS = ("weekly", "longest", "pace", "pain")
PORTAL_CHARTS = ("weekly", "longest", "pace")


def _centre_of(participant, viewer) -> Centre:
    centre = getattr(viewer, "centre", None)
    if centre is None or centre.id != participant.centre_id:
        centre = db.session.get_one(Centre, participant.centre_id)
    return centre


SUMMARY_CACHE_SIZE = 256
_summaries: OrderedDict[tuple, Summary] = OrderedDict()
_summaries_lock = threading.Lock()


def _cached(key: tuple) -> Summary | None:
    with _summaries_lock:
        summary = _summaries.get(key)
        if summary is not None:
            _summaries.move_to_end(key)
        return summary


def _remember(key: tuple, summary: Summary) -> None:
    with _summaries_lock:
        _summaries[key] = summary
        while len(_summaries) > SUMMARY_CACHE_SIZE:
            _summaries.popitem(last=False)


def participant_summary(participant, viewer, *, chart_names, chart_prefix: str) -> Summary:
    centre = _centre_of(participant, viewer)
    tz = ZoneInfo(centre.timezone)
    stages = ladder(participant.centre_id)
    awards = db.session.scalars(queries.awards_for(participant.id)).unique().all()
    units = units_for(viewer, centre)
    today = utcnow().astimezone(tz).date()
    # Belt and braces beside the stamp: rows added or removed without the engine (a bulk load)
    # still change the key. Answered from the index alone.
    count, last_id = db.session.execute(queries.session_count_and_last_id(participant.id)).one()
    key = (
        participant.id,
        participant.summary_stamp,
        count,
        last_id,
        tuple((award.id, award.version, award.verified_by_id) for award in awards),
        tuple((stage.id, stage.version) for stage in stages),
        today,
        units,
        current_language(),  # the summary holds words (chart titles, "2.8 km to go")
        centre.timezone,
        participant.hr_unreliable,
        tuple(chart_names),
        chart_prefix,
    )
    summary = _cached(key)
    if summary is None:
        rows = db.session.execute(queries.session_rows(participant.id)).all()
        summary = build_summary(
            stages=stages,
            awards=awards,
            rows=rows,
            units=units,
            today=today,
            tz=tz,
            hr_unreliable=participant.hr_unreliable,
            with_charts=chart_names,
            chart_prefix=chart_prefix,
        )
        _remember(key, summary)
    return summary


def _overview(participant, viewer) -> dict[str, Any]:
    centre = _centre_of(participant, viewer)
    return overview.overview(participant, centre, units_for(viewer, centre))


def build_profile_panel(participant, viewer) -> dict[str, Any] | None:
    """The progress section's whole context: ladder, awards, numbers, charts."""
    summary = participant_summary(
        participant, viewer, chart_names=STAFF_CHARTS, chart_prefix="staff-chart"
    )
    return {"participant": participant, "summary": summary}


def build_overview_panel(participant, viewer) -> dict[str, Any] | None:
    """The overview's progress card: read from the stored summary (``overview.py``)."""
    return {
        "participant": participant,
        "overview": _overview(participant, viewer),
    }


def build_portal_panel(participant, viewer) -> dict[str, Any] | None:
    """The participant's own progress page: ladder, miles and clubs, charts."""
    summary = participant_summary(
        participant, viewer, chart_names=PORTAL_CHARTS, chart_prefix="my-chart"
    )
    return {"participant": participant, "summary": summary}


def build_today_panel(participant, viewer) -> dict[str, Any] | None:
    """Their first page: a milestone to celebrate, this week, the next step (stored figures)."""
    return {
        "participant": participant,
        "overview": _overview(participant, viewer),
    }


def register() -> None:
    panels.register_panel(
        panels.PROFILE, "progress/_overview_panel.html", build_overview_panel, order=20
    )
    panels.register_panel(panels.PORTAL, "progress/_portal_today.html", build_today_panel, order=20)
