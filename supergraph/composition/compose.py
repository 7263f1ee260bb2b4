"""Compose subgraph SDLs into an Apollo Federation v2 supergraph SDL."""

from __future__ import annotations

from collections.abc import Sequence

from .merge import merge_subgraphs
from .model import CompositionError, SubgraphDefinition
from .printer import print_supergraph
from .subgraph import normalize_all

__all__ = ["compose"]


def compose(subgraphs: Sequence[SubgraphDefinition]) -> str:
    """The supergraph SDL for `subgraphs`, in @apollo/composition's format and order.

    Raises CompositionError listing every problem found.
    """
    if not subgraphs:
        raise CompositionError(["No subgraphs to compose."])
    duplicates = sorted(
        {s.name for s in subgraphs if [t.name for t in subgraphs].count(s.name) > 1}
    )
    if duplicates:
        raise CompositionError(
            [f'A subgraph named "{name}" is given twice.' for name in duplicates]
        )
    normalized, errors = normalize_all(subgraphs)
    if errors:
        raise CompositionError(errors)
    model, errors = merge_subgraphs(normalized)
    if errors:
        raise CompositionError(errors)
    return print_supergraph(model)
