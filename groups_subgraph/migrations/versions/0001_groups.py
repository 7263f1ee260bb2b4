"""Groups, memberships, known users and the kit's event tables.

Revision ID: 0001_groups
Revises:
"""

import sqlalchemy as sa
from alembic import op

from subgraph_kit.events import create_event_tables, drop_event_tables

revision = "0001_groups"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column(
            "group_id",
            sa.String(32),
            sa.ForeignKey("groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_memberships_user", "memberships", ["user_id"])
    op.create_table(
        "known_users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
    )
    create_event_tables(op)


def downgrade() -> None:
    drop_event_tables(op)
    op.drop_table("known_users")
    op.drop_index("ix_memberships_user", "memberships")
    op.drop_table("memberships")
    op.drop_table("groups")
