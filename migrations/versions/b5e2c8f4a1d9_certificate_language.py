"""Certificates: the language each one's own words were printed in (English before).

Revision ID: b5e2c8f4a1d9
Revises: a7d3e9f1c2b4
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "b5e2c8f4a1d9"
down_revision = "a7d3e9f1c2b4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificate") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )


def downgrade():
    with op.batch_alter_table("certificate") as batch_op:
        batch_op.drop_column("language")
