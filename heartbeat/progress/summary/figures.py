"""The numbers around the ladder: progress to a stage, personal bests and recent effort."""

from __future__ import annotations

import statistics
from datetime import date, timedelta, tzinfo

from heartbeat.core.i18n import _, decimal_text, ngettext, number
from heartbeat.core.units import (
    Units,
    day_text,
    distance_of_text,
    distance_text,
    format_duration,
    format_pace,
)
from heartbeat.progress import rules
from heartbeat.progress.models import CriterionKind, LadderStage
from heartbeat.progress.summary.rows import evidence_text
from heartbeat.progress.summary.shapes import Best, NextProgress

EFFORT_DAYS = 28


def next_progress(
    stage: LadderStage, facts: list[rules.SessionFact], units: Units
) -> NextProgress | None:
    if stage.kind == CriterionKind.SIGNOFF or stage.threshold_m is None:
        return None
    rule = rules.StageRule(
        id=stage.id,
        code=stage.code,
        position=stage.position,
        kind=stage.kind.value,
        threshold_m=stage.threshold_m,
        max_duration_s=stage.max_duration_s,
    )
    best, threshold = rules.progress_towards(rule, facts)
    best = min(best, threshold)
    conditions = []
    if stage.kind == CriterionKind.RACE:
        conditions.append(_("in an official race"))
    if stage.max_duration_s:
        conditions.append(_("within %(time)s", time=format_duration(stage.max_duration_s)))
    return NextProgress(
        stage_title=stage.title,
        best_m=best,
        threshold_m=threshold,
        text=distance_of_text(best, threshold, units),
        to_go=_("%(distance)s to go", distance=distance_text(max(threshold - best, 0), units)),
        percent=min(100, int(best / threshold * 100)) if threshold else 0,
        condition=", ".join(conditions) or None,
    )


def _fastest(label: str) -> str:
    """ "Fastest 5K": one message per distance (a translation orders its own words)."""
    return {
        "5K": _("Fastest 5K"),
        "10K": _("Fastest 10K"),
        "Half marathon": _("Fastest Half marathon"),
        "Marathon": _("Fastest Marathon"),
    }.get(label) or f"Fastest {label}"


def best_rows(facts: list[rules.SessionFact], units: Units, tz: tzinfo) -> list[Best]:
    by_id = {fact.id: fact for fact in facts}
    found = rules.personal_bests(facts)
    bests = []
    if found.longest_push_m and found.longest_push_session_id in by_id:
        fact = by_id[found.longest_push_session_id]
        bests.append(
            Best(
                _("Longest continuous push"),
                distance_text(found.longest_push_m, units),
                evidence_text(fact, units, tz) or "",
                fact.started_at.astimezone(tz).date(),
            )
        )
    for label, _distance in rules.PB_DISTANCES:
        if label not in found.fastest:
            continue
        time_s, session_id = found.fastest[label]
        fact = by_id[session_id]
        pace = format_pace(fact.distance_m, time_s, units)
        bests.append(
            Best(
                _fastest(label),
                format_duration(time_s),
                ", ".join(
                    part
                    for part in (
                        _("race") if fact.race else _("training"),
                        pace,
                        day_text(fact.started_at.astimezone(tz).date()),
                    )
                    if part
                ),
                fact.started_at.astimezone(tz).date(),
            )
        )
    return bests


def effort_rows(
    facts: list[rules.SessionFact],
    heart: dict[int, float],
    today: date,
    tz: tzinfo,
    *,
    hr_unreliable: bool,
) -> list[tuple[str, str]]:
    since = today - timedelta(days=EFFORT_DAYS - 1)
    # Activity: every session logged in the programme, confirmed or waiting (rules' "What counts").
    recent = [
        f for f in facts if f.activity and since <= f.started_at.astimezone(tz).date() <= today
    ]
    rpes = [f.rpe for f in recent if f.rpe is not None]
    loads = [load for f in recent if (load := rules.session_load(f.rpe, f.duration_s))]
    hrs = [heart[f.id] for f in recent if f.id in heart]
    waiting = sum(1 for f in recent if f.waiting)
    count = number(len(recent))
    if waiting:
        count = ngettext(
            "%(count)s, %(num)s of them waiting for a therapist to confirm",
            "%(count)s, %(num)s of them waiting for a therapist to confirm",
            waiting,
            count=count,
        )
    not_recorded = _("Not recorded")
    rows = [
        (_("Sessions in the last 4 weeks"), count),
        (
            _("Average effort (RPE, 0 to 10)"),
            decimal_text(statistics.fmean(rpes), 1) if rpes else not_recorded,
        ),
        (
            _("Training load (RPE × minutes) per week"),
            decimal_text(sum(loads) / 4, 0) if loads else not_recorded,
        ),
    ]
    heart_row = (
        _("Average heart rate (read with care)") if hr_unreliable else _("Average heart rate"),
        _("%(bpm)s bpm", bpm=decimal_text(statistics.fmean(hrs), 0)) if hrs else not_recorded,
    )
    # After an injury at or above T6 heart rate barely rises: effort leads, heart rate trails.
    return [*rows, heart_row] if hr_unreliable else [rows[0], heart_row, *rows[1:]]
