"""Languages: each centre's default language and each person's own choice.

Revision ID: a7d3e9f1c2b4
Revises: f2a6c8e4b1d7
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "a7d3e9f1c2b4"
down_revision = "f2a6c8e4b1d7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("centre") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("centre") as batch_op:
        batch_op.drop_column("language")
