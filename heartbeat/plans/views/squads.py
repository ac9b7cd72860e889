"""Squads and squad sessions: one form for a group, one submit for everyone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from heartbeat.core.edits import (
    apply_errors,
    refuse_unchosen,
    render_form,
    save_versioned,
    versioned_form,
)
from heartbeat.core.i18n import _, date_text, ngettext, number
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.permissions import require, staff_required
from heartbeat.plans import queries
from heartbeat.plans.blueprint import actor, bp, centre, centre_tz, found, now, viewer_units
from heartbeat.plans.forms import ConfirmForm, SquadForm, SquadSessionForm
from heartbeat.plans.models import PlannedSquadSession, Squad, SquadSession
from heartbeat.plans.services import squads as services
from heartbeat.plans.values import PlanInputError
from heartbeat.training import services as training
from heartbeat.training.models import SessionKind
from heartbeat.training.parsing import parse_started_at, read_session
from heartbeat.training.values import RPE_LABELS, SessionValueError

CHOOSABLE = 300  # participants offered when picking a squad
RECENT_SESSIONS = 10
PLANNED_PAST_DAYS = 14  # a planned session not recorded yet stays on the list this long
MAX_AHEAD_DAYS = 366
ROW_FIELDS = ("distance", "duration", "rpe", "pain")


def when_text(moment: datetime) -> str:
    """ "Monday 2 Mar at 18:30", in the centre's time zone and the reader's language."""
    local = moment.astimezone(centre_tz())
    return _("%(day)s at %(time)s", day=date_text(local, "%A %-d %b"), time=local.strftime("%H:%M"))


def _member_choices() -> list[tuple[str, str]]:
    people = db.session.scalars(queries.active_participants().limit(CHOOSABLE)).all()
    return [(str(p.id), f"{p.family_name}, {p.preferred_name or p.given_name}") for p in people]


@bp.get("/plans/squads")
@staff_required
def squads():
    require("squad.edit", centre())
    rows = db.session.scalars(queries.squads()).all()
    recent = db.session.scalars(
        sa.select(SquadSession)
        .order_by(SquadSession.started_at.desc(), SquadSession.id.desc())
        .limit(RECENT_SESSIONS)
    ).all()
    planned = db.session.scalars(
        queries.planned_squad_sessions(now() - timedelta(days=PLANNED_PAST_DAYS)).limit(
            RECENT_SESSIONS
        )
    ).all()
    return render_template(
        "plans/squads.html",
        squads=rows,
        recent=recent,
        planned=planned,
        tz=centre_tz(),
        units=viewer_units(),
    )


def _squad_values(form: SquadForm) -> tuple[dict[str, Any], list[Participant]]:
    ids = [int(v) for v in form.members.data or [] if str(v).isdigit()]
    members = list(
        db.session.scalars(sa.select(Participant).where(Participant.id.in_(ids))) if ids else []
    )
    at = (form.meets_at.data or "").strip()
    weekday = str(form.meets_weekday.data or "")[:1]
    if at and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
        raise PlanInputError(
            _("Check the time."), {"meets_at": _("Enter a time as hh:mm, e.g. 18:30.")}
        )
    values = {
        "name": form.name.data,
        "place": (form.place.data or "").strip() or None,
        "kind": SessionKind(form.kind.data),
        "meets_weekday": int(weekday) if weekday in "0123456" and weekday else None,
        "meets_at": at or None,
    }
    return values, members


@bp.route("/plans/squads/new", methods=["GET", "POST"])
@staff_required
def new_squad():
    require("squad.edit", centre())
    form = SquadForm()
    form.members.choices = _member_choices()
    if request.method == "POST" and form.validate_on_submit():
        try:
            values, members = _squad_values(form)
            squad = services.save_squad(centre().id, actor=actor(), values=values, members=members)
        except PlanInputError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Squad “%(name)s” saved.", name=squad.name), "success")
            return redirect(url_for("plans.squads"))
    return render_form("plans/squad_form.html", form, squad=None, rebased=None)


@bp.route("/plans/squads/<int:squad_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_squad(squad_id: int):
    squad: Squad = found(db.session.scalars(queries.squad_by_id(squad_id)).one_or_none())
    require("squad.edit", squad)
    form, unchosen = versioned_form(SquadForm)
    form.members.choices = _member_choices()
    rebased = None
    if request.method == "GET":
        form.load(squad)
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):

        def save() -> Squad:
            values, members = _squad_values(form)
            return services.save_squad(
                squad.centre_id,
                actor=actor(),
                values=values,
                members=members,
                squad=squad,
                expected_version=form.expected_version(),
            )

        outcome = save_versioned(form, save, load=lambda: form.load(squad))
        if outcome.saved:
            flash(_("Squad “%(name)s” saved.", name=squad.name), "success")
            return redirect(url_for("plans.squads"))
        rebased = outcome.rebased
    return render_form("plans/squad_form.html", form, squad=squad, rebased=rebased)


@bp.route("/plans/squads/<int:squad_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_squad(squad_id: int):
    squad: Squad = found(db.session.scalars(queries.squad_by_id(squad_id)).one_or_none())
    require("squad.edit", squad)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = squad.name
        services.delete_squad(squad, actor=actor())
        db.session.commit()
        flash(_("Squad “%(name)s” deleted. Its past sessions are kept.", name=name), "success")
        return redirect(url_for("plans.squads"))
    held = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SquadSession)
        .where(SquadSession.squad_id == squad.id)
    )
    return render_template(
        "plans/confirm.html",
        form=form,
        title=_("Delete the squad “%(name)s”?", name=squad.name),
        body=" ".join(
            (
                ngettext(
                    "The squad and its list of %(num)s member go; nobody's record changes.",
                    "The squad and its list of %(num)s members go; nobody's record changes.",
                    len(squad.members),
                ),
                ngettext(
                    "Its %(num)s past squad session and what each person did in them are kept.",
                    "Its %(num)s past squad sessions and what each person did in them are kept.",
                    held or 0,
                ),
            )
        ),
        action=url_for("plans.delete_squad", squad_id=squad.id),
        cancel=url_for("plans.squads"),
        button=_("Delete the squad"),
    )


def _chosen() -> tuple[Squad | None, list[Participant], PlannedSquadSession | None]:
    squad = planned = None
    planned_id = request.values.get("planned", type=int)
    if planned_id and 0 < planned_id < 2**31:
        planned = db.session.scalars(queries.planned_squad_by_id(planned_id)).one_or_none()
        if planned is not None and planned.squad_session_id is not None:
            planned = None  # recorded already
    squad_id = planned.squad_id if planned is not None else request.values.get("squad", type=int)
    if squad_id:
        squad = db.session.scalars(queries.squad_by_id(squad_id)).one_or_none()
        if squad is not None:
            require("squad.record", squad)
    ids = [int(v) for v in request.values.getlist("participant") if v.isdigit()][:CHOOSABLE]
    if ids:
        people = list(
            db.session.scalars(
                sa.select(Participant)
                .where(Participant.id.in_(ids))
                .order_by(Participant.family_name, Participant.given_name, Participant.id)
            )
        )
    elif squad is not None:
        people = list(squad.members)
    else:
        people = []
    return squad, people, planned


def _read_rows(
    form: SquadSessionForm, people: list[Participant], kind: SessionKind | None
) -> list[services.Row]:
    """Each person's line, blank fields taking the defaults at the top of the form."""
    units, tz = viewer_units(), centre_tz()
    defaults = {
        "distance": form.distance.data,
        "duration": form.duration.data,
        "rpe": form.rpe.data,
    }
    rows = []
    for person in people:
        sent = {
            name: (request.form.get(f"{name}-{person.id}") or "").strip() for name in ROW_FIELDS
        }
        attended = request.form.get(f"attended-{person.id}") == "y"
        row = services.Row(person, attended)
        if not attended:
            if sent["distance"] or sent["duration"]:
                row.errors["attended"] = _(
                    "Marked absent, but a distance or time is given: tick “Came” or clear them."
                )
            rows.append(row)
            continue
        raw = {
            "date": form.date.data,
            "time": form.time.data,
            "kind": kind.value if kind else "",
            **{name: sent[name] or defaults.get(name) or "" for name in ROW_FIELDS},
        }
        try:
            row.values = read_session(
                raw, units=units, tz=tz, now=now(), timeline=training.timeline_of(person)
            )
        except SessionValueError as error:
            row.errors = dict(error.field_errors) or {"distance": str(error)}
        rows.append(row)
    return rows


@bp.route("/plans/squad-sessions/new", methods=["GET", "POST"])
@staff_required
def new_squad_session():
    require("squad.record", centre())
    squad, people, planned = _chosen()
    form = SquadSessionForm()
    rows: list[services.Row] = []
    problem = None
    if request.method == "GET":
        local = now().astimezone(centre_tz())
        form.date.data = local.date().isoformat()
        form.time.data = local.strftime("%H:00")
        if squad is not None:
            form.kind.data = squad.kind.value
            form.place.data = squad.place or ""
        if planned is not None:  # recording a planned session: as planned
            start = planned.starts_at.astimezone(centre_tz())
            form.date.data, form.time.data = start.date().isoformat(), f"{start:%H:%M}"
            form.kind.data = planned.kind.value
            form.place.data = planned.place or ""
        rows = [services.Row(person, True) for person in people]
    elif form.validate_on_submit():
        kind = SessionKind(form.kind.data) if form.kind.data else None
        rows = _read_rows(form, people, kind)
        try:
            started_at = parse_started_at(f"{form.date.data}T{form.time.data}", centre_tz())
            group = services.record_squad_session(
                centre().id,
                actor=actor(),
                started_at=started_at,
                kind=kind or SessionKind.TRACK,
                place=(form.place.data or "").strip() or None,
                squad=squad,
                rows=rows,
                planned=planned,
            )
        except ValueError as error:  # PlanInputError, SquadRowsError, a date that reads wrong
            problem = str(error)
            if isinstance(error, PlanInputError) and not isinstance(error, services.SquadRowsError):
                apply_errors(form, error)
        else:
            db.session.commit()
            came = sum(1 for row in rows if row.attended)
            flash(
                ngettext(
                    "Squad session saved: %(num)s session logged, %(absent)s absent.",
                    "Squad session saved: %(num)s sessions logged, %(absent)s absent.",
                    came,
                    absent=number(len(rows) - came),
                ),
                "success",
            )
            return redirect(url_for("plans.squads", saved=group.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "plans/squad_session.html",
        form=form,
        squad=squad,
        planned=planned,
        people=people,
        rows={row.participant.id: row for row in rows},
        sent=request.form,
        problem=problem,
        squads=db.session.scalars(queries.squads()).all() if not people else [],
        choices=_member_choices() if not people else [],
        rpe_labels=RPE_LABELS,
        units=viewer_units(),
        tz=centre_tz(),
    ), status
