"""Alembic environment of the tasks subgraph."""

from subgraph_kit.migrations import run_migrations_in_env
from tasks_subgraph.models import TasksBase

run_migrations_in_env(TasksBase.metadata)
