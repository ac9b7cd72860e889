"""The caseload: the filtered list, its "needs attention" panel, and its CSV export."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user

from heartbeat.auth.models import Role
from heartbeat.auth.viewer import current_units, local_time
from heartbeat.core.units import format_distance
from heartbeat.db import row_id, utcnow
from heartbeat.extensions import db
from heartbeat.participants import attention, exporting, queries, stages
from heartbeat.participants.blueprint import bp
from heartbeat.participants.models import RacingClass
from heartbeat.participants.views.common import (
    actor,
    centre_zone,
    therapists,
    today,
)
from heartbeat.permissions import require, staff_required


def caseload_filter(args) -> tuple[queries.CaseloadFilter, dict[str, str]]:
    """The filter a request asks for (bad values fall back to defaults) and its URL arguments."""
    default_scope = "mine" if current_user.role == Role.THERAPIST else "all"
    scope = args.get("scope", default_scope)
    scope = scope if scope in ("mine", "all") else default_scope
    status = args.get("status", "current")
    status = status if status in queries.STATUS_FILTERS else "current"
    sort = args.get("sort", "name")
    sort = sort if sort in queries.SORTS else "name"
    therapist_id = args.get("therapist", type=row_id)
    try:
        racing_class = RacingClass(args.get("class", ""))
    except ValueError:
        racing_class = None
    stage = args.get("stage", "")
    ladder_done = stage == queries.LADDER_DONE
    stage_id = int(stage) if stage.isascii() and stage.isdigit() and int(stage) < 2**31 else None
    q = (args.get("q") or "").strip()[:100]
    f = queries.CaseloadFilter(
        viewer_id=current_user.id,
        mine=scope == "mine",
        q=q,
        status=status,
        therapist_id=therapist_id if scope == "all" else None,
        racing_class=racing_class,
        stage_id=stage_id,
        ladder_done=ladder_done,
        sort=sort,
    )
    kept = {
        "scope": scope,
        "q": q,
        "status": status,
        "therapist": str(therapist_id or ""),
        "class": racing_class.value if racing_class else "",
        "stage": queries.LADDER_DONE if ladder_done else str(stage_id or ""),
        "sort": sort,
    }
    return f, {key: value for key, value in kept.items() if value}


@bp.get("/participants")
@staff_required
def caseload():
    centre = current_user.centre
    if centre is None:  # a platform operator belongs to no centre, so has no caseload
        abort(404)
    f, kept = caseload_filter(request.args)
    page = db.paginate(
        queries.caseload(f), per_page=current_app.config["HEARTBEAT_PAGE_SIZE"], error_out=False
    )
    ladder = stages.source().stages(centre.id)
    zone = centre_zone()
    return render_template(
        "participants/caseload.html",
        page=page,
        f=f,
        kept=kept,
        therapists=therapists(),
        statuses=queries.STATUS_FILTERS,
        sorts=queries.SORTS,
        classes=list(RacingClass),
        stages=ladder,
        stage_by_id={stage.id: stage for stage in ladder},
        attention=attention.needs_attention(
            queries.caseload_conditions(f),
            centre_id=centre.id,
            now=utcnow(),
            today=today(),
            tz=zone,
        ),
        when=lambda moment: local_time(moment, "%d %b %Y"),
        units=current_units(),
        distance=format_distance,
        ladder_done=queries.LADDER_DONE,
    )


@bp.post("/participants/export.csv")
@staff_required
def export_caseload():
    """The whole filtered caseload (every page) as CSV; the filter comes in the form's fields."""
    centre = current_user.centre
    require("participant.export", centre)
    f, kept = caseload_filter(request.form)
    body, rows = exporting.export_caseload(f, centre=centre, actor=actor(), filters=kept)
    filename = f"caseload-{centre.slug}-{today().isoformat()}.csv"
    db.session.commit()
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Row-Count": str(rows),
        },
    )
