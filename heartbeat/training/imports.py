"""A device file (GPX, TCX or FIT) becomes a training session with its ``ActivityFile`` record.

The one service behind the upload page and ``flask import-activity``: parse, refuse the same file
twice in a centre, hold the values to the same rules as a typed-in session, save, audit
(``session.import``) and evaluate awards. It flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from heartbeat.auth.models import User
from heartbeat.core.i18n import _, decimal_text
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.participants.names import display_name_of
from heartbeat.training import storage
from heartbeat.training.dates import FOR_A_FILE, HistoryWording, Timeline, date_problem
from heartbeat.training.devicefiles import ParsedActivity, ParseLimits, parse_activity
from heartbeat.training.models import ActivityFile, SessionKind, SessionSource, TrainingSession
from heartbeat.training.services import SessionError, log_session, timeline_of
from heartbeat.training.values import (
    HR_MAX,
    HR_MIN,
    SessionValueError,
    clean_session,
    duration_input,
    too_fast,
)

KIND_FROM_FILE = ""  # the upload form's "as the file says"


class KindNeeded(SessionError):
    """The file does not say what kind of session it was, and none was chosen."""


class HistoryNeeded(SessionError):
    """The file is from before the participant's enrolment and was not marked as history (or
    was marked, and is not): the person answers, the file need not be chosen again."""


@dataclass
class DuplicateActivity(Exception):
    """The same file (by SHA-256) was uploaded before in this centre."""

    session_id: int
    participant_id: int
    participant_name: str
    started_at: datetime | None

    def __str__(self) -> str:
        return _(
            "This file was uploaded before: it is already session %(number)s of %(name)s."
            " Nothing new was saved.",
            number=self.session_id,
            name=self.participant_name,
        )


def find_duplicate(centre_id: int, fingerprint: str) -> DuplicateActivity | None:
    row = db.session.execute(
        sa.select(
            ActivityFile.session_id,
            Participant.id,
            Participant.given_name,
            Participant.preferred_name,
            Participant.family_name,
            Participant.name_order,
            TrainingSession.started_at,
        )
        .join(TrainingSession, TrainingSession.id == ActivityFile.session_id)
        .join(Participant, Participant.id == ActivityFile.participant_id)
        .where(ActivityFile.centre_id == centre_id, ActivityFile.fingerprint == fingerprint)
        # The centre is named explicitly, so this works the same from the command line.
        .execution_options(all_centres=True)
    ).first()
    if row is None:
        return None
    name = display_name_of(row)
    return DuplicateActivity(row.session_id, row.id, name, row.started_at)


def choose_kind(activity: ParsedActivity, kind: SessionKind | str | None) -> SessionKind:
    """The kind the person chose, else the file's own sport; a file that does not say asks."""
    if kind not in (None, KIND_FROM_FILE):
        try:
            return SessionKind(kind)
        except ValueError:
            message = _("Choose the kind of session from the list.")
            raise SessionError(message, {"kind": message}) from None
    try:
        return SessionKind(activity.sport)
    except ValueError:
        message = (
            _(
                "This file does not say what kind of session it was (it says “%(sport)s”)."
                " Choose the kind.",
                sport=activity.device_sport,
            )
            if activity.device_sport
            else _("This file does not say what kind of session it was. Choose the kind.")
        )
        raise KindNeeded(message, {"kind": message}) from None


def _heart_rate(value: int | None) -> int | None:
    return value if value is not None and HR_MIN <= value <= HR_MAX else None


def _refuse_impossible_speed(activity: ParsedActivity) -> None:
    """The form's speed rule, also when the file's times are zero (a typed time of zero is
    refused; a device's zero is dropped below as "not known", so it is checked here first)."""
    times = [t for t in (activity.moving_time_s, activity.elapsed_time_s) if t is not None]
    if not times:
        return  # no time at all: a distance alone, as the form allows
    seconds = activity.moving_time_s or activity.elapsed_time_s or 0
    if too_fast(activity.distance_m, seconds):
        took = duration_input(seconds) if seconds >= 1 else _("under a second")
        message = _(
            "This file cannot be saved as a session. It records %(km)s km in %(took)s, faster"
            " than 60 km/h on average: the distance or the time in the file is wrong.",
            km=decimal_text((activity.distance_m or 0) / 1000, 1),
            took=took,
        )
        raise SessionError(message, {"file": message})


def _check_dates(
    activity: ParsedActivity, timeline: Timeline, before_enrolment: bool, wording: HistoryWording
) -> None:
    """The file's date by the rule every entry path keeps (``values.date_problem``)."""
    if activity.started_at is None:
        return
    problem = date_problem(activity.started_at, timeline, history=before_enrolment, wording=wording)
    if problem is None:
        return
    message = _("The session in this file: %(problem)s", problem=problem.message)
    if problem.reason == "before_birth":
        raise SessionError(message, {"file": message})
    raise HistoryNeeded(message, {"before_enrolment": message})


def activity_values(
    activity: ParsedActivity,
    kind: SessionKind,
    *,
    now: datetime,
    timeline: Timeline | None = None,
    before_enrolment: bool = False,
    wording: HistoryWording = FOR_A_FILE,
) -> dict[str, object]:
    """The file's summary as clean session values, or :class:`SessionError` saying why not.

    ``timeline`` holds the file's date to the participant's birth and enrolment, by the rule
    every entry path shares (``values.date_problem``); ``before_enrolment`` says it is history.
    """
    if activity.started_at is None:
        message = _(
            "This file records no times, so the date of the session is unknown. "
            "Log the session by hand instead."
        )
        raise SessionError(message, {"file": message})
    if timeline is not None:
        _check_dates(activity, timeline, before_enrolment, wording)
    _refuse_impossible_speed(activity)
    typed: dict[str, Any] = {
        "started_at": activity.started_at,
        "kind": kind,
        "distance_m": activity.distance_m,
        # A device that saw no movement reports zero time; that is "not known", not "0 s".
        "moving_time_s": activity.moving_time_s or None,
        "elapsed_time_s": activity.elapsed_time_s or None,
        "avg_hr": _heart_rate(activity.avg_hr),
        "max_hr": _heart_rate(activity.max_hr),
        "cadence_ppm": activity.cadence_ppm,
        "elevation_gain_m": activity.elevation_gain_m,
        "before_enrolment": before_enrolment,
    }
    if typed["avg_hr"] and typed["max_hr"] and typed["max_hr"] < typed["avg_hr"]:
        typed["max_hr"] = None
    if kind == SessionKind.RACE:
        typed["event_name"] = "Race (from a device file)"
    try:
        # The dates were held to the participant's timeline above, in a file's own words.
        return clean_session(typed, now=now, timeline=None)
    except SessionValueError as error:
        reasons = " ".join(dict.fromkeys(error.field_errors.values()))
        message = _("This file cannot be saved as a session. %(reasons)s", reasons=reasons)
        raise SessionError(message, {"file": message}) from None


def import_activity(
    participant: Participant,
    *,
    actor: User | None,
    data: bytes,
    filename: str,
    kind: SessionKind | str | None = None,
    now: datetime | None = None,
    limits: ParseLimits | None = None,
    before_enrolment: bool = False,
    wording: HistoryWording = FOR_A_FILE,
    parsed: ParsedActivity | None = None,
    evaluate: bool = True,
) -> TrainingSession:
    """Save ``data`` (a GPX, TCX or FIT file) as a session of ``participant``.

    ``parsed`` is ``data`` already read (a bulk import reads every file before it writes);
    ``evaluate=False`` leaves the awards to the caller (``services.log_session``).

    Raises :class:`~heartbeat.training.devicefiles.ActivityFileError` for a file that is not a
    readable activity, :class:`DuplicateActivity` for a file seen before in the centre, and
    :class:`SessionError` when its values break a rule (:class:`KindNeeded` when it needs a kind
    chosen, :class:`HistoryNeeded` when it is from before enrolment and not marked as history).
    ``limits`` bound the work of reading the file.
    """
    now = now or utcnow()
    activity = parsed or parse_activity(data, filename, limits=limits)
    duplicate = find_duplicate(participant.centre_id, activity.fingerprint)
    if duplicate is not None:
        raise duplicate
    timeline = timeline_of(participant)
    try:
        chosen = choose_kind(activity, kind)
    except KindNeeded as needed:
        # Ask everything the person must answer at once: the kind, and whether it is history.
        try:
            _check_dates(activity, timeline, before_enrolment, wording)
        except HistoryNeeded as history:
            needed.field_errors.update(history.field_errors)
        raise
    values = activity_values(
        activity,
        chosen,
        now=now,
        timeline=timeline,
        before_enrolment=before_enrolment,
        wording=wording,
    )
    name = PurePath(filename.replace("\\", "/")).name[:255] or "activity"
    file_record = {
        "file_name": name,
        "file_format": activity.source_format,
        "file_fingerprint": activity.fingerprint,
    }
    try:
        with db.session.begin_nested():
            session = log_session(
                participant,
                actor=actor,
                values=values,
                source=SessionSource.DEVICE_FILE,
                now=now,
                audit_action="session.import",
                audit_extra=file_record,
                evaluate=evaluate,
            )
            kept = ActivityFile(
                centre_id=participant.centre_id,
                session=session,
                participant_id=participant.id,
                fingerprint=activity.fingerprint,
                source_format=activity.source_format,
                original_name=name,
                size_bytes=len(data),
                summary=activity.to_json_dict(),
                route=[[lat, lon] for lat, lon in activity.route],
                uploaded_by_id=actor.id if actor is not None else None,
                uploaded_at=now,
            )
            db.session.add(kept)
            db.session.flush()
            # The original, written last: nothing in this savepoint can fail after it, and a
            # rollback of the whole transaction removes it again (core.filestore).
            stored = storage.keep_original(participant.centre_id, data)
            kept.stored_key, kept.stored_sha256 = stored.key, stored.sha256
            db.session.flush()
    except IntegrityError:
        # Another upload of the same file got in between our check and our insert.
        duplicate = find_duplicate(participant.centre_id, activity.fingerprint)
        if duplicate is None:
            raise
        raise duplicate from None
    return session
