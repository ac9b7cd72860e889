"""How quickly red flags are acknowledged: for the centre dashboard (one aggregate query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

import sqlalchemy as sa

from heartbeat.core.i18n import _
from heartbeat.core.wording import plural
from heartbeat.extensions import db
from heartbeat.safety.models import RedFlag

FLAG_WINDOW_DAYS = 90  # the dashboard's period


@dataclass(frozen=True)
class AcknowledgementTimes:
    raised: int  # flags raised in the period
    open: int  # of those, not yet acknowledged
    acknowledged: int
    median_minutes: float | None  # raise to acknowledgement, of those acknowledged
    longest_minutes: float | None
    oldest_open_at: datetime | None  # the longest-waiting open flag (any period)


def acknowledgement_times(centre_id: int, since: datetime, until: datetime) -> AcknowledgementTimes:
    """Flags raised in [since, until): how many, and the minutes each waited to be acknowledged.

    At most a few hundred flags a month in a centre, so the pairs are read and the median taken
    here (the same in SQLite and PostgreSQL); one more small query finds the oldest open flag.
    """
    rows = db.session.execute(
        sa.select(RedFlag.raised_at, RedFlag.acknowledged_at).where(
            RedFlag.centre_id == centre_id, RedFlag.raised_at >= since, RedFlag.raised_at < until
        )
    ).all()
    waits = [
        (row.acknowledged_at - row.raised_at).total_seconds() / 60
        for row in rows
        if row.acknowledged_at is not None
    ]
    oldest = db.session.scalar(
        sa.select(sa.func.min(RedFlag.raised_at)).where(
            RedFlag.centre_id == centre_id, RedFlag.acknowledged_at.is_(None)
        )
    )
    return AcknowledgementTimes(
        raised=len(rows),
        open=len(rows) - len(waits),
        acknowledged=len(waits),
        median_minutes=median(waits) if waits else None,
        longest_minutes=max(waits) if waits else None,
        oldest_open_at=oldest,
    )


def wait_text(minutes: float | None) -> str:
    """ "12 minutes", "3 h 20 min", "2 days 4 h"."""
    if minutes is None:
        return _("none yet")
    total = round(minutes)
    if total < 60:
        return plural(total, "minute", "minutes")
    hours, mins = divmod(total, 60)
    if hours < 24:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hours = divmod(hours, 24)
    day_text = plural(days, "day", "days")
    return f"{day_text} {hours} h" if hours else day_text
