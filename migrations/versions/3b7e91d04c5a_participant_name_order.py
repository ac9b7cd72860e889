"""participant name order: given name first or family name first

Revision ID: 3b7e91d04c5a
Revises: e41a7c9b2d06
Create Date: 2026-12-02 08:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e91d04c5a'
down_revision = 'e41a7c9b2d06'
branch_labels = None
depends_on = None


def upgrade():
    # Everyone recorded so far keeps the order the app has always printed: given name first.
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'name_order',
                sa.Enum('given_first', 'family_first', name='nameorder', native_enum=False, length=16),
                server_default='given_first',
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('name_order')
