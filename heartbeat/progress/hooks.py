"""What progress adds to the packages below it: panels, the default ladder, awards that follow
the sessions."""

from __future__ import annotations

from heartbeat.centres.models import Centre
from heartbeat.centres.services import centre_created
from heartbeat.core.events import connect
from heartbeat.progress import panels
from heartbeat.progress.services import evaluate_awards, ladder, seed_default_ladder
from heartbeat.training.services import sessions_changed


def _seed_ladder(centre: Centre, **_: object) -> None:
    seed_default_ladder(centre.id)


def _evaluate_awards(centre_id: int, *, participants, actor, now, progress=None, **_) -> None:
    stages = ladder(centre_id)
    for done, participant in enumerate(participants, start=1):
        evaluate_awards(participant, actor=actor, now=now, stages=stages)
        if progress is not None:
            progress(done, len(participants), "participants re-evaluated")


def register() -> None:
    panels.register()
    connect(centre_created, _seed_ladder)
    connect(sessions_changed, _evaluate_awards)
