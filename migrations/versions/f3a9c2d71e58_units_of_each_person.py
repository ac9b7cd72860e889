"""Each person may choose kilometres or miles (empty: their centre's default).

Revision ID: f3a9c2d71e58
Revises: 9c1e4d7a2b35
Create Date: 2026-12-02 12:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c2d71e58'
down_revision = '9c1e4d7a2b35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'units',
                sa.Enum('km', 'mi', name='units', native_enum=False, length=8),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('units')
