"""Supergraph composition: subgraph SDLs in, an Apollo-format Federation v2 supergraph SDL out."""

from .compose import compose
from .config import compose_to_file, load_compose_config
from .model import CompositionError, SubgraphDefinition

__all__ = [
    "CompositionError",
    "SubgraphDefinition",
    "compose",
    "compose_to_file",
    "load_compose_config",
]
