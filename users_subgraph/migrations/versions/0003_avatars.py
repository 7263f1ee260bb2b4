"""Users' avatars.

Revision ID: 0003_avatars
Revises: 0002_events
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_avatars"
down_revision = "0002_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "avatars",
        sa.Column(
            "user_id",
            sa.String(32),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("photo_id", sa.String(32), nullable=False),
        sa.Column("public_id", sa.String(255), nullable=False, unique=True),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("avatars")
