"""What plans adds to the caseload's "needs attention" panel: missed two planned sessions in a
row, and compliance under 50% for two finished weeks in a row. Both lists read the same weeks,
worked out once per request: one query when nobody in the caseload has a running plan, four
otherwise, whatever the caseload's size (:func:`services.caseload.recent_weeks`)."""

from __future__ import annotations

from typing import Any

from flask import g

from heartbeat.core.i18n import _l
from heartbeat.participants import attention
from heartbeat.participants.attention import AttentionQuery, AttentionRule, Found, Item
from heartbeat.plans import rules
from heartbeat.plans.services.caseload import Recent, recent_weeks


def _recent(q: AttentionQuery) -> list[Recent]:
    """The caseload's recent plan weeks, kept for the request (both lists use them)."""
    conditions = []
    for condition in q.people:
        compiled = condition.compile()
        conditions.append((str(compiled), repr(sorted(compiled.params.items()))))
    key = ("plans.attention", q.centre_id, q.today, tuple(conditions))
    kept: dict[Any, list[Recent]] = g.setdefault("plan_weeks", {})
    if key not in kept:
        kept[key] = recent_weeks(q.people, q.centre_id, q.tz, q.today)
    return kept[key]


def _found(rows: list[tuple[Any, dict[str, Any]]], limit: int) -> Found:
    rows = sorted(rows, key=lambda pair: (pair[0].family_name, pair[0].id))
    items = [Item(row.id, attention.display_name(row), facts) for row, facts in rows[:limit]]
    return Found(items, len(rows))


def _missed(q: AttentionQuery) -> Found:
    flagged = [
        (r.person, {"plan": r.plan.name})
        for r in _recent(q)
        if rules.missed_in_a_row(r.weeks, q.today)
    ]
    return _found(flagged, q.limit)


def _low(q: AttentionQuery) -> Found:
    flagged = []
    for r in _recent(q):
        if rules.low_weeks(r.weeks, q.today):
            finished = [w for w in r.weeks if w.last < q.today and w.ratio is not None][-2:]
            flagged.append(
                (r.person, {"plan": r.plan.name, "percents": [w.percent for w in finished]})
            )
    return _found(flagged, q.limit)


def register() -> None:
    attention.register_rule(
        AttentionRule(
            "plan-missed",
            25,
            _l("Missed two planned sessions in a row"),
            _l(
                "The last two sessions on their plan were not done (days marked unavailable left"
                " out)."
            ),
            "plans/attention/missed.html",
            _missed,
        )
    )
    attention.register_rule(
        AttentionRule(
            "plan-low",
            26,
            _l("Compliance under %(percent)s%% for two weeks", percent=50),
            _l("Done against planned was under half in each of the last two finished plan weeks."),
            "plans/attention/low.html",
            _low,
        )
    )
