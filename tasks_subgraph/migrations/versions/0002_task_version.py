"""A version column on tasks for optimistic locking.

Revision ID: 0002_task_version
Revises: 0001_tasks
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_task_version"
down_revision = "0001_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("version")
