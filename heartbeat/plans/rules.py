"""Matching what was done to what was planned, and a week's compliance. Pure: no Flask, no
database; the week view, the portal, the needs-attention lists and the dashboard all use these.

**Matching.** Within one plan week, a done session matches a planned one of the same kind. Two
passes: first every planned session takes a same-day session (the earliest-started one left),
then each planned session still open, in date order, takes the unmatched session of its kind
nearest in days (on a tie, the earlier day). A done session matches at most one planned session,
and a planned session at most one done session: two sessions on one day with one planned, the
earlier is matched and the other is shown as extra. Days marked unavailable are left out: what
was planned on them is neither done nor missed.

**Compliance** is done ÷ planned over the week's planned sessions up to today (those on
unavailable days left out). A planned session with a target distance is measured by distance,
one with only a target time by moving time; when a week mixes the two, each measure's ratio is
weighted by how many planned sessions it covers. A missed session counts as 0 done. Extra
sessions nobody planned do not raise the figure. Bands: within ±20% (80-120%) "on plan",
50-80% or 120-150% "partly", beyond that "off plan".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

from heartbeat.core.i18n import _

ON_PLAN = (0.8, 1.2)
PARTLY = (0.5, 1.5)


class PlannedLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def on(self) -> date: ...
    @property
    def kind(self) -> str: ...
    @property
    def target_distance_m(self) -> float | None: ...
    @property
    def target_duration_s(self) -> int | None: ...


class DoneLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def distance_m(self) -> float: ...
    @property
    def duration_s(self) -> int | None: ...


@dataclass(frozen=True)
class Band:
    key: str  # on-plan | partly | off-plan | none

    @property
    def label(self) -> str:
        """The band in words, in the reader's language."""
        return {
            "on-plan": _("On plan"),
            "partly": _("Partly"),
            "off-plan": _("Off plan"),
            "none": _("Nothing planned yet"),
        }[self.key]


BANDS = {key: Band(key) for key in ("on-plan", "partly", "off-plan", "none")}


def band(ratio: float | None) -> Band:
    if ratio is None:
        return BANDS["none"]
    low, high = ON_PLAN
    if low - 1e-9 <= ratio <= high + 1e-9:
        return BANDS["on-plan"]
    low, high = PARTLY
    if low - 1e-9 <= ratio <= high + 1e-9:
        return BANDS["partly"]
    return BANDS["off-plan"]


@dataclass
class Week:
    number: int  # 1-based within the plan
    first: date
    planned: list[PlannedLike] = field(default_factory=list)
    done: list[DoneLike] = field(default_factory=list)
    matches: dict[int, DoneLike] = field(default_factory=dict)  # planned id -> done
    unavailable: set[date] = field(default_factory=set)
    reasons: dict[date, object] = field(default_factory=dict)  # why each day was unavailable
    ratio: float | None = None
    counted: int = 0  # planned sessions the figure covers
    # sessions done each day, where a page read only the first few of them (see ``day_rows``)
    day_totals: dict[date, int] = field(default_factory=dict)

    @property
    def last(self) -> date:
        return self.first + timedelta(days=6)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(7)]

    @property
    def band(self) -> Band:
        return band(self.ratio)

    @property
    def percent(self) -> int | None:
        return None if self.ratio is None else round(self.ratio * 100)

    @property
    def extra(self) -> list[DoneLike]:
        matched = {id(done) for done in self.matches.values()}
        return [done for done in self.done if id(done) not in matched]


def local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def match(
    planned: Sequence[PlannedLike],
    done: Sequence[DoneLike],
    tz: tzinfo,
    unavailable: Iterable[date] = (),
    days: Mapping[int, date] | None = None,
) -> dict[int, DoneLike]:
    """Planned session id -> the done session matched to it (see the module's rule).

    ``days`` maps ``id(done)`` to its local day when the caller has worked them out already.
    Linear in the sessions: done sessions are bucketed by day and kind, not searched per plan.
    """
    off = set(unavailable)
    if days is None:
        days = {id(d): local_day(d.started_at, tz) for d in done}
    open_planned = sorted((p for p in planned if p.on not in off), key=lambda p: (p.on, p.id))
    left = sorted((d for d in done if days[id(d)] not in off), key=lambda d: (d.started_at, d.id))
    same_day: dict[tuple[date, str], list[DoneLike]] = {}
    for d in left:
        same_day.setdefault((days[id(d)], d.kind), []).append(d)
    matches: dict[int, DoneLike] = {}
    taken: set[int] = set()
    # Pass 1: the same day (each bucket is in start order: the earliest left goes first).
    for p in open_planned:
        bucket = same_day.get((p.on, p.kind))
        if bucket:
            d = bucket.pop(0)
            matches[p.id] = d
            taken.add(id(d))
    # Pass 2: the nearest day left, earlier first on a tie.
    by_kind: dict[str, list[DoneLike]] = {}
    for d in left:
        if id(d) not in taken:
            by_kind.setdefault(d.kind, []).append(d)
    for p in open_planned:
        if p.id in matches:
            continue
        candidates = by_kind.get(p.kind)
        if not candidates:
            continue
        on = p.on
        best = min(candidates, key=lambda d: (abs((days[id(d)] - on).days), d.started_at, d.id))
        matches[p.id] = best
        candidates.remove(best)
    return matches


def measure(p: PlannedLike) -> str | None:
    if p.target_distance_m:
        return "distance"
    if p.target_duration_s:
        return "duration"
    return None


def compliance(
    planned: Sequence[PlannedLike],
    matches: dict[int, DoneLike],
    *,
    unavailable: Iterable[date] = (),
    until: date | None = None,
) -> tuple[float | None, int]:
    """Done ÷ planned for the week (see the module's rule) and how many planned sessions it
    covers; None when nothing planned is due yet."""
    off = set(unavailable)
    totals: dict[str, list[float]] = {"distance": [0.0, 0.0, 0], "duration": [0.0, 0.0, 0]}
    for p in planned:
        if p.on in off or (until is not None and p.on > until):
            continue
        how = measure(p)
        if how is None:
            continue
        d = matches.get(p.id)
        if how == "distance":
            target, got = float(p.target_distance_m or 0), float(d.distance_m if d else 0.0)
        else:
            target, got = float(p.target_duration_s or 0), float((d.duration_s or 0) if d else 0)
        totals[how][0] += got
        totals[how][1] += target
        totals[how][2] += 1
    counted = int(totals["distance"][2] + totals["duration"][2])
    if not counted:
        return None, 0
    ratio = 0.0
    for done, target, count in totals.values():
        if count:
            ratio += (done / target) * (count / counted)
    return ratio, counted


def weeks_of(
    starts_on: date,
    weeks: int,
    planned: Sequence[PlannedLike],
    done: Sequence[DoneLike],
    tz: tzinfo,
    unavailable: Iterable[date],
    today: date,
    counted_until: date | None = None,
) -> list[Week]:
    """The plan's weeks with their sessions matched and compliance worked out to ``today``
    (or to ``counted_until`` when earlier: the day before a pause, the day a plan ended).
    Each session's local day is worked out once, and everything is bucketed by plan week."""
    cutoff = today if counted_until is None else min(today, counted_until)
    days: dict[int, date] = {}
    done_by_week: dict[int, list[DoneLike]] = {}
    for d in sorted(done, key=lambda d: (d.started_at, d.id)):
        day = local_day(d.started_at, tz)
        index = (day - starts_on).days // 7
        if 0 <= index < weeks:
            days[id(d)] = day
            done_by_week.setdefault(index, []).append(d)
    planned_by_week: dict[int, list[PlannedLike]] = {}
    for p in sorted(planned, key=lambda p: p.on):
        index = (p.on - starts_on).days // 7
        if 0 <= index < weeks:
            planned_by_week.setdefault(index, []).append(p)
    off_by_week: dict[int, set[date]] = {}
    for day in set(unavailable):
        off_by_week.setdefault((day - starts_on).days // 7, set()).add(day)
    result = []
    for n in range(weeks):
        first = starts_on + timedelta(days=7 * n)
        week = Week(n + 1, first)
        week.planned = planned_by_week.get(n, [])
        week.done = done_by_week.get(n, [])
        week.unavailable = off_by_week.get(n, set())
        if week.planned and week.done:
            week.matches = match(week.planned, week.done, tz, week.unavailable, days)
        if first <= cutoff:
            week.ratio, week.counted = compliance(
                week.planned, week.matches, unavailable=week.unavailable, until=cutoff
            )
        result.append(week)
    return result


def missed_in_a_row(week_list: Sequence[Week], today: date, count: int = 2) -> bool:
    """The last ``count`` planned sessions before today (unavailable days left out) were all
    missed."""
    past = [
        (p.on, p.id in w.matches)
        for w in week_list
        for p in w.planned
        if p.on < today and p.on not in w.unavailable
    ]
    past.sort(key=lambda row: row[0])
    tail = past[-count:]
    return len(tail) == count and not any(done for _, done in tail)


def low_weeks(week_list: Sequence[Week], today: date, under: float = 0.5, count: int = 2) -> bool:
    """The last ``count`` finished weeks each under ``under`` compliance."""
    finished = [w for w in week_list if w.last < today and w.ratio is not None]
    tail = finished[-count:]
    return len(tail) == count and all(w.ratio is not None and w.ratio < under for w in tail)


@dataclass
class DayRow:
    day: date
    planned: list[tuple[PlannedLike, DoneLike | None]]
    extra: list[DoneLike]
    unavailable: object | None  # the reason, when the day was marked unavailable
    more: int = 0  # sessions that day not read (a page lists the first few)


def day_rows(week: Week, tz: tzinfo) -> list[DayRow]:
    """The week day by day, for the page: each planned session with what matched it, the
    sessions nobody planned, and how many more were done than were read (``day_totals``)."""
    extra = week.extra
    read: dict[date, int] = {}
    for d in week.done:
        day = local_day(d.started_at, tz)
        read[day] = read.get(day, 0) + 1
    rows = []
    for day in week.days:
        rows.append(
            DayRow(
                day,
                [(p, week.matches.get(p.id)) for p in week.planned if p.on == day],
                [d for d in extra if local_day(d.started_at, tz) == day],
                week.reasons.get(day) if day in week.unavailable else None,
                max(0, week.day_totals.get(day, 0) - read.get(day, 0)),
            )
        )
    return rows
