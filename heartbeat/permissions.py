"""Who may do what to which object, in one place.

Views load objects through centre-scoped queries (another centre's object is simply not found:
404) and then ask ``require(action, obj)`` here (a forbidden action: 403). Rules are plain
predicates of (user, object) so tests can call them without a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import abort
from flask_login import current_user

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre

Rule = Callable[[User, Any], bool]
security_log = logging.getLogger("heartbeat.security")


def centre_id_of(obj: Any) -> int | None:
    return obj.id if isinstance(obj, Centre) else getattr(obj, "centre_id", None)


def _same_centre(user: User, obj: Any) -> bool:
    return user.centre_id is not None and centre_id_of(obj) == user.centre_id


def _is_admin_of(user: User, obj: Any) -> bool:
    return user.role == Role.ADMIN and _same_centre(user, obj)


def _is_staff_of(user: User, obj: Any) -> bool:
    return user.role in (Role.THERAPIST, Role.ADMIN) and _same_centre(user, obj)


def _is_operator(user: User, obj: Any) -> bool:
    return user.is_operator


def _admin_may_change_user(user: User, target: Any) -> bool:
    # An admin manages the accounts of their own centre, but never locks themselves out.
    # Only an account is a user to change: another model's id may equal the admin's own.
    return isinstance(target, User) and _is_admin_of(user, target) and target.id != user.id


def _may_view_participant(user: User, participant: Any) -> bool:
    # Staff of the centre, or the participant's own portal login.
    if _is_staff_of(user, participant):
        return True
    return (
        user.role == Role.PARTICIPANT
        and _same_centre(user, participant)
        and getattr(participant, "user_id", None) == user.id
    )


def _is_own_participant_record(user: User, obj: Any) -> bool:
    """A participant login looking at a row of their own record (``obj.participant_id``)."""
    owner = getattr(obj, "participant_user_id", None)
    return user.role == Role.PARTICIPANT and _same_centre(user, obj) and owner == user.id


def _may_view_participant_row(user: User, obj: Any) -> bool:
    # Staff of the centre; or the participant whose row it is. Rows that carry
    # ``participant_id`` expose ``participant_user_id`` (set by the loading query) for this check.
    return _is_staff_of(user, obj) or _is_own_participant_record(user, obj)


def _may_self_report(user: User, participant: Any) -> bool:
    # The participant themself, when their centre allows self-reported sessions.
    centre = getattr(user, "centre", None)
    return (
        _may_view_participant(user, participant)
        and user.role == Role.PARTICIPANT
        and bool(getattr(centre, "allow_self_report", False))
    )


def _is_own_record(user: User, participant: Any) -> bool:
    # The participant's own portal login, and nobody else (staff make subject-access exports).
    return (
        user.role == Role.PARTICIPANT
        and _same_centre(user, participant)
        and getattr(participant, "user_id", None) == user.id
    )


def _may_follow_job(user: User, job: Any) -> bool:
    # Staff of the centre, or the participant who asked for it (their own data export).
    if _is_staff_of(user, job):
        return True
    return (
        user.role == Role.PARTICIPANT
        and _same_centre(user, job)
        and getattr(job, "created_by_id", None) == user.id
    )


def _may_invite_role(user: User, invite_role: Any) -> bool:
    if user.role == Role.ADMIN:
        return invite_role in (Role.ADMIN, Role.THERAPIST, Role.PARTICIPANT)
    if user.role == Role.THERAPIST:
        return invite_role == Role.PARTICIPANT
    return False


def _may_complete_measure(user: User, response: Any) -> bool:
    # Staff complete any measure (a participant's own questionnaire on their behalf); the
    # participant only their own response to a measure they complete themselves.
    if _is_staff_of(user, response):
        return True
    measure = getattr(response, "measure", None)
    return _is_own_participant_record(user, response) and (
        getattr(measure, "completed_by", None) == "participant"
    )


def _may_start_measure(user: User, participant: Any) -> bool:
    return _is_staff_of(user, participant) or (
        user.role == Role.PARTICIPANT and _may_view_participant(user, participant)
    )


def _may_manage_invite(user: User, invite: Any) -> bool:
    # The centre's admins, whoever made it (a therapist's portal invitation), the operator.
    made_it = getattr(invite, "created_by_id", None) == user.id
    return (
        _is_admin_of(user, invite) or user.is_operator or (made_it and _is_staff_of(user, invite))
    )


def _own_account(user: User, target: Any) -> bool:
    # Signed-in people of a centre manage their own calendar feed (obj: their account).
    return isinstance(target, User) and target.id == user.id and user.centre_id is not None


POLICY: dict[str, Rule] = {
    "centre.view_dashboard": _is_staff_of,
    "centre.edit_settings": _is_admin_of,
    "staff.list": _is_admin_of,
    "staff.invite": lambda user, centre: _is_admin_of(user, centre),
    "invite.role": _may_invite_role,
    "invite.revoke": _is_admin_of,
    "invite.view": _may_manage_invite,
    "invite.renew": _may_manage_invite,
    "user.deactivate": _admin_may_change_user,
    "user.reactivate": _admin_may_change_user,
    "user.unlock": _admin_may_change_user,
    "user.reset_link": _admin_may_change_user,
    "email.view": _is_admin_of,
    "email.retry": _is_admin_of,
    "centre.create": _is_operator,
    "centre.list_all": _is_operator,
    "participant.view": _may_view_participant,
    "participant.enrol": _is_staff_of,
    "participant.edit": _is_staff_of,
    "participant.invite": _is_staff_of,
    "note.add": _is_staff_of,
    "audit.view": _is_admin_of,
    "participant.import": _is_staff_of,
    "participant.export": _is_staff_of,
    "participant.subject_access": _is_admin_of,
    "participant.erase": _is_admin_of,
    # training log; obj is the participant (log) or the session (edit, delete, verify)
    "session.log": _is_staff_of,
    "session.self_report": _may_self_report,
    "session.view": _may_view_participant_row,
    "session.edit": _is_staff_of,
    "session.delete": _is_staff_of,
    "session.verify": _is_staff_of,
    "session.import": _is_staff_of,
    # progression; obj is the award, the stage or the centre
    "award.verify": _is_staff_of,
    "award.sign_off": _is_staff_of,
    "ladder.edit": _is_admin_of,
    "dashboard.view": _is_admin_of,
    # certificates; obj is the certificate, the award or the centre
    "certificate.issue": _is_staff_of,
    "certificate.register": _is_staff_of,
    "certificate.download": _may_view_participant_row,
    "certificate.revoke": _is_admin_of,
    # renewing an expiring certificate is a new sign-off: staff, like issuing
    "certificate.renew": _is_staff_of,
    "certificate.print": _is_admin_of,
    "branding.edit": _is_admin_of,
    "job.view": _is_staff_of,
    # a job's page, progress and result: staff, and the participant who started it
    "job.follow": _may_follow_job,
    # a participant downloads their own data (obj: their participant record)
    "participant.own_export": _is_own_record,
    # training plans; obj is the template or centre (library), the participant (assign, week
    # view), the plan (adjust, pause, end), the centre (squads)
    "plan_template.view": _is_staff_of,
    "plan_template.edit": _is_admin_of,
    "plan.view": _may_view_participant,
    "plan.assign": _is_staff_of,
    "plan.edit": _is_staff_of,
    "plan.mark_unavailable": _is_staff_of,
    "squad.record": _is_staff_of,
    "squad.edit": _is_staff_of,
    "calendar_feed.manage": _own_account,
    # clinical safety; obj is the red flag, the participant (their list) or the centre
    "red_flag.view": _may_view_participant_row,
    "red_flag.list": _is_staff_of,
    "red_flag.acknowledge": _is_staff_of,
    "safety.edit_guidance": _is_admin_of,
    # outcome measures; obj is the response, the participant, the measure or the centre
    "measure.view": _may_view_participant_row,
    "measure.read": _same_centre,  # a measure's definition: anyone of its centre
    "measure.list": _is_staff_of,
    "measure.start": _may_start_measure,
    "measure.complete": _may_complete_measure,
    "measure.manage": _is_admin_of,
}


def can(user: User | None, action: str, obj: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    try:
        rule = POLICY[action]
    except KeyError:
        raise LookupError(f"no permission rule named {action!r}") from None
    return bool(rule(user, obj))


def require(action: str, obj: Any = None) -> None:
    """Abort unless the current user may do ``action`` to ``obj``.

    An object of another centre answers 404, not 403, so ids reveal nothing across centres.
    """
    owner = centre_id_of(obj) if obj is not None else None
    if owner is not None and owner != current_user.centre_id and not current_user.is_operator:
        _refused(action, obj, "other centre")
        abort(404)
    if not can(current_user, action, obj):
        _refused(action, obj, "not allowed")
        abort(403)


def hide(action: str, obj: Any) -> NoReturn:
    """Refuse as if ``obj`` did not exist (404): a participant learns nothing of anyone else's
    record, not even that it exists. The refusal is still logged."""
    _refused(action, obj, "not theirs")
    abort(404)


def _refused(action: str, obj: Any, why: str) -> None:
    # Ids and names of things only: never the object's contents (health data stays out of logs).
    security_log.warning(
        "authorisation refused",
        extra={
            "action": action,
            "reason": why,
            "user_id": getattr(current_user, "id", None),
            "object": type(obj).__name__ if obj is not None else None,
            "object_id": getattr(obj, "id", None),
        },
    )


def roles_required(*roles: Role) -> Callable:
    """Coarse gate on a view: signed in, and holding one of ``roles``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from heartbeat.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                _refused(f"role:{'/'.join(roles)}", None, "wrong role")
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]  # a note on the view function
        return wrapped

    return decorator


staff_required = roles_required(Role.THERAPIST, Role.ADMIN)
admin_required = roles_required(Role.ADMIN)


def operator_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from heartbeat.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_operator:
            _refused("operator", None, "not an operator")
            abort(403)
        return view(*args, **kwargs)

    return wrapped
