"""device sessions: sign-out ends one browser's session, "sign out everywhere" all of them

Revision ID: 3b9d1f6a2c84
Revises: 3b7e91d04c5a
Create Date: 2026-12-02 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "3b9d1f6a2c84"
down_revision = "3b7e91d04c5a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "device_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_device_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_session")),
        sa.UniqueConstraint("nonce_hash", name=op.f("uq_device_session_nonce_hash")),
    )
    with op.batch_alter_table("device_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_session_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("device_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_session_user_id"))

    op.drop_table("device_session")
