"""The groups subgraph. `SUBGRAPH` is what the application needs to run it."""

from groups_subgraph.app import create_app, create_runtime
from groups_subgraph.schema import schema
from subgraph_kit.registry import SubgraphPackage

__all__ = ["SUBGRAPH"]

SUBGRAPH = SubgraphPackage(
    name="groups",
    package=__name__,
    create_runtime=create_runtime,
    create_app=create_app,
    schema=schema,
    serves_photos=False,
)
