"""Planned squad sessions: one-off squad sessions planned ahead, for the calendar feeds
(issue 17); the session kind "skills" needs no change (kinds are stored as text, unchecked)

Revision ID: f2a6c8e4b1d7
Revises: f3a8c2d17e54
Create Date: 2026-12-02 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a6c8e4b1d7'
down_revision = 'f3a8c2d17e54'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('planned_squad_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('squad_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('track', 'road', 'roller', 'handcycle', 'skills', 'strength', 'race', name='sessionkind', native_enum=False, length=16), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('planned_by_id', sa.Integer(), nullable=True),
    sa.Column('squad_session_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_planned_squad_session_centre_id_centre'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['planned_by_id'], ['user_account.id'], name=op.f('fk_planned_squad_session_planned_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['squad_id'], ['squad.id'], name=op.f('fk_planned_squad_session_squad_id_squad'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['squad_session_id'], ['squad_session.id'], name=op.f('fk_planned_squad_session_squad_session_id_squad_session'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_squad_session'))
    )
    with op.batch_alter_table('planned_squad_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planned_squad_session_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index('ix_planned_squad_session_centre_starts', ['centre_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_squad_session_squad_id'), ['squad_id'], unique=False)


def downgrade():
    with op.batch_alter_table('planned_squad_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planned_squad_session_squad_id'))
        batch_op.drop_index('ix_planned_squad_session_centre_starts')
        batch_op.drop_index(batch_op.f('ix_planned_squad_session_centre_id'))

    op.drop_table('planned_squad_session')
