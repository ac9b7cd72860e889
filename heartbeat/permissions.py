"""Who may do what to which object, in one place.

Views load objects through centre-scoped queries (another centre's object is simply not found:
404) and then ask ``require(action, obj)`` here (a forbidden action: 403). Rules are plain
predicates of (user, object) so tests can call them without a request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre

Rule = Callable[[User, Any], bool]


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
    return _is_admin_of(user, target) and target.id != user.id


def _may_invite_role(user: User, invite_role: Any) -> bool:
    if user.role == Role.ADMIN:
        return invite_role in (Role.ADMIN, Role.THERAPIST, Role.PARTICIPANT)
    if user.role == Role.THERAPIST:
        return invite_role == Role.PARTICIPANT
    return False


POLICY: dict[str, Rule] = {
    "centre.view_dashboard": _is_staff_of,
    "centre.edit_settings": _is_admin_of,
    "staff.list": _is_admin_of,
    "staff.invite": lambda user, centre: _is_admin_of(user, centre),
    "invite.role": _may_invite_role,
    "invite.revoke": _is_admin_of,
    "user.deactivate": _admin_may_change_user,
    "user.reactivate": _admin_may_change_user,
    "user.unlock": _admin_may_change_user,
    "centre.create": _is_operator,
    "centre.list_all": _is_operator,
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
        abort(404)
    if not can(current_user, action, obj):
        abort(403)


def roles_required(*roles: Role) -> Callable:
    """Coarse gate on a view: signed in, and holding one of ``roles``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from heartbeat.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
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
            abort(403)
        return view(*args, **kwargs)

    return wrapped
