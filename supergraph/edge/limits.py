"""Operation limits checked before validation: depth, aliases, root fields (tokens: at parse)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from supergraph.json_types import JSONError

__all__ = ["OperationLimits", "OperationShape", "limit_errors", "measure"]


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """Upper bounds on an operation's shape; None switches one off."""

    max_depth: int | None = None
    max_aliases: int | None = None
    max_root_fields: int | None = None


@dataclass(frozen=True, slots=True)
class OperationShape:
    """What :func:`measure` found in one operation (fragments expanded)."""

    depth: int
    aliases: int
    root_fields: int


class _Measure:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.aliases = 0
        # per fragment: (depth, aliases), so nested spreads cost linear time, not exponential
        self.seen: dict[str, tuple[int, int]] = {}

    def depth(self, node: SelectionSetNode, active: frozenset[str] = frozenset()) -> int:
        deepest = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                self.aliases += selection.alias is not None
                inner = (
                    self.depth(selection.selection_set, active) if selection.selection_set else 0
                )
                deepest = max(deepest, 1 + inner)
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set, active))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self.spread(selection.name.value, active))
        return deepest

    def spread(self, name: str, active: frozenset[str]) -> int:
        fragment = self.fragments.get(name)
        # A cycle or unknown fragment is a validation error reported later; do not loop on it.
        if fragment is None or name in active:
            return 0
        if name not in self.seen:
            before = self.aliases
            found = self.depth(fragment.selection_set, active | {name})
            self.seen[name] = (found, self.aliases - before)
            self.aliases = before
        depth, aliases = self.seen[name]
        self.aliases += aliases
        return depth


def _root_fields(node: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]) -> int:
    count = 0
    for selection in node.selections:
        if isinstance(selection, FieldNode):
            count += 1
        elif isinstance(selection, InlineFragmentNode):
            count += _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and fragment.selection_set is not node:
                count += len(fragment.selection_set.selections)
    return count


def measure(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> OperationShape:
    """Depth, alias count and root field count of ``operation``."""
    walker = _Measure(fragments)
    depth = walker.depth(operation.selection_set)
    return OperationShape(depth, walker.aliases, _root_fields(operation.selection_set, fragments))


def limit_errors(shape: OperationShape, limits: OperationLimits) -> list[JSONError]:
    """An error per exceeded limit, each with its own code."""
    checks = (
        (limits.max_depth, shape.depth, "MAX_DEPTH_LIMIT", "depth"),
        (limits.max_aliases, shape.aliases, "MAX_ALIASES_LIMIT", "aliases"),
        (limits.max_root_fields, shape.root_fields, "MAX_ROOT_FIELDS_LIMIT", "root fields"),
    )
    return [
        {
            "message": f"The operation has {found} {what}; the limit is {limit}.",
            "extensions": {"code": code, "limit": limit, "found": found},
        }
        for limit, found, code, what in checks
        if limit is not None and found > limit
    ]
