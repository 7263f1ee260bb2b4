"""The router's edge: identity, authorization directives, limits, persisted queries, metrics."""

from supergraph.edge.settings import RouterSettings

__all__ = ["RouterSettings"]
