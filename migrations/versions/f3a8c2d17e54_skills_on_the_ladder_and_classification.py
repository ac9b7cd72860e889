"""Skills tied to the ladder (the skills checklist items a sign-off stage requires) and the
classification pathway (the statuses FRD, CNC and NE, and the Medical Diagnostics Form
checklist). Existing rows stay valid: every stored status (N, R, C) is still one, and the
checklist starts empty. Existing centres' ladders require no skills until an admin chooses them;
new centres' default ladders come with them.

Revision ID: f3a8c2d17e54
Revises: f3a9c2d71e58
Create Date: 2026-12-02 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a8c2d17e54'
down_revision = 'f3a9c2d71e58'
branch_labels = None
depends_on = None

STATUSES = ('N', 'R', 'FRD', 'C', 'CNC', 'NE')
OLD_STATUSES = ('N', 'R', 'C')


def _status(values, length):
    return sa.Enum(*values, name='classificationstatus', native_enum=False, length=length)


def _widen_status_on_sqlite(old: str, new: str) -> None:
    """Change the column's declared length in place. SQLite never enforces a VARCHAR's length
    and stores the text alike, so only the declaration changes: rewriting it (the procedure of
    sqlite.org/lang_altertable.html for changes that leave the stored content as it is) avoids
    copying the participant table, whose DROP would cascade to every table referencing it while
    foreign keys are on."""
    conn = op.get_bind()
    before = f'classification_status VARCHAR({old})'
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'participant'"
    ).scalar()
    if before not in sql:
        raise RuntimeError(f'participant: no "{before}" to change in {sql!r}')
    version = conn.exec_driver_sql('PRAGMA schema_version').scalar()
    conn.exec_driver_sql('PRAGMA writable_schema = ON')
    conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'participant'",
        (sql.replace(before, f'classification_status VARCHAR({new})'),),
    )
    conn.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    conn.exec_driver_sql('PRAGMA writable_schema = OFF')
    problems = conn.exec_driver_sql('PRAGMA quick_check').scalars().all()
    if problems != ['ok']:
        raise RuntimeError(f'the database is not sound after the change: {problems}')


def upgrade():
    op.create_table('ladder_stage_skill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_ladder_stage_skill_centre_id_centre'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['measure_item.id'], name=op.f('fk_ladder_stage_skill_item_id_measure_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['ladder_stage.id'], name=op.f('fk_ladder_stage_skill_stage_id_ladder_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ladder_stage_skill')),
    sa.UniqueConstraint('stage_id', 'item_id', name=op.f('uq_ladder_stage_skill_stage_id'))
    )
    with op.batch_alter_table('ladder_stage_skill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ladder_stage_skill_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ladder_stage_skill_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('classification_checklist', sa.JSON(), nullable=True))

    if op.get_bind().dialect.name == 'sqlite':
        _widen_status_on_sqlite('1', '8')
    else:
        with op.batch_alter_table('participant', schema=None) as batch_op:
            batch_op.alter_column(
                'classification_status',
                existing_type=_status(OLD_STATUSES, 1),
                type_=_status(STATUSES, 8),
                existing_nullable=False,
            )


def downgrade():
    # The new statuses do not fit the old column: they become R (to be re-assessed), which
    # keeps each person in front of a classification panel.
    op.execute(
        "UPDATE participant SET classification_status = 'R'"
        " WHERE classification_status IN ('FRD', 'CNC', 'NE')"
    )
    if op.get_bind().dialect.name == 'sqlite':
        _widen_status_on_sqlite('8', '1')
    else:
        with op.batch_alter_table('participant', schema=None) as batch_op:
            batch_op.alter_column(
                'classification_status',
                existing_type=_status(STATUSES, 8),
                type_=_status(OLD_STATUSES, 1),
                existing_nullable=False,
            )

    # Not in batch mode: SQLite (3.35 and later) drops a column in place, without copying.
    op.drop_column('participant', 'classification_checklist')

    with op.batch_alter_table('ladder_stage_skill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ladder_stage_skill_item_id'))
        batch_op.drop_index(batch_op.f('ix_ladder_stage_skill_centre_id'))

    op.drop_table('ladder_stage_skill')
