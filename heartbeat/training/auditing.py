"""What the training feature writes in the audit trail, in words: its actions, sessions named
by whose they are and when, and every session field with a label and its units."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.core.i18n import _l
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.participants.names import display_name_of
from heartbeat.training.models import PainSite, SessionKind, SessionSource, TrainingSession
from heartbeat.training.values import LABELS, PAIN_LABELS, RPE_LABELS

ACTIONS = {
    "session.create": _l("Session logged"),
    "session.update": _l("Session changed"),
    "session.delete": _l("Session deleted"),
    "session.verify": _l("Session verified"),
    # A device file (GPX, TCX, FIT) or a row of a session CSV: "Source" says which.
    "session.import": _l("Session imported from a file"),
}


def session_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    wanted = [value for value in ids if isinstance(value, int) and not isinstance(value, bool)]
    rows = db.session.execute(
        sa.select(
            TrainingSession.id,
            TrainingSession.started_at,
            Participant.given_name,
            Participant.preferred_name,
            Participant.family_name,
            Participant.name_order,
        )
        .join(Participant, Participant.id == TrainingSession.participant_id)
        .where(TrainingSession.id.in_(wanted))
    )
    return {
        row.id: f"{display_name_of(row)}, "
        f"{formats.day(row.started_at.astimezone(ctx.zone).date(), ctx)}"
        for row in rows
    }


def _scale(anchors: Mapping[int, str]) -> formats.Formatter:
    """A 0-10 score with the scale's words where it has them: "4 of 10 (Somewhat hard)"."""

    def formatter(value: Any, ctx: formats.Context) -> str:
        text = formats.out_of_ten(value, ctx)
        word = anchors.get(value) if isinstance(value, int) else None
        return f"{text} ({word})" if word else text

    return formatter


FORMATS: dict[str, formats.Formatter] = {
    "started_at": formats.moment,
    "kind": formats.enum_labels(SessionKind),
    "distance_m": formats.distance,
    "moving_time_s": formats.duration,
    "cadence_ppm": formats.suffixed("pushes a minute"),
    "avg_hr": formats.suffixed("bpm"),
    "max_hr": formats.suffixed("bpm"),
    "rpe": _scale(RPE_LABELS),
    "pain": _scale(PAIN_LABELS),
    "pain_site": formats.enum_labels(PainSite),
    "symptom_reported": formats.yes_no,
    "before_enrolment": formats.yes_no,
    "official_time_s": formats.duration,
    "place_in_class": formats.number,
}


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity(
        "training_session",
        _l("Session"),
        names=session_names,
        participant_column=TrainingSession.participant_id,
    )
    for name, label in LABELS.items():
        registry.field(name, label, FORMATS.get(name, formats.text), entity="training_session")
    more = {
        "source": ("Source", formats.enum_labels(SessionSource)),
        "self_reported": ("Self-reported", formats.yes_no),
        "elapsed_time_s": ("Elapsed time", formats.duration),
        "elevation_gain_m": ("Elevation gain", formats.suffixed("m")),
        "verified_at": ("Verified at", formats.moment),
        "file_name": ("File", formats.text),
        "file_format": ("File format", formats.labels({"gpx": "GPX", "tcx": "TCX", "fit": "FIT"})),
        "file_fingerprint": ("File fingerprint (SHA-256)", formats.text),
    }
    for name, (label, format) in more.items():
        registry.field(name, label, format, entity="training_session")
    registry.field("verified_by_id", _l("Verified by"), refers_to="user", entity="training_session")
    registry.field(
        "device_files_removed",
        _l("Original device files removed"),
        formats.number,
        entity="participant",
    )
