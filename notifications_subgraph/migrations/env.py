"""Alembic environment of the notifications subgraph."""

from notifications_subgraph.models import NotificationsBase
from subgraph_kit.migrations import run_migrations_in_env

run_migrations_in_env(NotificationsBase.metadata)
