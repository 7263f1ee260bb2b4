"""The tasks subgraph. `SUBGRAPH` is what the application needs to run it."""

from subgraph_kit.registry import SubgraphPackage
from tasks_subgraph.app import create_app, create_runtime
from tasks_subgraph.schema import schema

__all__ = ["SUBGRAPH"]

SUBGRAPH = SubgraphPackage(
    name="tasks",
    package=__name__,
    create_runtime=create_runtime,
    create_app=create_app,
    schema=schema,
    serves_photos=True,
)
