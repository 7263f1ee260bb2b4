"""A generic data-driven Apollo Federation v2 subgraph: any subgraph SDL served from JSON data.

``make_subgraph_app(sdl, data)`` returns an ASGI app answering ``POST /graphql`` (any path)
with graphql-core, after adding the federation machinery to the SDL (``_Any``, ``_Entity``,
``_Service``, ``Query._entities``, ``Query._service`` and the federation directive
definitions). Every request is recorded on ``app.requests`` and on the shared
``SubgraphState.log`` so tests can count subgraph calls and check their order.

Data layout (all keys optional)::

    {
      "Query":    {"<root field>": <value>, ...},
      "Mutation": {"<root field>": <value>, ...},
      "entities": {"<Type>": [<object>, ...] | <template object>},
      "$http":    {"status": 500, "body": "not json"}   # the subgraph answers only this
    }

An object is a dict of field name -> value; ``__typename`` names its concrete type where the
field's type is abstract. A field missing from its object is an error (to catch corpus
mistakes and router requests for fields the subgraph does not own). ``entities[T]`` holds the
objects ``_entities`` resolves: a representation matches the first stored object that agrees
on every field of one of T's resolvable keys (composite and nested keys compare field by
field; for an interface, the implementations' objects are searched too). A template object
instead of a list resolves every representation of T. A stored object with ``"$entityError":
"msg"`` makes its ``_entities`` entry null with that error.

A value is plain JSON, or a one-operator dict evaluated when the field is resolved:

- ``{"$arg": "a.b"}``: the field argument ``a`` (dotted path into input objects).
- ``{"$args": true}``: all the field's arguments as a canonical JSON string.
- ``{"$fromRepresentation": "a.b"}``: a field of the ``_entities`` representation that
  produced the object; an error if the router did not send it (how @requires is checked).
- ``{"$template": "{rep.weight}kg for {arg.unit}"}``: text with ``{rep.*}``, ``{arg.*}`` and
  ``{obj.*}`` placeholders; a template that is a single placeholder keeps the value's type.
  A missing placeholder value is an error.
- ``{"$error": "msg", "extensions": {...}}``: the field raises this GraphQL error.
- ``{"$entity": "T", "key": {...}}``: the stored T (or implementation) whose fields include
  ``key`` (values may be operators); null when none.
- ``{"$all": "T"}`` / ``{"$filter": "T", "where": {...}}``: stored objects of T, all or matching.
- ``{"$byArg": "a", "cases": {"<value>": <value>}, "default": <value>}``: pick by an argument
  (strings as is, other values as JSON); ``default`` (else null) when no case matches.
- ``{"$counter": "c", "set" | "add" | "mul": <value>}``: update the counter ``c`` shared by
  every app built with the same ``SubgraphState`` and return its new value (for mutations).
- ``{"$delay": ms, "then": <value>}``: wait, then evaluate ``then`` (exposes parallelism).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DocumentNode,
    FieldNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    OperationDefinitionNode,
    OperationType,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    build_ast_schema,
    graphql,
    is_abstract_type,
    is_object_type,
    parse,
)

__all__ = [
    "RecordedRequest",
    "SubgraphApp",
    "SubgraphState",
    "make_subgraph_app",
]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Json = Any

MISSING = object()

FEDERATION_PRELUDE = {
    "_Any": "scalar _Any",
    "federation__FieldSet": "scalar federation__FieldSet",
    "FieldSet": "scalar FieldSet",
    "link__Import": "scalar link__Import",
    "link__Purpose": "enum link__Purpose { SECURITY EXECUTION }",
    "federation__Scope": "scalar federation__Scope",
    "federation__Policy": "scalar federation__Policy",
    "federation__ContextFieldValue": "scalar federation__ContextFieldValue",
    "_Service": "type _Service { sdl: String! }",
}

FEDERATION_DIRECTIVES = {
    "link": "directive @link(url: String!, as: String, for: link__Purpose,"
    " import: [link__Import]) repeatable on SCHEMA",
    "key": "directive @key(fields: federation__FieldSet!, resolvable: Boolean = true)"
    " repeatable on OBJECT | INTERFACE",
    "requires": "directive @requires(fields: federation__FieldSet!) on FIELD_DEFINITION",
    "provides": "directive @provides(fields: federation__FieldSet!) on FIELD_DEFINITION",
    "external": "directive @external(reason: String) on OBJECT | FIELD_DEFINITION",
    "shareable": "directive @shareable repeatable on OBJECT | FIELD_DEFINITION",
    "override": "directive @override(from: String!, label: String) on FIELD_DEFINITION",
    "inaccessible": "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
    " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT"
    " | INPUT_FIELD_DEFINITION",
    "tag": "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE"
    " | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT"
    " | INPUT_FIELD_DEFINITION | SCHEMA",
    "interfaceObject": "directive @interfaceObject on OBJECT",
    "extends": "directive @extends on OBJECT | INTERFACE",
    "composeDirective": "directive @composeDirective(name: String!) repeatable on SCHEMA",
    "authenticated": "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE"
    " | SCALAR | ENUM",
    "requiresScopes": "directive @requiresScopes(scopes: [[federation__Scope!]!]!)"
    " on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "policy": "directive @policy(policies: [[federation__Policy!]!]!) on FIELD_DEFINITION"
    " | OBJECT | INTERFACE | SCALAR | ENUM",
    "context": "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION",
    "fromContext": "directive @fromContext(field: federation__ContextFieldValue)"
    " on ARGUMENT_DEFINITION",
}

TypeNode = (
    ObjectTypeDefinitionNode
    | ObjectTypeExtensionNode
    | InterfaceTypeDefinitionNode
    | InterfaceTypeExtensionNode
)


@dataclass
class SubgraphState:
    """What the apps of one test case share: counters and the ordered request log."""

    counters: dict[str, Json] = field(default_factory=dict)
    log: list[tuple[str, RecordedRequest]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the subgraph received it."""

    query: str
    variables: Mapping[str, Json]
    operation_name: str | None


@dataclass(frozen=True, slots=True)
class EntityKey:
    """One ``@key`` of an entity type in this subgraph."""

    selection: SelectionSetNode
    resolvable: bool


@dataclass(frozen=True, slots=True)
class EvalContext:
    """What an operator can read while a field is resolved."""

    args: Mapping[str, Json]
    obj: Mapping[str, Json]
    rep: Mapping[str, Json] | None
    path: str


class SubgraphApp:
    """ASGI app serving one data-driven subgraph; ``requests`` records what it received."""

    def __init__(self, sdl: str, data: Mapping[str, Json], name: str, state: SubgraphState):
        self.name = name
        self.sdl = sdl
        self.data = data
        self.state = state
        self.requests: list[RecordedRequest] = []
        self.keys = _entity_keys(parse(sdl))
        self.schema = _build_schema(sdl, self.keys)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        status, payload = await self.handle(body)
        await _respond(send, status, payload)

    async def handle(self, body: bytes) -> tuple[int, bytes]:
        """Answer one raw HTTP body; returns (status, response body)."""
        try:
            request = json.loads(body)
        except ValueError:
            return 400, b'{"errors":[{"message":"body is not JSON"}]}'
        recorded = RecordedRequest(
            query=request.get("query", ""),
            variables=request.get("variables") or {},
            operation_name=request.get("operationName"),
        )
        self.requests.append(recorded)
        self.state.log.append((self.name, recorded))
        forced = self.data.get("$http")
        if forced is not None:
            return int(forced.get("status", 200)), str(forced.get("body", "")).encode()
        result = await graphql(
            self.schema,
            recorded.query,
            root_value=_ROOT,
            variable_values=dict(recorded.variables),
            operation_name=recorded.operation_name,
            field_resolver=self._resolve_field,
            type_resolver=_resolve_type,
        )
        return 200, json.dumps(result.formatted).encode()

    async def _resolve_field(self, source: Any, info: GraphQLResolveInfo, **args: Json) -> Json:
        if source is _ROOT:
            return await self._resolve_root(info, args)
        if info.field_name == "_service":
            return {"sdl": self.sdl}
        if not isinstance(source, Mapping) or info.field_name not in source:
            raise GraphQLError(f"no data for {info.parent_type.name}.{info.field_name}")
        context = EvalContext(args, source, source.get("$rep"), _path_text(info))
        return await self._evaluate(source[info.field_name], context)

    async def _resolve_root(self, info: GraphQLResolveInfo, args: Mapping[str, Json]) -> Json:
        if info.field_name == "_service":
            return {"sdl": self.sdl}
        if info.field_name == "_entities":
            return [self._resolve_entity(rep) for rep in args["representations"]]
        roots = self.data.get(info.parent_type.name, {})
        if info.field_name not in roots:
            raise GraphQLError(f"no data for {info.parent_type.name}.{info.field_name}")
        context = EvalContext(args, roots, None, info.field_name)
        return await self._evaluate(roots[info.field_name], context)

    def _resolve_entity(self, rep: Json) -> Json:
        if not isinstance(rep, Mapping) or not isinstance(rep.get("__typename"), str):
            return GraphQLError("representation without __typename")
        typename = rep["__typename"]
        found = self._find_entity(typename, rep)
        if found is None:
            return None
        if "$entityError" in found:
            return GraphQLError(str(found["$entityError"]))
        return {**found, "__typename": found.get("__typename", typename), "$rep": rep}

    def _find_entity(self, typename: str, rep: Mapping[str, Json]) -> dict[str, Json] | None:
        keys = [key for key in self.keys.get(typename, ()) if key.resolvable]
        if not keys:
            return None
        template = self.data.get("entities", {}).get(typename)
        if isinstance(template, Mapping):
            return dict(template)
        usable = [key for key in keys if _has_selection(rep, key.selection)]
        for candidate in self._stored(typename):
            if any(_agrees(rep, candidate, key.selection) for key in usable):
                return candidate
        return None

    def _stored(self, typename: str) -> list[dict[str, Json]]:
        store = self.data.get("entities", {})
        named = self.schema.get_type(typename)
        names = [typename]
        if named is not None and is_abstract_type(named):
            names += [t.name for t in self.schema.get_possible_types(named)]
        objects: list[dict[str, Json]] = []
        for name in names:
            stored = store.get(name)
            if isinstance(stored, list):
                objects += [{"__typename": name, **obj} for obj in stored]
        return objects

    async def _evaluate(self, value: Json, context: EvalContext) -> Json:
        if isinstance(value, list):
            return [await self._evaluate(item, context) for item in value]
        operator = _operator(value)
        if operator is None:
            return value
        return await self._apply(operator, value, context)

    async def _apply(self, operator: str, spec: Mapping[str, Json], context: EvalContext) -> Json:
        match operator:
            case "$arg":
                return _lookup(context.args, spec["$arg"], "argument", context.path)
            case "$args":
                return json.dumps(context.args, sort_keys=True, separators=(",", ":"))
            case "$fromRepresentation":
                return _lookup(context.rep or {}, spec[operator], "representation", context.path)
            case "$template":
                return _template(spec["$template"], context)
            case "$error":
                raise GraphQLError(spec["$error"], extensions=spec.get("extensions"))
            case "$entity":
                key = {k: await self._evaluate(v, context) for k, v in spec["key"].items()}
                matches = [obj for obj in self._stored(spec["$entity"]) if _contains(obj, key)]
                return matches[0] if matches else None
            case "$all":
                return self._stored(spec["$all"])
            case "$filter":
                where = {k: await self._evaluate(v, context) for k, v in spec["where"].items()}
                return [obj for obj in self._stored(spec["$filter"]) if _contains(obj, where)]
            case "$byArg":
                chosen = context.args.get(spec["$byArg"])
                label = chosen if isinstance(chosen, str) else json.dumps(chosen)
                case_value = spec.get("cases", {}).get(label, spec.get("default"))
                return await self._evaluate(case_value, context)
            case "$counter":
                return await self._count(spec, context)
            case "$delay":
                await asyncio.sleep(float(spec["$delay"]) / 1000)
                return await self._evaluate(spec.get("then"), context)
        raise AssertionError(operator)

    async def _count(self, spec: Mapping[str, Json], context: EvalContext) -> Json:
        name = spec["$counter"]
        current = self.state.counters.get(name, 0)
        if "set" in spec:
            current = await self._evaluate(spec["set"], context)
        if "add" in spec:
            current += await self._evaluate(spec["add"], context)
        if "mul" in spec:
            current *= await self._evaluate(spec["mul"], context)
        self.state.counters[name] = current
        return current


OPERATORS = (
    "$arg",
    "$args",
    "$fromRepresentation",
    "$template",
    "$error",
    "$entity",
    "$all",
    "$filter",
    "$byArg",
    "$counter",
    "$delay",
)
_ROOT = object()
_PLACEHOLDER = re.compile(r"\{(rep|arg|obj)\.([A-Za-z0-9_.]+)\}")


def make_subgraph_app(
    sdl: str,
    data: Mapping[str, Json],
    *,
    name: str = "subgraph",
    state: SubgraphState | None = None,
) -> SubgraphApp:
    """Build the ASGI app serving ``sdl`` from ``data`` (see the module docstring)."""
    return SubgraphApp(sdl, data, name, state if state is not None else SubgraphState())


def _operator(value: Json) -> str | None:
    if not isinstance(value, Mapping):
        return None
    return next((op for op in OPERATORS if op in value), None)


def _lookup(source: Mapping[str, Json], dotted: str, what: str, path: str) -> Json:
    current: Json = source
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or part not in current:
            raise GraphQLError(f"{path}: {what} has no {dotted}")
        current = current[part]
    return current


def _template(text: str, context: EvalContext) -> Json:
    sources = {"rep": context.rep or {}, "arg": context.args, "obj": context.obj}
    whole = _PLACEHOLDER.fullmatch(text)
    if whole:
        return _lookup(sources[whole.group(1)], whole.group(2), whole.group(1), context.path)

    def substitute(match: re.Match[str]) -> str:
        value = _lookup(sources[match.group(1)], match.group(2), match.group(1), context.path)
        return _text(value)

    return _PLACEHOLDER.sub(substitute, text)


def _text(value: Json) -> str:
    """JSON text as JavaScript prints it, so 10.0 and 10 read the same from any router."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def _contains(obj: Json, wanted: Json) -> bool:
    if isinstance(wanted, Mapping):
        if not isinstance(obj, Mapping):
            return False
        return all(k in obj and _contains(obj[k], v) for k, v in wanted.items())
    return bool(obj == wanted)


def _has_selection(value: Json, selection: SelectionSetNode) -> bool:
    if not isinstance(value, Mapping):
        return False
    for node in selection.selections:
        assert isinstance(node, FieldNode)
        name = node.name.value
        if name not in value:
            return False
        nested = node.selection_set
        if nested and value[name] is not None and not _has_selection(value[name], nested):
            return False
    return True


def _agrees(rep: Json, stored: Json, selection: SelectionSetNode) -> bool:
    if not isinstance(stored, Mapping):
        return False
    for node in selection.selections:
        assert isinstance(node, FieldNode)
        name = node.name.value
        if name not in stored:
            return False
        if node.selection_set is None or rep[name] is None:
            if rep[name] != stored[name]:
                return False
        elif not _agrees(rep[name], stored[name], node.selection_set):
            return False
    return True


def _resolve_type(value: Any, info: GraphQLResolveInfo, abstract: GraphQLAbstractType) -> str:
    typename = value.get("__typename") if isinstance(value, Mapping) else None
    if not isinstance(typename, str):
        raise GraphQLError(f"data for abstract type {abstract.name} lacks __typename")
    return typename


def _path_text(info: GraphQLResolveInfo) -> str:
    return ".".join(str(part) for part in info.path.as_list())


def _entity_keys(document: DocumentNode) -> dict[str, list[EntityKey]]:
    keys: dict[str, list[EntityKey]] = {}
    for definition in document.definitions:
        if not isinstance(definition, TypeNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "key":
                continue
            arguments = {arg.name.value: arg.value for arg in directive.arguments or ()}
            fields = arguments["fields"]
            assert isinstance(fields, StringValueNode)
            resolvable = arguments.get("resolvable")
            selection = _field_set(fields.value)
            keys.setdefault(definition.name.value, []).append(
                EntityKey(
                    selection,
                    not isinstance(resolvable, BooleanValueNode) or resolvable.value,
                )
            )
    return keys


def _field_set(fields: str) -> SelectionSetNode:
    operation = parse("{" + fields + "}").definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def _build_schema(sdl: str, keys: Mapping[str, list[EntityKey]]) -> GraphQLSchema:
    document = _promote_orphan_extensions(parse(sdl))
    defined_types = {
        d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode)
    }
    defined_directives = {
        d.name.value for d in document.definitions if isinstance(d, DirectiveDefinitionNode)
    }
    extra = [text for name, text in FEDERATION_PRELUDE.items() if name not in defined_types]
    extra += [
        text for name, text in FEDERATION_DIRECTIVES.items() if name not in defined_directives
    ]
    query_type = _query_type_name(document)
    if query_type not in defined_types:
        extra.append(f"type {query_type}")
    base = build_ast_schema(document_from(document, extra), assume_valid_sdl=True)
    entity_types = sorted(
        name
        for name, type_keys in keys.items()
        if any(key.resolvable for key in type_keys) and is_object_type(base.get_type(name))
    )
    federation_fields = ["_service: _Service!"]
    if entity_types:
        extra.append("union _Entity = " + " | ".join(entity_types))
        federation_fields.append("_entities(representations: [_Any!]!): [_Entity]!")
    extra.append(f"extend type {query_type} {{ " + " ".join(federation_fields) + " }")
    return build_ast_schema(document_from(document, extra), assume_valid_sdl=True)


def _query_type_name(document: DocumentNode) -> str:
    """The query root's name: ``Query`` unless a schema definition renames it."""
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            for operation_type in definition.operation_types or ():
                if operation_type.operation == OperationType.QUERY:
                    return operation_type.type.name.value
    return "Query"


def document_from(document: DocumentNode, extra: list[str]) -> DocumentNode:
    """``document`` with the SDL snippets ``extra`` appended."""
    added = parse("\n".join(extra)).definitions if extra else ()
    return DocumentNode(definitions=(*document.definitions, *added))


def _promote_orphan_extensions(document: DocumentNode) -> DocumentNode:
    """Fed v1-style ``extend type T`` without a base ``type T`` becomes a definition."""
    defined = {
        d.name.value
        for d in document.definitions
        if isinstance(d, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode)
    }
    definitions = []
    for definition in document.definitions:
        name = getattr(getattr(definition, "name", None), "value", None)
        if isinstance(definition, ObjectTypeExtensionNode) and name not in defined:
            definition = ObjectTypeDefinitionNode(
                name=definition.name,
                interfaces=definition.interfaces,
                directives=definition.directives,
                fields=definition.fields,
            )
            defined.add(name)  # type: ignore[arg-type]
        elif isinstance(definition, InterfaceTypeExtensionNode) and name not in defined:
            definition = InterfaceTypeDefinitionNode(
                name=definition.name,
                interfaces=definition.interfaces,
                directives=definition.directives,
                fields=definition.fields,
            )
            defined.add(name)  # type: ignore[arg-type]
        definitions.append(definition)
    return DocumentNode(definitions=tuple(definitions))


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, status: int, payload: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _answer_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
