"""Alembic environment of the groups subgraph."""

from groups_subgraph.models import GroupsBase
from subgraph_kit.migrations import run_migrations_in_env

run_migrations_in_env(GroupsBase.metadata)
