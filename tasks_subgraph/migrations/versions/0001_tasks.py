"""Tasks, task photos, the memberships read model, and the kit's event tables.

Revision ID: 0001_tasks
Revises:
"""

import sqlalchemy as sa
from alembic import op

from subgraph_kit.events import create_event_tables, drop_event_tables

revision = "0001_tasks"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("group_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("assignee_id", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_tasks_group_created", "tasks", ["group_id", "created_at", "id"])
    op.create_index("ix_tasks_assignee", "tasks", ["assignee_id", "group_id"])
    op.create_table(
        "task_photos",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "task_id", sa.String(32), sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("public_id", sa.String(255), nullable=False, unique=True),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("caption", sa.String(500), nullable=True),
        sa.Column("uploaded_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_task_photos_task", "task_photos", ["task_id", "created_at"])
    op.create_table(
        "memberships",
        sa.Column("group_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(10), nullable=False),
    )
    op.create_index("ix_memberships_user", "memberships", ["user_id"])
    create_event_tables(op)


def downgrade() -> None:
    drop_event_tables(op)
    op.drop_index("ix_memberships_user", "memberships")
    op.drop_table("memberships")
    op.drop_index("ix_task_photos_task", "task_photos")
    op.drop_table("task_photos")
    op.drop_index("ix_tasks_assignee", "tasks")
    op.drop_index("ix_tasks_group_created", "tasks")
    op.drop_table("tasks")
