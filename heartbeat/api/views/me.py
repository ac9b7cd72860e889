"""Who the token is."""

from __future__ import annotations

from flask_login import current_user

from heartbeat.api.auth import current_token
from heartbeat.api.blueprint import bp
from heartbeat.api.schemas.me import MeSchema
from heartbeat.api.views.common import own_participant


@bp.route("/me", tags=["Account"])
@bp.doc(operationId="getMe")
@bp.response(200, MeSchema)
def get_me():
    """The token's user and the token

    A participant's own record id is here, for their other requests.
    """
    own = own_participant()
    return {
        "id": current_user.id,
        "name": current_user.name,
        "email": current_user.email,
        "role": current_user.role.value,
        "centre": current_user.centre,
        "participant_id": own.id if own is not None else None,
        "token": current_token(),
    }
