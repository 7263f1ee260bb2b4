"""@fromContext arguments at execution: each object's values read from its ancestors."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    is_abstract_type,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from supergraph.execution.representations import requires_shape
from supergraph.json_types import JSONObject, ResponsePath
from supergraph.plan import ContextRewrite, Fetch

__all__ = ["aliased_operation", "context_values"]


def context_values(
    fetch: Fetch, root: JSONObject, at: ResponsePath, schema: GraphQLSchema | None
) -> dict[str, Any]:
    """The contextual variables for the object at response path ``at`` (null when absent)."""
    values: dict[str, Any] = {}
    for rewrite in fetch.context_rewrites:
        if values.get(rewrite.variable) is not None:
            continue
        ancestor = _ancestor(root, at, rewrite.up)
        values[rewrite.variable] = _read(rewrite, ancestor, schema)
    return values


def _ancestor(root: JSONObject, at: ResponsePath, up: int) -> Any:
    end = len(at)
    for _ in range(up):
        while end and isinstance(at[end - 1], int):
            end -= 1
        if end == 0:
            return None
        end -= 1
    value: Any = root
    for segment in at[:end]:
        if isinstance(segment, int):
            value = value[segment] if isinstance(value, list) and segment < len(value) else None
        else:
            value = value.get(segment) if isinstance(value, dict) else None
    return value


def _read(rewrite: ContextRewrite, ancestor: Any, schema: GraphQLSchema | None) -> Any:
    if not isinstance(ancestor, dict) or not _is_a(ancestor, rewrite.type_condition, schema):
        return None
    selected = requires_shape(rewrite.selection, schema).select(ancestor)
    if not selected:
        return None
    return next(iter(selected.values()))


def _is_a(obj: JSONObject, type_condition: str, schema: GraphQLSchema | None) -> bool:
    """Objects without ``__typename`` sit where the planner saw the context's type."""
    typename = obj.get("__typename")
    if not isinstance(typename, str) or typename == type_condition or schema is None:
        return True
    condition = schema.get_type(type_condition)
    concrete = schema.get_type(typename)
    if condition is None or concrete is None or not is_abstract_type(condition):
        return condition is None
    return schema.is_sub_type(condition, concrete)


@lru_cache(maxsize=1024)
def aliased_operation(operation: str, variables: tuple[str, ...], count: int) -> str:
    """``operation`` with its ``_entities`` repeated ``count`` times as ``_0``, ``_1``, ...

    Copy ``i`` reads ``$representations_i`` and each contextual variable suffixed ``_i``.
    """
    document = parse(operation, no_location=True)
    definition = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    renamed = frozenset(("representations", *variables))
    entities = definition.selection_set.selections[0]
    assert isinstance(entities, FieldNode)
    selections = []
    for index in range(count):
        copy = visit(entities, _Renamer(renamed, index))
        selections.append(
            FieldNode(
                alias=NameNode(value=f"_{index}"),
                name=copy.name,
                arguments=copy.arguments,
                directives=copy.directives,
                selection_set=copy.selection_set,
            )
        )
    definitions: list[VariableDefinitionNode] = []
    for variable in definition.variable_definitions or ():
        name = variable.variable.name.value
        if name not in renamed:
            definitions.append(variable)
            continue
        definitions.extend(
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=f"{name}_{index}")),
                type=variable.type,
                default_value=variable.default_value,
                directives=(),
            )
            for index in range(count)
        )
    aliased = OperationDefinitionNode(
        operation=definition.operation,
        name=definition.name,
        variable_definitions=tuple(definitions),
        directives=definition.directives,
        selection_set=SelectionSetNode(selections=tuple(selections)),
    )
    return print_ast(DocumentNode(definitions=(aliased,)))


class _Renamer(Visitor):
    def __init__(self, renamed: frozenset[str], index: int) -> None:
        super().__init__()
        self.renamed = renamed
        self.index = index

    def enter_variable(self, node: VariableNode, *_: object) -> VariableNode | None:
        if node.name.value not in self.renamed:
            return None
        return VariableNode(name=NameNode(value=f"{node.name.value}_{self.index}"))
