"""The one object each subgraph package exposes as `SUBGRAPH`: what the app needs to run it.

The application (`taskforge/`) lists these objects; it never guesses a package's layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from starlette.types import ASGIApp

from subgraph_kit.runtime import ServiceRuntime

if TYPE_CHECKING:
    from strawberry.federation import Schema

__all__ = ["AppFactory", "SubgraphPackage"]


class AppFactory(Protocol):
    def __call__(
        self, runtime: ServiceRuntime | None = None, *, manage_runtime: bool = True
    ) -> ASGIApp: ...


@dataclass(frozen=True)
class SubgraphPackage:
    """A subgraph: its name, runtime and app factories, schema and migrations.

    `create_runtime` takes `settings`, `common` and `bus` keywords (and `photos` when
    `serves_photos`); `create_app(runtime, manage_runtime=False)` serves a runtime someone
    else starts and stops.
    """

    name: str
    package: str
    create_runtime: Callable[..., ServiceRuntime]
    create_app: AppFactory
    schema: Schema
    serves_photos: bool = False

    def sdl(self) -> str:
        """The SDL the subgraph serves as `_service { sdl }`, newline-terminated."""
        return str(self.schema.as_str()).rstrip("\n") + "\n"

    @property
    def migrations(self) -> Path:
        """The Alembic folder `ServiceRuntime.start` upgrades the database with."""
        return Path(str(resources.files(self.package) / "migrations"))

    def runtime(self, **options: Any) -> ServiceRuntime:
        """A runtime from the environment, `options` overriding (see `create_runtime`)."""
        if not self.serves_photos:
            options.pop("photos", None)
        return self.create_runtime(**options)
