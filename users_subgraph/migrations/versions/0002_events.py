"""The kit's event tables (outbox, processed_events) for the users subgraph.

Revision ID: 0002_events
Revises: 0001_users
"""

from alembic import op

from subgraph_kit.events import create_event_tables, drop_event_tables

revision = "0002_events"
down_revision = "0001_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_tables(op)


def downgrade() -> None:
    drop_event_tables(op)
