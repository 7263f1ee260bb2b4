"""One subgraph request for several entity fetches: each ``_entities`` aliased ``_i``."""

from __future__ import annotations

from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from supergraph.json_types import JSONObject

__all__ = ["merged_operation", "merged_variables"]

_REPRESENTATIONS = "representations"


@lru_cache(maxsize=1024)
def merged_operation(operations: tuple[str, ...]) -> str | None:
    """One query holding every operation's ``_entities`` as ``_i`` reading ``$representations_i``.

    Other variables are the client's, shared by name. None when an operation is not a single
    ``_entities`` query (then the fetches go separately).
    """
    definitions = [_entities_operation(operation) for operation in operations]
    if any(definition is None for definition in definitions):
        return None
    selections: list[FieldNode] = []
    variables: dict[str, VariableDefinitionNode] = {}
    for index, definition in enumerate(definitions):
        assert definition is not None
        entities = definition.selection_set.selections[0]
        renamed = visit(entities, _Renamer(index))
        selections.append(
            FieldNode(
                alias=NameNode(value=f"_{index}"),
                name=renamed.name,
                arguments=renamed.arguments,
                directives=renamed.directives,
                selection_set=renamed.selection_set,
            )
        )
        for variable in definition.variable_definitions or ():
            name = variable.variable.name.value
            if name == _REPRESENTATIONS:
                name = f"{name}_{index}"
                variable = VariableDefinitionNode(
                    variable=VariableNode(name=NameNode(value=name)),
                    type=variable.type,
                    default_value=variable.default_value,
                    directives=(),
                )
            variables.setdefault(name, variable)
    first = definitions[0]
    assert first is not None
    merged = OperationDefinitionNode(
        operation=first.operation,
        name=first.name,
        variable_definitions=tuple(variables.values()),
        directives=(),
        selection_set=SelectionSetNode(selections=tuple(selections)),
    )
    return print_ast(DocumentNode(definitions=(merged,)))


def merged_variables(fetch_variables: list[JSONObject]) -> JSONObject:
    """The merged request's variables: each fetch's representations suffixed with its index."""
    merged: JSONObject = {}
    for index, variables in enumerate(fetch_variables):
        for name, value in variables.items():
            merged[f"{name}_{index}" if name == _REPRESENTATIONS else name] = value
    return merged


def _entities_operation(operation: str) -> OperationDefinitionNode | None:
    document = parse(operation, no_location=True)
    if len(document.definitions) != 1:
        return None
    definition = document.definitions[0]
    if not isinstance(definition, OperationDefinitionNode) or definition.operation.value != "query":
        return None
    selections = definition.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    field = selections[0]
    if field.alias is not None or field.name.value != "_entities" or field.directives:
        return None
    return definition


class _Renamer(Visitor):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def enter_variable(self, node: VariableNode, *_: object) -> VariableNode | None:
        if node.name.value != _REPRESENTATIONS:
            return None
        return VariableNode(name=NameNode(value=f"{_REPRESENTATIONS}_{self.index}"))
