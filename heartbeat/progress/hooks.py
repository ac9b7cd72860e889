"""What progress adds to the packages below it: panels, the default ladder, where people stand
on it, and awards that follow the sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from heartbeat.centres.models import Centre
from heartbeat.centres.services import centre_created
from heartbeat.core.events import connect
from heartbeat.core.i18n import _l, speaking
from heartbeat.extensions import db
from heartbeat.participants import stages as participant_stages
from heartbeat.participants.sections import Section, register_portal_section, register_section
from heartbeat.progress import (
    attention,
    auditing,
    notes,
    overview,
    panels,
    rules,
    shoulder_load,
)
from heartbeat.progress.ladder import CHAIR_FITTED_CODE
from heartbeat.progress.models import Award, CriterionKind, LadderStage
from heartbeat.progress.services import evaluate_awards, ladder, seed_default_ladder, stage_rules
from heartbeat.progress.services.verification import award_verified
from heartbeat.training.services import sessions_changed


def _seed_ladder(centre: Centre, **_: object) -> None:
    # In the centre's language, not that of whoever creates it.
    with speaking(centre.language):
        seed_default_ladder(centre.id)


def _evaluate_awards(centre_id: int, *, participants, actor, now, progress=None, **_) -> None:
    stages = ladder(centre_id)
    for done, participant in enumerate(participants, start=1):
        evaluate_awards(participant, actor=actor, now=now, stages=stages)
        if progress is not None:
            progress(done, len(participants), "participants re-evaluated")


class LadderStages:
    """The centre's ladder as the participants feature sees it (``participants.stages``)."""

    def stages(self, centre_id: int) -> list[participant_stages.Stage]:
        return [
            participant_stages.Stage(stage.id, stage.title, stage.position, stage.retired)
            for stage in ladder(centre_id)
        ]

    def position(
        self, stage_id: sa.ColumnExpressionArgument[int | None]
    ) -> sa.ColumnElement[int | None]:
        return sa.select(LadderStage.position).where(LadderStage.id == stage_id).scalar_subquery()

    def first_stage_id(self, centre_id: int) -> int | None:
        # By the milestone engine's own rule: the lowest active stage nobody has passed.
        current = rules.current_stage(stage_rules(ladder(centre_id)), set())
        return current.id if current is not None else None

    def chair_signed_off(self, participant_id: int) -> datetime | None:
        return db.session.scalar(
            sa.select(Award.achieved_at)
            .join(LadderStage, LadderStage.id == Award.stage_id)
            .where(
                Award.participant_id == participant_id,
                LadderStage.kind == CriterionKind.SIGNOFF,
                sa.or_(
                    LadderStage.code == CHAIR_FITTED_CODE,
                    LadderStage.code.startswith(f"{CHAIR_FITTED_CODE}-"),
                ),
            )
            .order_by(Award.achieved_at)
            .limit(1)
        )


def register() -> None:
    auditing.register()
    participant_stages.provide(LadderStages())
    attention.register()
    shoulder_load.register()
    panels.register()
    register_section(Section("progress", _l("Progress"), "progress.participant_progress", 30))
    register_portal_section(Section("progress", _l("My progress"), "progress.my_progress", 20))
    connect(centre_created, _seed_ladder)
    connect(sessions_changed, _evaluate_awards)
    if not sa.event.contains(sa.orm.Session, "before_flush", overview.renew_on_flush):
        sa.event.listen(sa.orm.Session, "before_flush", overview.renew_on_flush)
    connect(award_verified, notes.note_milestone)
