"""The demo centre's training plans: the demo participant on a plan with this plan-week under
way (some sessions done, today's open to log), a second person falling behind (so the caseload's
needs-attention lists and the dashboard show plans), a saved squad, a past squad session and a
one-off skills session planned for next Saturday.
Idempotent: anything already there is left alone."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import (
    Plan,
    PlannedSession,
    PlannedSquadSession,
    PlanTemplate,
    Squad,
    SquadSession,
    TemplateSession,
)
from heartbeat.plans.services import assigning, squads
from heartbeat.plans.services.templates import seed_default_templates
from heartbeat.progress import services as progress_services
from heartbeat.training.models import SessionKind, SessionSource, TrainingSession

SQUAD_NAME = "Tuesday track squad"


def _template(centre_id: int, starts: str) -> tuple[PlanTemplate, list[TemplateSession]]:
    template = db.session.scalars(
        sa.select(PlanTemplate)
        .where(PlanTemplate.centre_id == centre_id, PlanTemplate.name.startswith(starts))
        .execution_options(all_centres=True)
    ).one()
    rows = db.session.scalars(
        sa.select(TemplateSession)
        .where(TemplateSession.template_id == template.id)
        .execution_options(all_centres=True)
    ).all()
    return template, list(rows)


def _has_plan(participant: Participant) -> bool:
    return bool(
        db.session.scalar(
            sa.select(Plan.id)
            .where(Plan.participant_id == participant.id)
            .execution_options(all_centres=True)
        )
    )


def _done(participant, plan, therapist, tz, today, rng, *, skip_every: int) -> None:
    """Sessions for the plan's past days: near the target, now and then one missed."""
    rows = db.session.scalars(
        sa.select(PlannedSession)
        .where(PlannedSession.plan_id == plan.id, PlannedSession.on < today)
        .order_by(PlannedSession.on)
        .execution_options(all_centres=True)
    ).all()
    for n, row in enumerate(rows, start=1):
        if skip_every and n % skip_every == 0:
            continue
        factor = rng.uniform(0.85, 1.1)
        distance = round((row.target_distance_m or 0) * factor, 1)
        if not distance and row.kind != SessionKind.STRENGTH:
            distance = round((row.target_duration_s or 1800) / 60 * 180 * factor, 1)
        moving = int((row.target_duration_s or distance / 1000 * 240) * factor)
        start = datetime.combine(row.on, time(9 + n % 8), tzinfo=tz).astimezone(UTC)
        db.session.add(
            TrainingSession(
                centre_id=participant.centre_id,
                participant_id=participant.id,
                started_at=start,
                kind=row.kind,
                distance_m=distance,
                moving_time_s=moving,
                rpe=max(1, min(10, row.target_rpe + rng.choice((-1, 0, 0, 1)))),
                pain=rng.choice((0, 0, 1, 2)),
                source=SessionSource.STAFF,
                recorded_by_id=therapist.id,
            )
        )
    db.session.flush()


def seed_plans(centre: Centre, *, therapist: User, portal_user: User, today: date) -> None:
    seed_default_templates(centre.id)
    tz = ZoneInfo(centre.timezone)
    rng = random.Random(20261202)  # noqa: S311 - demo data, not secrets
    people = list(
        db.session.scalars(
            sa.select(Participant)
            .where(Participant.centre_id == centre.id)
            .order_by(Participant.id)
            .execution_options(all_centres=True)
        )
    )
    if not people:
        return
    demo = next((p for p in people if p.user_id == portal_user.id), people[0])
    # The current plan week began two days ago: two sessions done, today's open, more to come.
    if not _has_plan(demo):
        template, rows = _template(centre.id, "10K to half")
        start = max(today - timedelta(days=16), demo.enrolled_on)
        plan = assigning.assign_plan(demo, template, rows, starts_on=start, actor=therapist)
        _done(demo, plan, therapist, tz, today, rng, skip_every=7)
        progress_services.evaluate_awards(demo, actor=therapist)
    # Someone falling behind: on the 5K block for three weeks, little done.
    behind = next((p for p in people if p.sci_level == "T4"), None)
    if behind is not None and not _has_plan(behind):
        template, rows = _template(centre.id, "First 5K")
        start = max(today - timedelta(days=22), behind.enrolled_on)
        plan = assigning.assign_plan(behind, template, rows, starts_on=start, actor=therapist)
        _done(behind, plan, therapist, tz, today, rng, skip_every=2)
        progress_services.evaluate_awards(behind, actor=therapist)
    squad = db.session.scalars(
        sa.select(Squad)
        .where(Squad.centre_id == centre.id, Squad.name == SQUAD_NAME)
        .execution_options(all_centres=True)
    ).first()
    if squad is None:
        squad = squads.save_squad(
            centre.id,
            actor=therapist,
            values={
                "name": SQUAD_NAME,
                "place": "Riverside athletics track",
                "kind": SessionKind.TRACK,
                "meets_weekday": 1,
                "meets_at": "18:30",
            },
            members=people[:8],
        )
    had_session = db.session.scalar(
        sa.select(SquadSession.id)
        .where(SquadSession.centre_id == centre.id)
        .execution_options(all_centres=True)
    )
    if not had_session:
        last_tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
        started = datetime.combine(last_tuesday, time(18, 30), tzinfo=tz).astimezone(UTC)
        rows_in = []
        for n, person in enumerate(people[:8]):
            attended = n not in (3, 6)
            values = (
                {
                    "started_at": started,
                    "kind": SessionKind.TRACK,
                    "distance_m": float(rng.choice((2000, 2400, 3200, 4000))),
                    "moving_time_s": rng.randint(14, 22) * 60,
                    "rpe": rng.randint(4, 7),
                    "pain": rng.choice((0, 0, 1, 2, 3)),
                    "surface": "Athletics track",
                }
                if attended
                else None
            )
            rows_in.append(squads.Row(person, attended, values))
        squads.record_squad_session(
            centre.id,
            actor=therapist,
            started_at=started,
            kind=SessionKind.TRACK,
            place="Riverside athletics track",
            squad=squad,
            rows=rows_in,
        )
    # A one-off skills clinic next Saturday morning, planned ahead: in the squad's calendar feeds.
    planned = db.session.scalar(
        sa.select(PlannedSquadSession.id)
        .where(PlannedSquadSession.centre_id == centre.id)
        .execution_options(all_centres=True)
    )
    if not planned:
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        squads.plan_squad_session(
            squad,
            actor=therapist,
            starts_at=datetime.combine(saturday, time(10, 0), tzinfo=tz).astimezone(UTC),
            kind=SessionKind.SKILLS,
            place="Riverside car park: cones for cornering and braking",
        )
