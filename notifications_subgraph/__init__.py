"""The notifications subgraph. `SUBGRAPH` is what the application needs to run it."""

from notifications_subgraph.app import create_app, create_runtime
from notifications_subgraph.schema import schema
from subgraph_kit.registry import SubgraphPackage

__all__ = ["SUBGRAPH"]

SUBGRAPH = SubgraphPackage(
    name="notifications",
    package=__name__,
    create_runtime=create_runtime,
    create_app=create_app,
    schema=schema,
    serves_photos=False,
)
