"""Certificates that expire: a ladder stage's validity period, a certificate's valid-until

Revision ID: b6d3e8f2a914
Revises: 3b9d1f6a2c84
Create Date: 2026-12-02 09:00:00

Issue 16 item 4 (a second file for that issue: its first, e4b7c1d9a2f6, was already merged and
built upon when this was added).
"""
from alembic import op
import sqlalchemy as sa


revision = 'b6d3e8f2a914'
down_revision = '3b9d1f6a2c84'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ladder_stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_for_months', sa.Integer(), nullable=True))

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('valid_until')

    with op.batch_alter_table('ladder_stage', schema=None) as batch_op:
        batch_op.drop_column('valid_for_months')
