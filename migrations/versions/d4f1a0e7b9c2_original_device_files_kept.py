"""original device files kept

Revision ID: d4f1a0e7b9c2
Revises: e4b7c1d9a2f6
Create Date: 2026-12-02 08:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f1a0e7b9c2'
down_revision = 'e4b7c1d9a2f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('stored_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('activity_file', schema=None) as batch_op:
        batch_op.drop_column('stored_sha256')
        batch_op.drop_column('stored_key')
