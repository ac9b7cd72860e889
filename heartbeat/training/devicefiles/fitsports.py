"""FIT's vocabulary: which sport a FIT file says it is, in our sports, and what other files hold.

FIT names sports by number; fitdecode's profile names most of them, but may not know the newer
wheelchair and para-sport values, so those numbers are named here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from heartbeat.training.devicefiles.activity import OTHER_SPORT, is_number
from heartbeat.training.kinds import SessionKind

# fitdecode's profile may not name the newer sport values; these are the ones we act on.
_SPORT_NUMBERS = {65: "wheelchair_push_walk", 66: "wheelchair_push_run", 68: "para_sport"}
_SUB_SPORT_NUMBERS = {
    86: "indoor_wheelchair_walk",
    87: "indoor_wheelchair_run",
    88: "indoor_hand_cycling",
}
#: What a FIT file that is not an activity holds, by its ``file_id`` type, for the message.
FIT_FILE_KINDS = {
    "settings": "device settings",
    "sport": "sport settings",
    "workout": "a planned workout",
    "schedules": "a training schedule",
    "weight": "weight-scale readings",
    "totals": "lifetime totals",
    "goals": "goals",
    "blood_pressure": "blood-pressure readings",
    "monitoring_a": "daily monitoring data",
    "monitoring_b": "daily monitoring data",
    "monitoring_daily": "daily monitoring data",
    "segment": "a segment",
    "segment_list": "a list of segments",
    "exd_configuration": "data-screen settings",
}
_WHEELCHAIR_SPORTS = {"wheelchair_push_run", "wheelchair_push_walk"}
_TRACK_SUB_SPORTS = {"track", "track_cycling"}
_HANDCYCLE_SUB_SPORTS = {"hand_cycling", "indoor_hand_cycling"}
_INDOOR_SUB_SPORTS = {
    "treadmill",
    "spin",
    "indoor_cycling",
    "indoor_running",
    "indoor_walking",
    "indoor_wheelchair_walk",
    "indoor_wheelchair_run",
    "virtual_activity",
    "trainer",
}


def fit_sport_names(
    sessions: Sequence[dict[str, Any]], sport_message: tuple[Any, Any] | None
) -> tuple[str | None, str | None]:
    """The file's sport and sub-sport names, from its sessions, else its sport message."""
    if sessions:
        # A multisport file takes the sport of its longest session.
        main = max(
            sessions,
            key=lambda s: s["total_timer_time"] if is_number(s["total_timer_time"]) else 0,
        )
        return _name(main["sport"], _SPORT_NUMBERS), _name(main["sub_sport"], _SUB_SPORT_NUMBERS)
    if sport_message:
        return (
            _name(sport_message[0], _SPORT_NUMBERS),
            _name(sport_message[1], _SUB_SPORT_NUMBERS),
        )
    return None, None


def our_sport(sport: str | None, sub_sport: str | None) -> str:
    """One of :data:`~.activity.SPORTS` for a FIT sport and sub-sport."""
    if sub_sport in _HANDCYCLE_SUB_SPORTS:
        return SessionKind.HANDCYCLE
    if sport in _WHEELCHAIR_SPORTS:
        if sub_sport in _TRACK_SUB_SPORTS:
            return SessionKind.TRACK
        if sub_sport in _INDOOR_SUB_SPORTS:
            return SessionKind.ROLLER
        return SessionKind.ROAD
    if sport == "para_sport":
        return OTHER_SPORT
    if sub_sport in _INDOOR_SUB_SPORTS:
        return SessionKind.ROLLER
    if sub_sport == "strength_training":
        return SessionKind.STRENGTH
    return OTHER_SPORT


def _name(value: Any, numbers: dict[int, str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return numbers.get(value, str(value))
    return str(value)
