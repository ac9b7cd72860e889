"""Training sessions: a participant's log, one session, and logging, correcting and deleting one.

Values go through the same rules as the forms (``training.values.clean_session``) and the same
services (audited, with the awards following in the same transaction); a change needs
``If-Match`` with the session's ETag, as an edit form needs the version it was built from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from flask import Response, url_for

from heartbeat.api import links
from heartbeat.api.auth import actor, commit, writes
from heartbeat.api.blueprint import bp
from heartbeat.api.etags import ETAG_HEADER, IF_MATCH, quoted, require_if_match
from heartbeat.api.fields import in_zone
from heartbeat.api.paging import Key, Order, page
from heartbeat.api.problems import fail
from heartbeat.api.schemas.common import PageArgs
from heartbeat.api.schemas.sessions import (
    NewSessionSchema,
    SessionFieldsSchema,
    SessionPageSchema,
    SessionSchema,
)
from heartbeat.api.views.common import centre_tz, one, participant_or_404, visible
from heartbeat.db import utcnow
from heartbeat.participants.models import Participant
from heartbeat.training import queries, services
from heartbeat.training.models import TrainingSession
from heartbeat.training.values import COLUMNS, SessionValueError, clean_session

TAG = ["Sessions"]
NEWEST_FIRST = Order(
    "newest",
    (
        Key(TrainingSession.started_at, True, decode=datetime.fromisoformat),
        Key(TrainingSession.id, True),
    ),
    lambda s: (s.started_at, s.id),
)
NOT_A_MOMENT = "Enter a real date and time, such as 2025-05-01T08:30:00+01:00."


def _session(session_id: int, action: str) -> TrainingSession:
    session = one(queries.session_by_id(session_id))
    return visible(session, action, view_action="session.view")


def _cleaned(values: dict[str, Any], participant: Participant) -> dict[str, Any]:
    """Values checked against every rule a session keeps (the participant's dates included);
    422 naming each field that fails."""
    values = dict(values)
    if values.get("started_at") is not None:
        values["started_at"] = in_zone(values["started_at"], centre_tz())
        if values["started_at"] is None:
            fail(422, errors={"started_at": [NOT_A_MOMENT]})
    try:
        return clean_session(values, now=utcnow(), timeline=services.timeline_of(participant))
    except SessionValueError as error:
        # Keyed by the form's field names (distance, duration...): the API's are the columns.
        fail(
            422,
            errors={
                COLUMNS.get(name, name): [message] for name, message in error.field_errors.items()
            },
        )


def _answer(session: TrainingSession, status: int = 200, **headers: str):
    return session, status, {"ETag": quoted(session.version), **headers}


@bp.route("/participants/<int:participant_id>/sessions", tags=TAG)
@bp.doc(operationId="listSessions", **links.FIRST_SESSION)
@bp.arguments(PageArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@bp.response(200, SessionPageSchema)
def list_sessions(args: dict[str, Any], participant_id: int):
    """A participant's sessions, newest first"""
    participant = participant_or_404(participant_id, "participant.view")
    rows, cursor = page(
        queries.sessions_for(participant.id).order_by(None),
        NEWEST_FIRST,
        list_name=f"sessions:{participant.id}",
        cursor=args.get("cursor"),
        limit=args["limit"],
    )
    return {"items": rows, "next_cursor": cursor}


@bp.route("/participants/<int:participant_id>/sessions", methods=["POST"], tags=TAG)
@bp.doc(operationId="createSession", **links.NEW_SESSION)
@writes
@bp.arguments(NewSessionSchema, as_kwargs=False)
@bp.response(201, SessionSchema, headers={"ETag": ETAG_HEADER})
def create_session(values: dict[str, Any], participant_id: int):
    """Log a session

    Staff only, with a token that may write. The same rules as the session form.
    """
    participant = participant_or_404(participant_id, "session.log")
    now = utcnow()
    session = services.log_session(
        participant, actor=actor(), values=_cleaned(values, participant), now=now
    )
    commit()
    location = url_for("api.get_session", session_id=session.id)
    return _answer(session, 201, Location=location)


@bp.route("/sessions/<int:session_id>", tags=TAG)
@bp.doc(operationId="getSession", **links.ONE_SESSION)
@bp.response(200, SessionSchema, headers={"ETag": ETAG_HEADER})
def get_session(session_id: int):
    """One session"""
    return _answer(_session(session_id, "session.view"))


@bp.route("/sessions/<int:session_id>", methods=["PATCH"], tags=TAG)
@bp.doc(operationId="updateSession", **links.ONE_SESSION)
@bp.doc(parameters=[IF_MATCH])
@writes
@bp.arguments(SessionFieldsSchema, as_kwargs=False)
@bp.response(200, SessionSchema, headers={"ETag": ETAG_HEADER})
def update_session(changes: dict[str, Any], session_id: int):
    """Correct a session

    Send only the fields to change (null clears one), with If-Match: the ETag you read.
    """
    session = _session(session_id, "session.edit")
    expected = require_if_match(session.version)
    current = {
        **services.snapshot(session),
        "elapsed_time_s": session.elapsed_time_s,
        "elevation_gain_m": session.elevation_gain_m,
    }
    values = _cleaned({**current, **changes}, session.participant)
    services.update_session(
        session,
        session.participant,
        actor=actor(),
        values=values,
        expected_version=expected,
        now=utcnow(),
    )
    commit()
    return _answer(session)


@bp.route("/sessions/<int:session_id>", methods=["DELETE"], tags=TAG)
@bp.doc(operationId="deleteSession")
@bp.doc(parameters=[IF_MATCH])
@writes
@bp.response(204)
def delete_session(session_id: int):
    """Delete a session

    With If-Match: the ETag you read. Awards it was the evidence for follow.
    """
    session = _session(session_id, "session.delete")
    require_if_match(session.version)
    services.delete_session(session, session.participant, actor=actor(), now=utcnow())
    commit()
    return Response(status=204)
