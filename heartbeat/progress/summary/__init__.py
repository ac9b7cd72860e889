"""A participant's progress as a page shows it: the ladder path, progress to the next stage,
awards, personal bests, weekly distance, streak, Heartbeat Miles, effort and charts.

It takes the stages and awards already loaded and the sessions as plain rows (one query,
``queries.session_rows``) and computes everything in Python, so a page costs the same handful of
queries whether someone has logged five sessions or five thousand. It runs no query and needs no
request: tests call it with plain values.

The modules behind it: ``shapes`` (what the templates read), ``rows`` (session facts and award
rows from stored rows), ``figures`` (progress to a stage, bests, effort) and ``build`` (the whole
summary, weekly numbers and charts).
"""

from __future__ import annotations

from heartbeat.core.units import day_text, distance_text
from heartbeat.progress.summary.build import build_summary
from heartbeat.progress.summary.rows import award_rows, criterion_text, facts_from_rows
from heartbeat.progress.summary.shapes import AwardRow, Best, NextProgress, StageStep, Summary

__all__ = [
    "AwardRow",
    "Best",
    "NextProgress",
    "StageStep",
    "Summary",
    "award_rows",
    "build_summary",
    "criterion_text",
    "day_text",
    "distance_text",
    "facts_from_rows",
]
