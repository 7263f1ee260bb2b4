"""The users subgraph. `SUBGRAPH` is what the application needs to run it."""

from subgraph_kit.registry import SubgraphPackage
from users_subgraph.app import create_app, create_runtime
from users_subgraph.schema import schema

__all__ = ["SUBGRAPH"]

SUBGRAPH = SubgraphPackage(
    name="users",
    package=__name__,
    create_runtime=create_runtime,
    create_app=create_app,
    schema=schema,
    serves_photos=True,
)
