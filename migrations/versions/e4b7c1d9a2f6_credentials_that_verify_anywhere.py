"""Credentials that verify anywhere: rotated signing keys and status list bits

Revision ID: e4b7c1d9a2f6
Revises: c8d2e5f1a7b3
Create Date: 2026-12-02 08:50:00

A centre may now hold several signing keys (the current one has ``retired_at`` NULL; rotated-out
ones stay published so what they signed keeps verifying), and each certificate has a random bit
in its centre's Bitstring Status List.
"""
from alembic import op
import sqlalchemy as sa


revision = 'e4b7c1d9a2f6'
down_revision = 'c8d2e5f1a7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate_signing_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint('uq_certificate_signing_key_centre_id', type_='unique')
        batch_op.create_index(
            'ix_certificate_signing_key_centre_retired', ['centre_id', 'retired_at'], unique=False
        )

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_certificate_centre_id'), ['centre_id', 'status_index']
        )


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificate_centre_id'), type_='unique')
        batch_op.drop_column('status_index')

    with op.batch_alter_table('certificate_signing_key', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_signing_key_centre_retired')
        batch_op.create_unique_constraint('uq_certificate_signing_key_centre_id', ['centre_id'])
        batch_op.drop_column('retired_at')
