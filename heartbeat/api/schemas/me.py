from __future__ import annotations

import marshmallow as ma


class CentreSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True)
    units = ma.fields.Function(lambda centre: centre.units.value, required=True)


class TokenSchema(ma.Schema):
    name = ma.fields.String(required=True)
    prefix = ma.fields.String(required=True)
    scope = ma.fields.Function(lambda token: token.scope.value, required=True)
    expires_at = ma.fields.DateTime(required=True)


class MeSchema(ma.Schema):
    """The token's user, and the token."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    centre = ma.fields.Nested(CentreSchema, required=True, allow_none=True)
    participant_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "For a participant: their own record."},
    )
    token = ma.fields.Nested(TokenSchema, required=True)
