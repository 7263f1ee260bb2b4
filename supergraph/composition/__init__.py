"""Supergraph composition: subgraph SDLs in, an Apollo-format Federation v2 supergraph SDL out."""

from .compose import compose
from .model import CompositionError, SubgraphDefinition

__all__ = ["CompositionError", "SubgraphDefinition", "compose"]
