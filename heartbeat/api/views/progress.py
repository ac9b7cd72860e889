"""The centre's ladder, and a participant's awards (read only: verifying stays on the web)."""

from __future__ import annotations

from heartbeat.api.blueprint import bp
from heartbeat.api.schemas.progress import AwardListSchema, LadderSchema
from heartbeat.api.views.common import centre_or_404, participant_or_404
from heartbeat.extensions import db
from heartbeat.progress import queries
from heartbeat.progress.services import ladder

TAG = ["Ladder and awards"]


@bp.route("/ladder", tags=TAG)
@bp.doc(operationId="getLadder")
@bp.response(200, LadderSchema)
def get_ladder():
    """The centre's ladder

    Every stage in order, retired ones included (old awards point at them). Anyone of the centre.
    """
    centre = centre_or_404()
    return {"items": ladder(centre.id)}


@bp.route("/participants/<int:participant_id>/awards", tags=TAG)
@bp.doc(operationId="listAwards")
@bp.response(200, AwardListSchema)
def list_awards(participant_id: int):
    """A participant's awards

    Ladder stages and clubs reached, oldest first, with whether staff verified them.
    """
    participant = participant_or_404(participant_id, "participant.view")
    awards = db.session.scalars(queries.awards_for(participant.id)).unique().all()
    return {"items": awards}
