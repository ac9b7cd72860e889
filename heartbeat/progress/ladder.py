"""The default Heartbeat Miles ladder and clubs as plain data.

No database: a centre's ladder lives in the database, seeded from ``DEFAULT_LADDER``.
Distances are metres and durations seconds everywhere (``heartbeat.core.units`` shows them).

A stage's title and description are marked for translation (lazy: read as text, they are English
unless something speaks another language): a new centre is seeded with them in its own language
(``centre.language``, see ``progress.hooks``). Codes never change, and ``skills`` name the
checklist's items by their English labels, which are keys here, whatever language the centre's
checklist is written in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from heartbeat.core.i18n import _l
from heartbeat.core.units import METRES_PER_MILE
from heartbeat.measures.instruments import SKILLS, english_items

CriterionKind = Literal["signoff", "distance", "race"]

CRITERION_KINDS: tuple[str, ...] = ("signoff", "distance", "race")

HALF_MARATHON_M = 21097.5
MARATHON_M = 42195.0


@dataclass(frozen=True, slots=True)
class StageSpec:
    """One rung of a ladder: how it reads and what reaches it.

    ``distance``: one continuous counting push (training or race) of at least ``threshold_m``,
    within ``max_duration_s`` when set. ``race``: the same, but only a race counts. ``signoff``:
    a therapist's sign-off; no threshold. ``skills``: items of the wheelchair skills checklist
    (``measures.instruments.SKILLS``, by label) a sign-off stage asks for; its sign-off page shows
    each one's latest result and the certificate's criteria name them.
    """

    code: str
    title: str
    # Reads after the participant's name, in the past tense: "<Name> <description>." (see
    # ``progress.sentences``, whose rule every default description keeps). Its translations read
    # the same way: "Ada Lovelace completó un impulso continuo de 5 km", "Ada Lovelace a réalisé
    # une poussée continue de 5 km": past tense, a small first letter, no full stop.
    description: str
    kind: CriterionKind
    threshold_m: float | None = None
    max_duration_s: int | None = None
    skills: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in CRITERION_KINDS:
            raise ValueError(f"unknown criterion kind {self.kind!r}")
        if self.skills and self.kind != "signoff":
            raise ValueError(f"only a sign-off stage requires skills, not {self.code!r}")
        if unknown := set(self.skills) - set(english_items(SKILLS)):
            raise ValueError(f"stage {self.code!r}: no such skill {sorted(unknown)!r}")
        if self.kind == "signoff":
            if self.threshold_m is not None or self.max_duration_s is not None:
                raise ValueError(f"sign-off stage {self.code!r} takes no distance or time")
        elif self.threshold_m is None or self.threshold_m <= 0:
            raise ValueError(f"{self.kind} stage {self.code!r} needs a positive threshold_m")
        if self.max_duration_s is not None and self.max_duration_s <= 0:
            raise ValueError(f"stage {self.code!r}: max_duration_s must be positive")


# The sign-off stage that records a fact kept elsewhere too: a racing chair fitted (the
# participant's ``EquipmentFitting``). Signing it off offers to record the fitting, and the chair
# panel says when it was signed off without one (issue 14 item 5). A centre's own "Chair fitted"
# stage made after retiring the default gets a code from its title ("chair-fitted-2"), so any
# code starting with this one counts.
CHAIR_FITTED_CODE = "chair-fitted"


def records_chair_fitting(code: str) -> bool:
    return code == CHAIR_FITTED_CODE or code.startswith(f"{CHAIR_FITTED_CODE}-")


# Positions are 1-based in this order (``enumerate(DEFAULT_LADDER, start=1)``).
DEFAULT_LADDER: tuple[StageSpec, ...] = (
    StageSpec(
        code=CHAIR_FITTED_CODE,
        title=_l("Chair fitted"),
        description=_l("had a racing chair fitted and transferred in and out of it safely"),
        kind="signoff",
        skills=("Transfer into and out of the racing chair",),
    ),
    StageSpec(
        code="first-push",
        title=_l("First push"),
        description=_l("pushed 100 m unassisted and continuously"),
        kind="distance",
        threshold_m=100.0,
    ),
    StageSpec(
        code="steer-and-stop",
        title=_l("Steer and stop"),
        description=_l("steered with the compensator, cornered and braked safely on the track"),
        kind="signoff",
        # Turning and braking: the everyday-chair skills the racing ones build on.
        skills=(
            "Turn in place (both ways)",
            "Turn while moving forward",
            "Stop and hold on a slope with the brakes",
        ),
    ),
    StageSpec(
        code="one-lap",
        title=_l("One lap"),
        description=_l("completed a continuous 400 m push"),
        kind="distance",
        threshold_m=400.0,
    ),
    StageSpec(
        code="one-mile",
        title=_l("One mile"),
        description=_l("completed a continuous one-mile (1,609 m) push"),
        kind="distance",
        threshold_m=METRES_PER_MILE,
    ),
    StageSpec(
        code="5k",
        title=_l("5K"),
        description=_l("completed a continuous 5 km push"),
        kind="distance",
        threshold_m=5000.0,
    ),
    StageSpec(
        code="10k",
        title=_l("10K"),
        description=_l("completed a continuous 10 km push"),
        kind="distance",
        threshold_m=10000.0,
    ),
    StageSpec(
        code="half-marathon",
        title=_l("Half marathon"),
        description=_l("completed a continuous half-marathon (21.1 km) push"),
        kind="distance",
        threshold_m=HALF_MARATHON_M,
    ),
    StageSpec(
        code="marathon",
        title=_l("Marathon"),
        description=_l("finished a marathon (42.195 km) in a race or one continuous session"),
        kind="distance",  # races count for distance stages too
        threshold_m=MARATHON_M,
    ),
)

# Heartbeat Miles clubs: cumulative distance across all sessions, and marathon finishes.
DISTANCE_CLUBS_MILES: tuple[int, ...] = (10, 50, 100, 250, 500, 1000)
MARATHON_FINISH_CLUBS: tuple[int, ...] = (1, 5, 10, 25, 50)


def distance_club_code(miles: int) -> str:
    """``100`` -> ``"miles-100"``: the award key of a cumulative-distance club."""
    return f"miles-{miles}"


def marathon_club_code(finishes: int) -> str:
    """``5`` -> ``"marathons-5"``: the award key of a marathon-finishes club."""
    return f"marathons-{finishes}"


@dataclass(frozen=True, slots=True)
class ClubSpec:
    code: str
    title: str
    description: str
    kind: Literal["distance", "marathons"]
    threshold: int  # miles for a distance club, finishes for a marathon club


DEFAULT_CLUBS: tuple[ClubSpec, ...] = (
    *(
        ClubSpec(
            code=distance_club_code(miles),
            title=f"{miles:,}-mile club",
            description=(
                f"covered {miles:,} miles ({miles * METRES_PER_MILE / 1000:,.0f} km) in training"
                " and races"
            ),
            kind="distance",
            threshold=miles,
        )
        for miles in DISTANCE_CLUBS_MILES
    ),
    *(
        ClubSpec(
            code=marathon_club_code(n),
            title="Marathon finisher" if n == 1 else f"{n} marathons",
            description="finished a marathon" if n == 1 else f"finished {n} marathons",
            kind="marathons",
            threshold=n,
        )
        for n in MARATHON_FINISH_CLUBS
    ),
)
