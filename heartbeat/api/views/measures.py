"""A participant's completed outcome measures (read only: they are filled in on the web)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from heartbeat.api.blueprint import bp
from heartbeat.api.paging import Key, Order, page
from heartbeat.api.schemas.common import PageArgs
from heartbeat.api.schemas.measures import MeasureListArgs, MeasureResponsePageSchema
from heartbeat.api.views.common import participant_or_404
from heartbeat.measures.models import Measure, MeasureResponse

TAG = ["Outcome measures"]
LATEST_FIRST = Order(
    "latest",
    (
        Key(MeasureResponse.completed_at, True, decode=datetime.fromisoformat),
        Key(MeasureResponse.id, True),
    ),
    lambda r: (r.completed_at, r.id),
)


class MeasureResponseArgs(PageArgs, MeasureListArgs):
    pass


def _shown(response: MeasureResponse) -> dict[str, Any]:
    measure = response.measure
    answers = {answer.item_id: answer for answer in response.answers}
    shown = []
    for item in measure.items:
        answer = answers.get(item.id)
        if answer is None:
            continue
        shown.append(
            {
                "position": item.position,
                "label": item.label,
                "value": answer.value,
                "words": measure.scale_spec.words(answer.value),
                "not_done": answer.not_done,
            }
        )
    return {
        "id": response.id,
        "participant_id": response.participant_id,
        "measure_id": measure.id,
        "measure_code": measure.code,
        "measure_title": measure.title,
        "scale": measure.scale,
        "scoring": measure.scoring,
        "higher_is_worse": measure.higher_is_worse,
        "started_at": response.started_at,
        "completed_at": response.completed_at,
        "on_behalf": response.on_behalf,
        "total": response.total,
        "answers": shown,
    }


@bp.route("/participants/<int:participant_id>/measures", tags=TAG)
@bp.doc(operationId="listMeasureResponses")
@bp.arguments(MeasureResponseArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@bp.response(200, MeasureResponsePageSchema)
def list_measure_responses(args: dict[str, Any], participant_id: int):
    """A participant's completed outcome measures, latest first

    Each submitted response (WUSPI, the wheelchair skills checklist, the centre's own) with
    its total and every answer. Unfinished ones are not listed. Staff of the centre (as the
    participant's measures page), or the participant themself (as their result pages).
    """
    action = "measure.list" if current_user.is_staff else "participant.view"
    participant = participant_or_404(participant_id, action)
    stmt = (
        sa.select(MeasureResponse)
        .options(
            joinedload(MeasureResponse.measure).selectinload(Measure.items),
            selectinload(MeasureResponse.answers),
        )
        .where(
            MeasureResponse.participant_id == participant.id,
            MeasureResponse.completed_at.is_not(None),
        )
    )
    if args.get("measure_id") is not None:
        stmt = stmt.where(MeasureResponse.measure_id == args["measure_id"])
    rows, cursor = page(
        stmt,
        LATEST_FIRST,
        list_name=f"measures:{participant.id}:{args.get('measure_id') or ''}",
        cursor=args.get("cursor"),
        limit=args["limit"],
    )
    return {"items": [_shown(row) for row in rows], "next_cursor": cursor}
