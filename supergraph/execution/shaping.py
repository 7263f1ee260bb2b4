"""Response shaping: the client's selection over merged data, with null propagation.

Each operation is compiled once into a tree of small closures (one per field and type
wrapper), specialised for every combination of its ``@skip``/``@include`` variables, so
a request only walks data and never the AST.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    execute_sync,
    get_nullable_type,
    is_abstract_type,
)
from graphql.language import BooleanValueNode, DirectiveNode, OperationType

from supergraph.json_types import JSONError, JSONObject, ResponsePath

__all__ = ["CompiledOperation", "shape_response"]

_INVALID: Any = object()
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
_BUILTIN_SCALARS = frozenset({"Int", "Float", "String", "Boolean", "ID"})

# A response path as a linked list (parent, key): cheap to extend, built into a list on error.
PathLink = tuple[Any, str | int] | None
Completer = Callable[[Any, PathLink, "_Errors"], Any]
# (response key, key to read from the data, kind, completer or constant)
FieldPlan = tuple[str, str, int, Any]

# Field kinds, so the walk handles common fields inline instead of calling a completer.
_CONSTANT = 0  # __typename of a known object type: the payload is the value
_LEAF = 1  # scalar: a non-null, non-composite value is copied; anything else is completed
_COPY = 2  # introspection answered by graphql-core: copied as is
_CALL = 3  # anything else: the payload completes it
_COMPOSITE = frozenset({dict, list})
Conditions = Mapping[str, bool]


def _path_list(link: PathLink) -> list[str | int]:
    keys: list[str | int] = []
    while link is not None:
        link, key = link
        keys.append(key)
    keys.reverse()
    return keys


class _Errors:
    """Errors raised while shaping, and which paths already carry an error."""

    __slots__ = ("_full", "_prefixes", "added", "existing")

    def __init__(self, existing: list[JSONError]) -> None:
        self.existing = existing
        self.added: list[JSONError] = []
        self._full: set[ResponsePath] | None = None
        self._prefixes: set[ResponsePath] = set()

    def _index(self) -> set[ResponsePath]:
        if self._full is None:
            self._full = set()
            for error in self.existing:
                path = error.get("path")
                if isinstance(path, list):
                    key = tuple(path)
                    self._full.add(key)
                    self._prefixes.update(key[:n] for n in range(len(key) + 1))
        return self._full

    def covered(self, path: ResponsePath) -> bool:
        full = self._index()
        if path in self._prefixes:
            return True
        return any(path[:n] in full for n in range(len(path) + 1))

    def add(self, message: str, link: PathLink) -> Any:
        path = _path_list(link)
        if not self.covered(tuple(path)):
            self.added.append({"message": message, "path": path})
        return _INVALID


# --- completers -------------------------------------------------------------------------


def _non_null(inner: Completer, coordinate: str) -> Completer:
    message = f"Cannot return null for non-nullable field {coordinate}."

    def complete(value: Any, path: PathLink, errors: _Errors) -> Any:
        if value is None:
            return errors.add(message, path)
        return inner(value, path, errors)

    return complete


def _nullable(inner: Completer) -> Completer:
    def complete(value: Any, path: PathLink, errors: _Errors) -> Any:
        if value is None:
            return None
        result = inner(value, path, errors)
        return None if result is _INVALID else result

    return complete


def _list(item: Completer, coordinate: str) -> Completer:
    message = f"Expected a list for field {coordinate}."

    def complete(value: Any, path: PathLink, errors: _Errors) -> Any:
        if not isinstance(value, list):
            return errors.add(message, path)
        out: list[Any] = []
        append = out.append
        for index, element in enumerate(value):
            result = item(element, (path, index), errors)
            if result is _INVALID:
                return _INVALID
            append(result)
        return out

    return complete


def _passthrough(value: Any, path: PathLink, errors: _Errors) -> Any:
    return value


def _builtin_scalar(name: str) -> Completer:
    message = f"{name} cannot represent a composite value."

    def complete(value: Any, path: PathLink, errors: _Errors) -> Any:
        if isinstance(value, dict | list):
            return errors.add(message, path)
        return value

    return complete


def _enum(enum: GraphQLEnumType) -> Completer:
    allowed = frozenset(enum.values)

    def complete(value: Any, path: PathLink, errors: _Errors) -> Any:
        if isinstance(value, str) and value in allowed:
            return value
        return errors.add(f'Enum "{enum.name}" cannot represent value: {value!r}', path)

    return complete


def _typename_from_data(fallback: str) -> Completer:
    def complete(value: Any, path: PathLink, errors: _Errors) -> Any:
        return value if isinstance(value, str) else fallback

    return complete


# --- compilation ------------------------------------------------------------------------


class _Compiler:
    """Compiles selection sets for one operation and one set of condition values."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        conditions: Conditions,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.conditions = conditions

    def included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> bool:
        return _included(node.directives, self.conditions)

    def applies(self, condition: str | None, runtime: GraphQLNamedType) -> bool:
        if condition is None or condition == runtime.name:
            return True
        conditional = self.schema.get_type(condition)
        if conditional is None or not is_abstract_type(conditional):
            return False
        if not isinstance(runtime, GraphQLObjectType) and not is_abstract_type(runtime):
            return False
        return self.schema.is_sub_type(conditional, runtime)

    def collect(
        self,
        runtime: GraphQLNamedType,
        selection_sets: Iterable[SelectionSetNode],
        out: dict[str, list[FieldNode]],
    ) -> dict[str, list[FieldNode]]:
        for selection_set in selection_sets:
            for selection in selection_set.selections:
                self._collect_one(runtime, selection, out)
        return out

    def _collect_one(
        self, runtime: GraphQLNamedType, selection: SelectionNode, out: dict[str, list[FieldNode]]
    ) -> None:
        if isinstance(selection, FieldNode):
            if self.included(selection):
                key = selection.alias.value if selection.alias else selection.name.value
                out.setdefault(key, []).append(selection)
            return
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else None
            if self.included(selection) and self.applies(condition, runtime):
                self.collect(runtime, [selection.selection_set], out)
            return
        if isinstance(selection, FragmentSpreadNode) and self.included(selection):
            fragment = self.fragments.get(selection.name.value)
            if fragment is not None and self.applies(fragment.type_condition.name.value, runtime):
                self.collect(runtime, [fragment.selection_set], out)

    def fields(
        self,
        runtime: GraphQLNamedType,
        selection_sets: Iterable[SelectionSetNode],
        *,
        root: bool = False,
    ) -> tuple[FieldPlan, ...]:
        plans: list[FieldPlan] = []
        for key, nodes in self.collect(runtime, selection_sets, {}).items():
            plan = self.field(runtime, key, nodes, root=root)
            if plan is not None:
                plans.append(plan)
        return tuple(plans)

    def field(
        self, runtime: GraphQLNamedType, key: str, nodes: list[FieldNode], *, root: bool
    ) -> FieldPlan | None:
        name = nodes[0].name.value
        if name == "__typename":
            if isinstance(runtime, GraphQLObjectType):
                return (key, "__typename", _CONSTANT, runtime.name)
            return (key, "__typename", _CALL, _typename_from_data(runtime.name))
        if root and name in _INTROSPECTION_ROOTS:
            return (key, key, _COPY, None)
        definition = getattr(runtime, "fields", {}).get(name)
        if definition is None:
            return None
        coordinate = f"{runtime.name}.{name}"
        sub = [n.selection_set for n in nodes if n.selection_set is not None]
        kind = _LEAF if isinstance(get_nullable_type(definition.type), GraphQLScalarType) else _CALL
        return (key, key, kind, self.completer(definition.type, sub, coordinate))

    def completer(
        self, type_: GraphQLOutputType, sub: list[SelectionSetNode], coordinate: str
    ) -> Completer:
        if isinstance(type_, GraphQLNonNull):
            return _non_null(self.completer_inner(type_.of_type, sub, coordinate), coordinate)
        return _nullable(self.completer_inner(type_, sub, coordinate))

    def completer_inner(
        self, type_: GraphQLOutputType, sub: list[SelectionSetNode], coordinate: str
    ) -> Completer:
        if isinstance(type_, GraphQLList):
            return _list(self.completer(type_.of_type, sub, coordinate), coordinate)
        if isinstance(type_, GraphQLEnumType):
            return _enum(type_)
        if isinstance(type_, GraphQLScalarType):
            return _builtin_scalar(type_.name) if type_.name in _BUILTIN_SCALARS else _passthrough
        return _ObjectShape(self, type_, sub).complete  # type: ignore[arg-type]


class _ObjectShape:
    """The fields to return for an object of a composite type, per runtime type."""

    __slots__ = ("_by_type", "_compiler", "_fields", "_selection_sets", "_type")

    def __init__(
        self,
        compiler: _Compiler,
        type_: GraphQLNamedType,
        selection_sets: list[SelectionSetNode],
        *,
        root: bool = False,
    ) -> None:
        self._compiler = compiler
        self._type = type_
        self._selection_sets = selection_sets
        self._by_type: dict[str | None, tuple[FieldPlan, ...]] = {}
        self._fields: tuple[FieldPlan, ...] | None = None
        if isinstance(type_, GraphQLObjectType):
            self._fields = compiler.fields(type_, selection_sets, root=root)

    def fields_for(self, typename: Any) -> tuple[FieldPlan, ...]:
        if self._fields is not None:
            return self._fields
        found = self._by_type.get(typename)
        if found is not None:
            return found
        compiler = self._compiler
        runtime = compiler.schema.get_type(typename) if isinstance(typename, str) else None
        if not isinstance(runtime, GraphQLObjectType) or not compiler.applies(
            self._type.name, runtime
        ):
            runtime = self._type
        found = self._by_type[typename] = compiler.fields(runtime, self._selection_sets)
        return found

    def complete(self, value: Any, path: PathLink, errors: _Errors) -> Any:
        if not isinstance(value, dict):
            return errors.add(f"Expected an object for type {self._type.name}.", path)
        fields = self._fields
        if fields is None:
            fields = self.fields_for(value.get("__typename"))
        out = {}
        get = value.get
        for key, read, kind, payload in fields:
            if kind == _CONSTANT:
                out[key] = payload
                continue
            field_value = get(read)
            if kind == _COPY or (
                kind == _LEAF
                and field_value is not None
                and field_value.__class__ not in _COMPOSITE
            ):
                out[key] = field_value
                continue
            result = payload(field_value, (path, key), errors)
            if result is _INVALID:
                return _INVALID
            out[key] = result
        return out


def _included(directives: Iterable[DirectiveNode] | None, conditions: Conditions) -> bool:
    for directive in directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value = _condition_value(directive, conditions)
        if value is None:
            continue
        if (name == "skip") == value:
            return False
    return True


def _condition_value(directive: DirectiveNode, conditions: Conditions) -> bool | None:
    for argument in directive.arguments or ():
        if argument.name.value != "if":
            continue
        node = argument.value
        if isinstance(node, BooleanValueNode):
            return node.value
        if isinstance(node, VariableNode):
            return conditions.get(node.name.value, False)
    return None


def _condition_variables(document: DocumentNode) -> tuple[str, ...]:
    names: dict[str, None] = {}

    def visit(node: Any) -> None:
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value in ("skip", "include"):
                for argument in directive.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names[argument.value.name.value] = None
        selection_set = getattr(node, "selection_set", None)
        for child in selection_set.selections if selection_set else ():
            visit(child)

    for definition in document.definitions:
        visit(definition)
    return tuple(names)


def _introspection_fields(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    found: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value in _INTROSPECTION_ROOTS:
                found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_introspection_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_introspection_fields(fragment.selection_set, fragments))
    return found


def _select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise GraphQLError("Must provide operation name if query contains multiple operations.")
        return operations[0]
    for operation in operations:
        if operation.name and operation.name.value == operation_name:
            return operation
    raise GraphQLError(f"Unknown operation named '{operation_name}'.")


class CompiledOperation:
    """One client operation prepared for shaping many responses.

    Raises :class:`GraphQLError` when the operation cannot be selected from the document.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None = None,
    ) -> None:
        self.schema = schema
        self.document = document
        self.operation = _select_operation(document, operation_name)
        self.kind: str = self.operation.operation.value
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        root = schema.get_root_type(self.operation.operation)
        if root is None:
            raise GraphQLError(f"Schema is not configured for {self.kind} operations.")
        self.root_type: GraphQLObjectType = root
        self.condition_variables = _condition_variables(document)
        self._shapes: dict[tuple[bool, ...], _ObjectShape] = {}
        self._introspection = self._introspection_document()
        self._introspection_cache: tuple[JSONObject | None, list[JSONError]] | None = None

    @property
    def has_introspection(self) -> bool:
        """Whether the operation selects ``__schema`` or ``__type`` at its root."""
        return self._introspection is not None

    def _introspection_document(self) -> DocumentNode | None:
        fields = _introspection_fields(self.operation.selection_set, self.fragments)
        if not fields or self.operation.operation != OperationType.QUERY:
            return None
        operation = OperationDefinitionNode(
            operation=OperationType.QUERY,
            name=self.operation.name,
            variable_definitions=self.operation.variable_definitions,
            directives=(),
            selection_set=SelectionSetNode(selections=tuple(fields)),
        )
        return DocumentNode(definitions=(operation, *self.fragments.values()))

    def introspect(self, variables: Mapping[str, Any]) -> tuple[JSONObject | None, list[JSONError]]:
        """Answer the root introspection fields from the API schema."""
        if self._introspection is None:
            return {}, []
        if self._introspection_cache is not None:
            return self._introspection_cache
        result = execute_sync(self.schema, self._introspection, variable_values=dict(variables))
        answer = (result.data, [dict(e.formatted) for e in result.errors or ()])
        if not self.operation.variable_definitions:
            self._introspection_cache = answer
        return answer

    def _shape(self, variables: Mapping[str, Any]) -> _ObjectShape:
        key = tuple(bool(variables.get(name)) for name in self.condition_variables)
        shape = self._shapes.get(key)
        if shape is None:
            conditions = dict(zip(self.condition_variables, key, strict=True))
            compiler = _Compiler(self.schema, self.fragments, conditions)
            shape = _ObjectShape(
                compiler, self.root_type, [self.operation.selection_set], root=True
            )
            self._shapes[key] = shape
        return shape

    def shape(
        self, data: JSONObject | None, errors: list[JSONError], variables: Mapping[str, Any]
    ) -> tuple[JSONObject | None, list[JSONError]]:
        """Return exactly the selected data (``None`` if a non-null root field is null)."""
        shaping_errors = _Errors(errors)
        result = self._shape(variables).complete(data or {}, None, shaping_errors)
        shaped = None if result is _INVALID else result
        if shaping_errors.added:
            return shaped, [*errors, *shaping_errors.added]
        return shaped, errors


def shape_response(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    data: JSONObject | None,
    errors: list[JSONError],
) -> tuple[JSONObject | None, list[JSONError]]:
    """Shape ``data`` to the operation (uncached convenience; the router keeps compilations)."""
    return CompiledOperation(schema, document, operation_name).shape(data, errors, variables)
