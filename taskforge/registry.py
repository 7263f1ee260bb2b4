"""The subgraphs this application runs, by name, in start order."""

from __future__ import annotations

from types import MappingProxyType

import groups_subgraph
import notifications_subgraph
import tasks_subgraph
import users_subgraph
from subgraph_kit.registry import SubgraphPackage

__all__ = ["SUBGRAPHS", "subgraph"]

SUBGRAPHS: MappingProxyType[str, SubgraphPackage] = MappingProxyType(
    {
        package.name: package
        for package in (
            users_subgraph.SUBGRAPH,
            groups_subgraph.SUBGRAPH,
            tasks_subgraph.SUBGRAPH,
            notifications_subgraph.SUBGRAPH,
        )
    }
)


def subgraph(name: str) -> SubgraphPackage:
    return SUBGRAPHS[name]
