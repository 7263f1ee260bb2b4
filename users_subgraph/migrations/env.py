"""Alembic environment of the users subgraph."""

from subgraph_kit.migrations import run_migrations_in_env
from users_subgraph.models import UsersBase

run_migrations_in_env(UsersBase.metadata)
