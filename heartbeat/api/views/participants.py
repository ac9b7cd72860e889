"""Participants: the caseload (with its filters) and one participant's record."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload

from heartbeat.api import links
from heartbeat.api.blueprint import bp
from heartbeat.api.etags import ETAG_HEADER, quoted
from heartbeat.api.paging import Key, Order, page
from heartbeat.api.schemas.participants import (
    CaseloadArgs,
    ParticipantPageSchema,
    ParticipantSchema,
)
from heartbeat.api.views.common import centre_or_404, own_participant, participant_or_404
from heartbeat.auth.models import Role
from heartbeat.participants import queries
from heartbeat.participants.models import Participant, ParticipantStatus, RacingClass

TAG = ["Participants"]
_ID = Key(Participant.id)


def _names(descending: bool = False) -> tuple[Key, ...]:
    return (
        Key(Participant.family_name, descending),
        Key(Participant.given_name, descending),
        Key(Participant.id, descending),
    )


ORDERS = {
    "name": Order("name", _names(), lambda p: (p.family_name, p.given_name, p.id)),
    "-name": Order("-name", _names(True), lambda p: (p.family_name, p.given_name, p.id)),
    "enrolled": Order(
        "enrolled",
        (Key(Participant.enrolled_on, decode=date.fromisoformat), _ID),
        lambda p: (p.enrolled_on, p.id),
    ),
    "-enrolled": Order(
        "-enrolled",
        (
            Key(Participant.enrolled_on, True, decode=date.fromisoformat),
            Key(Participant.id, True),
        ),
        lambda p: (p.enrolled_on, p.id),
    ),
    "class": Order(
        "class",
        (Key(Participant.racing_class, decode=RacingClass), *_names()),
        lambda p: (p.racing_class, p.family_name, p.given_name, p.id),
    ),
    "status": Order(
        "status",
        (Key(Participant.status, decode=ParticipantStatus), *_names()),
        lambda p: (p.status, p.family_name, p.given_name, p.id),
    ),
}


def _filter(args: dict[str, Any]) -> queries.CaseloadFilter:
    default_scope = "mine" if current_user.role == Role.THERAPIST else "all"
    scope = args.get("scope", default_scope)
    stage = args.get("stage", "")
    return queries.CaseloadFilter(
        viewer_id=current_user.id,
        mine=scope == "mine",
        q=(args.get("q") or "").strip(),
        status=args["status"],
        therapist_id=args.get("therapist") if scope == "all" else None,
        racing_class=args.get("racing_class"),
        stage_id=int(stage) if stage and stage != queries.LADDER_DONE else None,
        ladder_done=stage == queries.LADDER_DONE,
        sort=args["sort"],
    )


@bp.route("/participants", tags=TAG)
@bp.doc(operationId="listParticipants", **links.FIRST_PARTICIPANT)
@bp.arguments(CaseloadArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@bp.response(200, ParticipantPageSchema)
def list_participants(args: dict[str, Any]):
    """The caseload

    Staff see their centre's participants with the caseload page's filters (a therapist's own
    caseload unless scope=all). A participant's token lists only their own record.
    """
    centre_or_404()
    stmt = sa.select(Participant).options(joinedload(Participant.therapist))
    if current_user.is_staff:  # the caseload is the staff's page (as on the web)
        stmt = stmt.where(*queries.caseload_conditions(_filter(args)))
    else:
        own = own_participant()
        stmt = stmt.where(Participant.id == (own.id if own is not None else -1))
    rows, cursor = page(
        stmt,
        ORDERS[args["sort"]],
        list_name="participants",
        cursor=args.get("cursor"),
        limit=args["limit"],
    )
    return {"items": rows, "next_cursor": cursor}


@bp.route("/participants/<int:participant_id>", tags=TAG)
@bp.doc(operationId="getParticipant")
@bp.response(200, ParticipantSchema, headers={"ETag": ETAG_HEADER})
def get_participant(participant_id: int):
    """One participant's record

    Staff of their centre, or the participant themself.
    """
    participant = participant_or_404(participant_id, "participant.view")
    return participant, 200, {"ETag": quoted(participant.version)}
