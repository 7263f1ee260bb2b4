"""Demand control: a static cost estimate from `@cost`/`@listSize`, computed before execution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    parse,
)

from supergraph.edge.links import directive_arguments, linked_directives

__all__ = ["MUTATION_BASE_COST", "CostRules", "ListSize", "estimate_cost", "read_cost_rules"]

MUTATION_BASE_COST = 10
_SPECS = {"cost": ("cost", "listSize")}


@dataclass(frozen=True, slots=True)
class ListSize:
    """A field's `@listSize`: how many items a list field returns at most."""

    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CostRules:
    """Weights by ``Type.field`` and type name, and list sizes by coordinate."""

    field_weights: Mapping[str, int]
    type_weights: Mapping[str, int]
    list_sizes: Mapping[str, ListSize]
    default_list_size: int = 10


def read_cost_rules(supergraph_sdl: str, default_list_size: int = 10) -> CostRules:
    """The demand-control directives a supergraph carries (none: every weight is the default)."""
    document = parse(supergraph_sdl, no_location=True)
    local = linked_directives(document, _SPECS)
    fields: dict[str, int] = {}
    types: dict[str, int] = {}
    sizes: dict[str, ListSize] = {}
    for definition in document.definitions:
        name = getattr(getattr(definition, "name", None), "value", None)
        if name is None or isinstance(definition, OperationDefinitionNode):
            continue
        for directive in getattr(definition, "directives", None) or ():
            if local.get(directive.name.value) == "cost":
                types[name] = int(directive_arguments(directive)["weight"])
        for field in getattr(definition, "fields", None) or ():
            coordinate = f"{name}.{field.name.value}"
            for directive in field.directives or ():
                kind = local.get(directive.name.value)
                args = directive_arguments(directive)
                if kind == "cost":
                    fields[coordinate] = int(args["weight"])
                elif kind == "listSize":
                    sizes[coordinate] = ListSize(
                        args.get("assumedSize"),
                        tuple(args.get("slicingArguments") or ()),
                        tuple(args.get("sizedFields") or ()),
                    )
    return CostRules(fields, types, sizes, default_list_size)


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class _Estimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        rules: CostRules,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.rules = rules
        self.fragments = fragments
        self.variables = variables

    def selection_set(
        self, node: SelectionSetNode, parent: GraphQLCompositeType, sized: Mapping[str, int]
    ) -> int:
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, sized)
            elif isinstance(selection, InlineFragmentNode):
                scope = parent
                if selection.type_condition is not None:
                    scope = self.schema.get_type(selection.type_condition.name.value)  # type: ignore[assignment]
                total += self.selection_set(selection.selection_set, scope, sized)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                scope = self.schema.get_type(fragment.type_condition.name.value)  # type: ignore[assignment]
                total += self.selection_set(fragment.selection_set, scope, sized)
        return total

    def field(self, node: FieldNode, parent: GraphQLCompositeType, sized: Mapping[str, int]) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        definition = parent.fields[name]  # type: ignore[union-attr]
        named = get_named_type(definition.type)
        coordinate = f"{parent.name}.{name}"
        weight = self.rules.field_weights.get(
            coordinate,
            self.rules.type_weights.get(named.name, 1 if is_composite_type(named) else 0),
        )
        list_size = self.rules.list_sizes.get(coordinate)
        children: Mapping[str, int] = {}
        size = sized.get(name)
        if list_size is not None:
            size = self.slice(node, list_size) if size is None else size
            if list_size.sized_fields:
                children = {f: self.slice(node, list_size) for f in list_size.sized_fields}
                size = None if not _is_list(definition.type) else size
        inner = (
            self.selection_set(node.selection_set, named, children)
            if node.selection_set is not None
            else 0
        )
        if not _is_list(definition.type):
            return weight + inner
        count = size if size is not None else self.rules.default_list_size
        return count * (weight + inner)

    def slice(self, node: FieldNode, list_size: ListSize) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in list_size.slicing_arguments:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int):
                    return given
        if list_size.assumed_size is not None:
            return list_size.assumed_size
        return self.rules.default_list_size


def estimate_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    rules: CostRules,
    variables: Mapping[str, Any],
) -> int:
    """The operation's estimated cost: objects weigh 1, leaves 0, lists times their size."""
    root = schema.get_root_type(operation.operation)
    assert root is not None
    estimator = _Estimator(schema, rules, fragments, variables)
    total = estimator.selection_set(operation.selection_set, root, {})
    if operation.operation.value == "mutation":
        total += MUTATION_BASE_COST
    return total
