"""The measures every centre starts with. Item labels are short names of the activities and
skills written for Heartbeat Miles: the instruments' own questionnaire wording and instructions
are not reproduced (docs/clinical.md says why and where to find them).

The skills checklist (our own short names) is marked for translation: a new centre gets it in its
own language (``measures.hooks``), as the text of its stored items. The WUSPI is not: it is a
validated instrument, and only a validated translation of it may be used, so every centre gets
it in English until one is added here."""

from __future__ import annotations

from dataclasses import dataclass

from heartbeat.core.i18n import DEFAULT_LANGUAGE, _l, speaking
from heartbeat.measures.scoring import Scoring

WUSPI_CODE = "wuspi"
SKILLS_CODE = "wheelchair-skills"


@dataclass(frozen=True)
class Instrument:
    code: str
    title: str
    instructions: str
    completed_by: str  # "participant" or "staff"
    scale: str
    scoring: Scoring
    allow_not_done: bool
    not_done_label: str
    higher_is_worse: bool
    smallest_real_change: float | None
    due_after_days: int | None
    overdue_after_days: int | None
    items: tuple[str, ...]
    source: str


# English only, on purpose: a validated instrument may only be used in a validated translation
# (none is added yet), so its title, instructions and items are never marked for translation.
WUSPI = Instrument(
    code=WUSPI_CODE,
    title="Wheelchair User's Shoulder Pain Index (WUSPI)",
    instructions=(
        "For each activity, how much shoulder pain did it cause in the past week? 0 is no pain,"
        " 10 the worst pain you can imagine. If you did not do it this week, choose"
        " \u201cDid not do this\u201d."
    ),
    completed_by="participant",
    scale="0-10",
    scoring=Scoring.SUM,
    allow_not_done=True,
    not_done_label="Did not do this",
    higher_is_worse=True,
    smallest_real_change=5.1,
    due_after_days=28,
    overdue_after_days=42,
    items=(
        "Transfer from bed to wheelchair",
        "Transfer from wheelchair to car",
        "Transfer into the bath or shower",
        "Lift your wheelchair into a car",
        "Push your chair for 10 minutes or more",
        "Push up ramps or slopes outdoors",
        "Lift things down from a high shelf",
        "Put on trousers",
        "Put on a T-shirt or pullover",
        "Put on a shirt that buttons",
        "Wash your back",
        "Your usual day at work or school",
        "Drive",
        "Housework",
        "Sleep",
    ),
    source="Curtis KA et al., Arch Phys Med Rehabil 1995; smallest real change: SCIRE Project.",
)

SKILLS = Instrument(
    code=SKILLS_CODE,
    title=_l("Wheelchair skills checklist"),
    instructions=_l(
        "Skills from the Wheelchair Skills Test that matter for racing and daily life, scored by"
        " staff as they watch: pass, partial (with help or not to the standard) or fail."
        " \u201cNot tested\u201d leaves a skill out of the score."
    ),
    completed_by="staff",
    scale="ppf",
    scoring=Scoring.PERCENT,
    allow_not_done=True,
    not_done_label=_l("Not tested"),
    higher_is_worse=False,
    smallest_real_change=None,
    due_after_days=84,
    overdue_after_days=112,
    items=(
        _l("Roll forward 10 m"),
        _l("Roll forward 100 m"),
        _l("Roll backward 2 m"),
        _l("Turn in place (both ways)"),
        _l("Turn while moving forward"),
        _l("Stop and hold on a slope with the brakes"),
        _l("Go up a gentle incline"),
        _l("Go down a gentle incline"),
        _l("Go up a steep incline"),
        _l("Go down a steep incline"),
        _l("Get over a threshold"),
        _l("Go up a low kerb"),
        _l("Go down a low kerb"),
        _l("Transfer between chair and bench (level)"),
        _l("Transfer into and out of the racing chair"),
        _l("Pick an object up from the floor"),
    ),
    source="Wheelchair Skills Program (Dalhousie University), Wheelchair Skills Test skill set.",
)

BUILT_IN = (WUSPI, SKILLS)


def english_items(instrument: Instrument) -> tuple[str, ...]:
    """The items' English labels, whatever language is spoken: the keys code names them by
    (``progress.ladder``'s skills), in the instrument's order."""
    with speaking(DEFAULT_LANGUAGE):
        return tuple(str(item) for item in instrument.items)
