"""A page reads only the sessions matching can use (bounded by the plan, not by how much the
person trains) and gets the very figures of reading them all: across a clock change, with
many sessions a day, some near midnight."""

from __future__ import annotations

from datetime import date, time, timedelta

from heartbeat.extensions import db
from heartbeat.plans import rules
from heartbeat.plans.models import Plan
from heartbeat.plans.services import weeks
from heartbeat.training.models import SessionKind
from tests.plans.conftest import LONDON

STARTS = date(2025, 3, 17)  # a Monday; the clocks go forward on Sunday 30 March 2025


def _figures(view):
    return [
        (w.number, w.ratio, w.counted, sorted((p, d.id) for p, d in w.matches.items()))
        for w in view.weeks
    ]


def test_bounded_reading_gives_the_same_figures(plans, app):
    plan_id = plans.assign(starts_on=STARTS)
    kinds = (SessionKind.SKILLS, SessionKind.TRACK, SessionKind.STRENGTH, SessionKind.ROLLER)
    for n in range(21):
        day = STARTS + timedelta(days=n)
        # four a day, at awkward times (just after midnight, late evening), three of a kind
        for at, kind in zip(
            (time(0, 30), time(7), time(12), time(23, 30)),
            (kinds[n % 4], kinds[(n + 1) % 4], kinds[n % 4], kinds[n % 4]),
            strict=True,
        ):
            plans.log(day, kind, at=at, distance_m=1000 + 10 * n, moving_time_s=600 + n)
    today = STARTS + timedelta(weeks=3, days=2)
    for hour in range(7, 13):  # six on a day of the week shown: four listed, "2 more"
        plans.log(today, SessionKind.ROAD, at=time(hour), distance_m=2000)
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        full = weeks.plan_weeks(plan, LONDON, today)
        for shown in (STARTS, STARTS + timedelta(weeks=2), today):
            bounded = weeks.plan_weeks(plan, LONDON, today, shown=shown)
            assert _figures(bounded) == _figures(full)
            index = (shown - STARTS).days // 7
            # the week shown day by day has every session, extras included
            if index < 3:
                assert [d.id for d in bounded.weeks[index].done] == [
                    d.id for d in full.weeks[index].done
                ]
        shown_week = weeks.plan_weeks(plan, LONDON, today, shown=today).weeks[3]
        (row,) = [r for r in rules.day_rows(shown_week, LONDON) if r.day == today]
        assert len(row.extra) == 4 and row.more == 2
        # the other weeks keep at most what matching can use
        keep = weeks.most_of_a_kind([p for w in full.weeks for p in w.planned], plan.starts_on)
        bounded = weeks.plan_weeks(plan, LONDON, today, shown=today)
        for week in bounded.weeks[:3]:
            per_day: dict = {}
            for d in week.done:
                key = (d.started_at.astimezone(LONDON).date(), d.kind)
                per_day[key] = per_day.get(key, 0) + 1
            assert max(per_day.values()) <= keep
        assert sum(len(w.done) for w in bounded.weeks[:3]) < sum(
            len(w.done) for w in full.weeks[:3]
        )
