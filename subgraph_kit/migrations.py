"""Alembic migrations per subgraph: its `migrations/` folder, run on its own database."""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection

from subgraph_kit.db import Database

__all__ = ["migrate", "run_migrations_in_env"]


def _config(package: str, connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files(package) / "migrations"))
    config.attributes["connection"] = connection
    return config


async def migrate(database: Database, package: str, revision: str = "head") -> None:
    """Upgrade `database` to `revision` with the migrations of subgraph `package`."""

    def upgrade(connection: Connection) -> None:
        command.upgrade(_config(package, connection), revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(upgrade)


def run_migrations_in_env(target_metadata: Any = None) -> None:
    """The body of every subgraph's `migrations/env.py`."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
