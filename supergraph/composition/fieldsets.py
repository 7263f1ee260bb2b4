"""Parse federation field sets (@key/@requires/@provides `fields:`) and resolve them to fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from graphql import FieldNode, GraphQLError, InlineFragmentNode, SelectionSetNode, parse
from graphql.language import OperationDefinitionNode

__all__ = ["FieldSetTarget", "Leaf", "ResolvedFieldSet", "base_type_name", "resolve_field_set"]


@dataclass(frozen=True)
class FieldSetTarget:
    """A field a field set selects: `type_name.field_name`."""

    type_name: str
    field_name: str


@dataclass(frozen=True)
class Leaf:
    """A selected field without sub-selection, with the fields selected above it."""

    target: FieldSetTarget
    ancestors: tuple[FieldSetTarget, ...]


@dataclass
class ResolvedFieldSet:
    """Every field a field set selects, its leaves, and a message per invalid selection."""

    targets: list[FieldSetTarget] = field(default_factory=list)
    leaves: list[Leaf] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def base_type_name(type_ref: str) -> str:
    """The named type inside a printed type reference such as `[User!]!`."""
    return type_ref.replace("[", "").replace("]", "").replace("!", "")


def _parse(fields: str) -> SelectionSetNode:
    document = parse("{" + fields + "}", no_location=True)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


FieldTypeLookup = Callable[[str, str], str | None]
Implementations = Mapping[str, tuple[str, ...]]


def resolve_field_set(
    fields: str,
    parent: str,
    field_type: FieldTypeLookup,
    implementations: Implementations,
) -> ResolvedFieldSet:
    """The fields `fields` selects from type `parent`, and a message per invalid selection.

    `field_type(type, field)` gives a field's printed type or None when the field does not
    exist; interface fields also target the same field on every implementation.
    """
    result = ResolvedFieldSet()
    try:
        selection_set = _parse(fields)
    except GraphQLError as error:
        result.errors.append(f"invalid field set syntax ({error.message})")
        return result
    _walk(selection_set, parent, field_type, implementations, result, ())
    return result


def _walk(
    selection_set: SelectionSetNode,
    parent: str,
    field_type: FieldTypeLookup,
    implementations: Implementations,
    result: ResolvedFieldSet,
    ancestors: tuple[FieldSetTarget, ...],
) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else parent
            _walk(
                selection.selection_set, condition, field_type, implementations, result, ancestors
            )
            continue
        if not isinstance(selection, FieldNode):
            result.errors.append("fragment spreads are not allowed in field sets")
            continue
        name = selection.name.value
        if name == "__typename":
            continue
        type_ref = field_type(parent, name)
        if type_ref is None:
            result.errors.append(f'Cannot query field "{name}" on type "{parent}"')
            continue
        target = FieldSetTarget(parent, name)
        result.targets.append(target)
        for implementation in implementations.get(parent, ()):
            if field_type(implementation, name) is not None:
                result.targets.append(FieldSetTarget(implementation, name))
        if selection.selection_set is None:
            result.leaves.append(Leaf(target, ancestors))
            continue
        child = base_type_name(type_ref)
        _walk(
            selection.selection_set,
            child,
            field_type,
            implementations,
            result,
            (*ancestors, target),
        )
