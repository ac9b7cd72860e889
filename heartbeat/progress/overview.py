"""A participant's overview figures, computed once per change and read as one row.

The overview (the staff page a therapist opens most, and the participant's own first page) shows
what is derived from someone's whole history: where they are on the ladder, this week and the
last four weeks, what waits for a therapist, a load warning, one small chart. Computing that
reads thousands of sessions; reading it back is one row (``ParticipantSummary``).

The row is valid while its ``stamp`` equals the participant's ``summary_stamp``, which every
change of what it shows renews in the same transaction: the milestone engine after any session
change (``services.engine.refresh_session_digest``), every award decision, and any change of the
centre's ladder (:func:`renew_stamps`). Weekly figures move with the calendar, so a row computed
on another day, or for other display settings, is computed again. Nothing stale is ever shown:
a stale row is simply not used.

The row holds the figures once per units they were asked in (``{"km": {...}, "mi": {...}}``):
a therapist who reads miles in a kilometre centre adds the miles once, and neither of them makes
the other's figures be computed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import get_template_attribute
from sqlalchemy.dialects import postgresql, sqlite

from heartbeat.centres.models import Centre
from heartbeat.core.i18n import DEFAULT_LANGUAGE, current_language, date_text
from heartbeat.core.units import Units, day_text, distance_text, format_duration, units_of
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant, new_summary_stamp
from heartbeat.progress import queries
from heartbeat.progress.models import Award, LadderStage, ParticipantSummary
from heartbeat.progress.services import ladder
from heartbeat.progress.summary import Summary, build_summary
from heartbeat.progress.summary.shapes import NextProgress
from heartbeat.training.kinds import SessionKind

RECENT_WEEKS = 4
RECENT_SESSIONS = 5
CHART_NAMES = ("weekly",)


def renew_stamps(*, participant_ids: Iterable[int] = (), centre_id: int | None = None) -> None:
    """Something their overview shows changed: their stored summaries are no longer valid.

    One UPDATE, in the caller's transaction. ``centre_id``: everyone at the centre (its ladder
    changed).
    """
    ids = sorted(set(participant_ids))
    if not ids and centre_id is None:
        return
    condition = Participant.id.in_(ids) if ids else Participant.centre_id == centre_id
    # One new random value for all of them: what matters is that it differs from the stamps
    # their stored summaries were computed under.
    db.session.execute(
        sa.update(Participant)
        .where(condition)
        .values(summary_stamp=new_summary_stamp())
        .execution_options(synchronize_session=False)
    )
    for participant in db.session.identity_map.values():
        if isinstance(participant, Participant) and (
            participant.id in ids or (centre_id is not None and participant.centre_id == centre_id)
        ):
            db.session.expire(participant, ["summary_stamp"])


def settings_key(centre: Centre, participant: Participant) -> str:
    """What else the figures depend on (the units are the payload's keys)."""
    return f"{centre.timezone}|{int(participant.hr_unreliable)}"


def local_today(centre: Centre) -> date:
    return utcnow().astimezone(ZoneInfo(centre.timezone)).date()


def overview(participant: Participant, centre: Centre, units: Units) -> dict[str, Any]:
    """The participant's overview figures in ``units``: the stored row when valid and holding
    them, else computed and stored (beside the other units' when those are still valid).

    One query when the row is valid (it is the participant's own primary key).
    """
    today = local_today(centre)
    settings = settings_key(centre, participant)
    stored = db.session.get(ParticipantSummary, participant.id)
    if stored is not None and (
        stored.stamp != participant.summary_stamp
        or stored.computed_on != today
        or stored.settings != settings
    ):
        stored = None  # stale: none of its figures are used
    key = payload_key(units)
    if stored is not None and key in stored.payload:
        return stored.payload[key]
    payload = compute(participant, centre, today, units)
    others = dict(stored.payload) if stored is not None else {}
    _store(participant, centre, today, settings, {**others, key: payload})
    return payload


def payload_key(units: Units) -> str:
    """Where the figures in ``units`` are kept in the row: their words are in the reader's
    language, so another language's figures are kept beside them (``"km|es"``); English keeps
    the units alone."""
    language = current_language()
    return units if language == DEFAULT_LANGUAGE else f"{units}|{language}"


def _store(
    participant: Participant, centre: Centre, today: date, settings: str, payload: dict[str, Any]
) -> None:
    values = {
        "participant_id": participant.id,
        "centre_id": participant.centre_id,
        "stamp": participant.summary_stamp,
        "computed_on": today,
        "settings": settings,
        "payload": payload,
        "computed_at": utcnow(),
    }
    engine = db.engine
    insert = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(
        ParticipantSummary.__table__
    )
    # Two pages computing at once both write; the last one wins, and both are right.
    stmt = insert.values(**values).on_conflict_do_update(
        index_elements=["participant_id"],
        set_={name: value for name, value in values.items() if name != "participant_id"},
    )
    # A transaction of its own, committed at once: reading a page never leaves the request's
    # session with a write to commit, and the write lock is held for this one statement.
    with engine.begin() as conn:
        conn.execute(stmt)


def compute(participant: Participant, centre: Centre, today: date, units: Units) -> dict[str, Any]:
    """Every figure the overview shows, from the participant's sessions, awards and ladder."""
    tz = ZoneInfo(centre.timezone)
    stages = ladder(participant.centre_id)
    awards = db.session.scalars(queries.awards_for(participant.id)).unique().all()
    rows = db.session.execute(queries.session_rows(participant.id)).all()
    summary = build_summary(
        stages=stages,
        awards=awards,
        rows=rows,
        units=units,
        today=today,
        tz=tz,
        hr_unreliable=participant.hr_unreliable,
        with_charts=CHART_NAMES,
        chart_prefix="overview-chart",
    )
    return payload_of(summary, rows, units=units, today=today, tz=tz)


def _progress(progress: NextProgress | None) -> dict[str, Any] | None:
    if progress is None:
        return None
    return {
        "stage_title": progress.stage_title,
        "best_m": progress.best_m,
        "threshold_m": progress.threshold_m,
        "text": progress.text,
        "to_go": progress.to_go,
        "percent": progress.percent,
        "condition": progress.condition,
    }


def _recent_weeks(rows, *, units: Units, today: date, tz: ZoneInfo) -> dict[str, Any]:
    """The last four weeks, this one included: distance and sessions, every session counted
    that counts for activity (confirmed or waiting, never history)."""
    monday = today - timedelta(days=today.weekday())
    since = datetime.combine(monday - timedelta(weeks=RECENT_WEEKS - 1), time.min, tzinfo=tz)
    distance = 0.0
    sessions = 0
    for row in rows:
        if row.started_at < since or getattr(row, "before_enrolment", False):
            continue
        sessions += 1
        distance += row.distance_m or 0.0
    return {"distance_text": distance_text(distance, units), "sessions": sessions}


def _recent_sessions(rows, *, units: Units, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The latest few sessions as the overview lists them (rows come oldest first)."""
    recent = []
    for row in reversed(rows[-RECENT_SESSIONS:]):
        kind = SessionKind(row.kind)
        recent.append(
            {
                "id": row.id,
                "when": date_text(row.started_at.astimezone(tz), "%d %b %Y, %H:%M"),
                "kind": kind.label,
                "distance": distance_text(row.distance_m, units) if row.distance_m else None,
                "duration": format_duration(row.moving_time_s) if row.moving_time_s else None,
                "waiting": not row.counts and not row.before_enrolment,
                "history": bool(row.before_enrolment),
            }
        )
    return recent


def payload_of(
    summary: Summary, rows, *, units: Units, today: date, tz: ZoneInfo
) -> dict[str, Any]:
    chart = summary.charts.get("weekly")
    render_chart = get_template_attribute("progress/_macros.html", "chart")
    last_at = max((row.started_at for row in rows), default=None)
    return {
        "units": units,
        "reached": summary.reached_count,
        "stages": len(summary.path),
        "current": (
            {
                "id": summary.current.id,
                "title": summary.current.title,
                "signoff": summary.current.signoff,
            }
            if summary.current is not None
            else None
        ),
        "next": _progress(summary.next_progress),
        "distance_next": _progress(summary.distance_progress),
        "at_top": summary.at_top,
        "total_miles_text": summary.total_miles_text,
        "this_week_text": summary.this_week_text,
        "this_week_waiting_text": summary.this_week_waiting_text,
        "this_week_all_waiting": summary.this_week_all_waiting,
        "recent_weeks": _recent_weeks(rows, units=units, today=today, tz=tz),
        "streak_weeks": summary.streak_weeks,
        "sessions_count": summary.sessions_count,
        "sessions_waiting": summary.sessions_waiting,
        "awards_pending": len(summary.pending),
        "awards_to_review": len(summary.to_review),
        "awards_to_date": len(summary.to_date),
        "load_warning_text": summary.load_warning_text,
        "last_session_on": last_at.astimezone(tz).date().isoformat() if last_at else None,
        "recent_sessions": _recent_sessions(list(rows), units=units, tz=tz),
        "sessions_total": len(rows),
        "celebrate": [
            {
                "title": award.title,
                "description": award.description,
                "achieved_on": award.achieved_on.isoformat(),
                "achieved_text": day_text(award.achieved_on),
                "verified": award.verified,
            }
            for award in summary.celebrate
        ],
        "waiting_text": summary.waiting_text,
        "next_club_text": summary.next_club_text,
        # Rendered once here: reading the overview then draws nothing.
        "chart_html": str(render_chart(chart, 3, True, True)) if chart is not None else None,
    }


def rebuild(centre_id: int | None = None) -> int:
    """Recompute every stored overview (or one centre's) from scratch, in each centre's units;
    returns how many."""
    centres = {
        centre.id: centre
        for centre in db.session.scalars(
            sa.select(Centre)
            .where(Centre.id == centre_id if centre_id is not None else sa.true())
            .execution_options(all_centres=True)
        )
    }
    count = 0
    for participant in db.session.scalars(
        sa.select(Participant)
        .where(Participant.centre_id.in_(centres))
        .order_by(Participant.id)
        .execution_options(all_centres=True)
    ):
        centre = centres[participant.centre_id]
        today = local_today(centre)
        units = units_of(centre.units)
        payload: dict[str, Any] = {units: compute(participant, centre, today, units)}
        _store(participant, centre, today, settings_key(centre, participant), payload)
        count += 1
    return count


def renew_on_flush(session: sa.orm.Session, flush_context: Any, instances: Any) -> None:
    """Before every flush: awards or ladder stages about to change make the overviews they feed
    stale, in the same transaction (a ``before_flush`` listener, see ``progress.hooks``)."""
    participants: set[int] = set()
    centres: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Award) and obj.participant_id is not None:
            participants.add(obj.participant_id)
        elif isinstance(obj, LadderStage) and obj.centre_id is not None:
            centres.add(obj.centre_id)
    if participants:
        renew_stamps(participant_ids=participants)
    for centre_id in sorted(centres):
        renew_stamps(centre_id=centre_id)
