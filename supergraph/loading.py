"""Load an Apollo Federation supergraph SDL into a planning model and the public API schema."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from graphql import (
    ConstDirectiveNode,
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    OperationDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    SelectionSetNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    assert_valid_schema,
    build_ast_schema,
    parse,
    value_from_ast_untyped,
)

__all__ = [
    "ContextArgument",
    "FieldInGraph",
    "FieldModel",
    "Graph",
    "Supergraph",
    "SupergraphError",
    "TypeInGraph",
    "TypeModel",
    "load_supergraph",
    "parse_field_set",
]

# Specs a router may ignore without changing results; anything else `for: EXECUTION|SECURITY`
# would change who sees what, so an unknown one must stop the router.
_IMPLEMENTED_SPECS = frozenset(
    {
        "link",
        "core",
        "join",
        "inaccessible",
        "tag",
        "authenticated",
        "requiresScopes",
        "policy",
        "cost",
        "listSize",
        "context",
    }
)
_SPEC_HOSTS = ("https://specs.apollo.dev/", "http://specs.apollo.dev/")

_NodeT = TypeVar("_NodeT", bound=DefinitionNode)

_TYPE_NODES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
)


class SupergraphError(Exception):
    """The supergraph SDL is invalid or uses a feature this router cannot honour."""


@dataclass(frozen=True, slots=True)
class Graph:
    """One subgraph: its join__graph name, URL and the join__Graph enum value naming it."""

    name: str
    url: str
    enum_value: str


@dataclass(frozen=True, slots=True)
class TypeInGraph:
    """How one subgraph defines a type (one ``@join__type``, keys merged)."""

    graph: str
    keys: tuple[SelectionSetNode, ...] = ()
    resolvable_keys: tuple[SelectionSetNode, ...] = ()
    is_interface_object: bool = False
    extension: bool = False


@dataclass(frozen=True, slots=True)
class ContextArgument:
    """One ``join__ContextArgument``: argument ``name`` takes ``selection`` of the nearest
    ancestor marked ``@context(name: context)``."""

    name: str
    type: str
    context: str
    selection: SelectionSetNode


@dataclass(frozen=True, slots=True)
class FieldInGraph:
    """How one subgraph defines a field (one ``@join__field``)."""

    graph: str
    external: bool = False
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    type: str | None = None
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None
    # join v0.5 @fromContext arguments: values the router must copy from an ancestor.
    context_arguments: tuple[ContextArgument, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldModel:
    """A field of a composite type and the subgraphs that define or resolve it."""

    name: str
    parent: str
    type_name: str
    definitions: Mapping[str, FieldInGraph]
    resolvers: frozenset[str]


@dataclass(frozen=True, slots=True)
class TypeModel:
    """A supergraph type with its per-subgraph definitions and membership."""

    name: str
    kind: str
    graphs: Mapping[str, TypeInGraph]
    fields: Mapping[str, FieldModel]
    # interface or union name -> graphs in which this type implements / belongs to it
    member_of: Mapping[str, frozenset[str]]
    # names of the @context(name:) this type sets for @fromContext arguments below it
    contexts: frozenset[str] = frozenset()

    def keys_in(self, graph: str, *, resolvable: bool = True) -> tuple[SelectionSetNode, ...]:
        """Keys by which ``graph`` can resolve (or, ``resolvable=False``, reference) it."""
        info = self.graphs.get(graph)
        if info is None:
            return ()
        return info.resolvable_keys if resolvable else info.keys

    def is_interface_object_in(self, graph: str) -> bool:
        """Whether ``graph`` sees this interface as an ``@interfaceObject`` type."""
        info = self.graphs.get(graph)
        return info is not None and info.is_interface_object


@dataclass(frozen=True, slots=True)
class Supergraph:
    """A loaded supergraph: schemas plus precomputed ownership tables for the planner."""

    sdl: str
    supergraph_schema: GraphQLSchema
    api_schema: GraphQLSchema
    # keyed by subgraph name (``Fetch.service``), in join__Graph order
    graphs: Mapping[str, Graph]
    types: Mapping[str, TypeModel]
    enum_values: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)

    def graph_knows_type(self, graph: str, type_name: str) -> bool:
        """Whether ``graph`` defines ``type_name``."""
        model = self.types.get(type_name)
        return model is not None and graph in model.graphs

    def graph_knows_member(self, graph: str, abstract: str, member: str) -> bool:
        """Whether ``graph`` knows ``member`` as a possible type of ``abstract``."""
        if abstract == member:
            return self.graph_knows_type(graph, member)
        model = self.types.get(member)
        if model is None:
            return False
        return graph in model.member_of.get(abstract, frozenset())


def parse_field_set(text: str) -> SelectionSetNode:
    """Parse a ``join__FieldSet`` (``"id org { id }"``) into a selection set."""
    try:
        document = parse("{" + text + "}", no_location=True)
    except GraphQLError as error:
        raise SupergraphError(f"invalid field set {text!r}: {error.message}") from error
    definition = document.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return definition.selection_set


def load_supergraph(sdl: str) -> Supergraph:
    """Parse and check a supergraph SDL; build the API schema and the planning model."""
    try:
        document = parse(sdl, no_location=True)
    except GraphQLError as error:
        raise SupergraphError(f"supergraph SDL does not parse: {error.message}") from error
    names = _FeatureNames.from_document(document)
    supergraph_schema = _build_schema(document, "supergraph")
    graphs = _read_graphs(document, names)
    if not graphs:
        raise SupergraphError("supergraph declares no subgraphs (enum join__Graph is missing)")
    types = _read_types(document, names, graphs)
    api_schema = _build_schema(_api_document(document, names), "API")
    return Supergraph(
        sdl=sdl,
        supergraph_schema=supergraph_schema,
        api_schema=api_schema,
        graphs=MappingProxyType({graph.name: graph for graph in graphs.values()}),
        types=MappingProxyType(types),
        enum_values=MappingProxyType(_read_enum_values(document, names, graphs)),
    )


def _build_schema(document: DocumentNode, what: str) -> GraphQLSchema:
    try:
        schema = build_ast_schema(document)
        assert_valid_schema(schema)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"invalid {what} schema: {error}") from error
    return schema


@dataclass(frozen=True, slots=True)
class _FeatureNames:
    """Local names of the link/join/inaccessible machinery, honouring ``as:`` and ``import:``."""

    prefixes: frozenset[str]
    join: str
    inaccessible: str | None
    imported: frozenset[str]
    owner_aware: bool
    context: str = "context"

    @staticmethod
    def from_document(document: DocumentNode) -> _FeatureNames:
        links = [
            _directive_args(d)
            for definition in document.definitions
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode)
            for d in definition.directives or ()
            if d.name.value in ("link", "core")
        ]
        if not links:
            raise SupergraphError("not a supergraph: the schema has no @link or @core directive")
        prefixes: set[str] = set()
        imported: set[str] = set()
        join = "join"
        inaccessible: str | None = None
        join_version = ""
        context = "context"
        for args in links:
            url = str(args.get("url") or args.get("feature") or "")
            name, version = _spec_name(url)
            prefix = str(args.get("as") or name)
            prefixes.add(prefix)
            imports = _imports(args.get("import"))
            imported.update(imports.values())
            if name == "join":
                join, join_version = prefix, version
            if name == "context":
                context = imports.get("@context", "@" + prefix).removeprefix("@")
            if name == "inaccessible":
                inaccessible = imports.get("@inaccessible", "@" + prefix).removeprefix("@")
            purpose = args.get("for")
            if purpose in ("EXECUTION", "SECURITY") and name not in _IMPLEMENTED_SPECS:
                raise SupergraphError(
                    f"unsupported feature {url} (for: {purpose}): this router cannot honour it"
                )
        if "join" not in {
            _spec_name(str(a.get("url") or a.get("feature") or ""))[0] for a in links
        }:
            raise SupergraphError("not a supergraph: no join spec is linked")
        return _FeatureNames(
            prefixes=frozenset(prefixes),
            join=join,
            inaccessible=inaccessible,
            imported=frozenset(i.removeprefix("@") for i in imported),
            owner_aware=join_version in ("v0.1", "v0.2"),
            context=context,
        )

    def directive(self, name: str) -> str:
        """Local name of the join spec directive ``name`` (``type`` -> ``join__type``)."""
        return f"{self.join}__{name}"

    def is_machinery(self, name: str) -> bool:
        """Whether a type or directive name belongs to a linked spec (removed from the API)."""
        if name in self.prefixes or name in self.imported:
            return True
        return any(name.startswith(prefix + "__") for prefix in self.prefixes)


def _spec_name(url: str) -> tuple[str, str]:
    for host in _SPEC_HOSTS:
        if url.startswith(host):
            parts = url.removeprefix(host).strip("/").split("/")
            return parts[0], parts[1] if len(parts) > 1 else ""
    parts = url.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-1].startswith("v"):
        return parts[-2], parts[-1]
    return (parts[-1] if parts else url), ""


def _imports(raw: Any) -> dict[str, str]:
    """``import:`` entries as {original name: local name}."""
    result: dict[str, str] = {}
    for item in raw or ():
        if isinstance(item, str):
            result[item] = item
        elif isinstance(item, dict) and "name" in item:
            result[str(item["name"])] = str(item.get("as") or item["name"])
    return result


def _directive_args(directive: ConstDirectiveNode) -> dict[str, Any]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def _directives(node: Any, name: str) -> list[dict[str, Any]]:
    return [_directive_args(d) for d in node.directives or () if d.name.value == name]


def _read_graphs(document: DocumentNode, names: _FeatureNames) -> dict[str, Graph]:
    graph_enum = f"{names.join}__Graph"
    graphs: dict[str, Graph] = {}
    for definition in document.definitions:
        if (
            not isinstance(definition, EnumTypeDefinitionNode)
            or definition.name.value != graph_enum
        ):
            continue
        for value in definition.values or ():
            for args in _directives(value, names.directive("graph")):
                name, url = args.get("name"), args.get("url")
                if not isinstance(name, str) or not isinstance(url, str):
                    raise SupergraphError(f"join__graph on {value.name.value} needs name and url")
                graphs[value.name.value] = Graph(name=name, url=url, enum_value=value.name.value)
    return graphs


def _graph_name(graphs: Mapping[str, Graph], enum_value: Any, where: str) -> str:
    graph = graphs.get(str(enum_value))
    if graph is None:
        raise SupergraphError(f"{where} names unknown subgraph {enum_value!r}")
    return graph.name


def _named_type(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def _type_nodes(document: DocumentNode) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for definition in document.definitions:
        if isinstance(definition, _TYPE_NODES):
            grouped.setdefault(definition.name.value, []).append(definition)
    return grouped


def _kind(nodes: list[Any]) -> str:
    first = nodes[0]
    if isinstance(first, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
        return "object"
    if isinstance(first, InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode):
        return "interface"
    if isinstance(first, UnionTypeDefinitionNode | UnionTypeExtensionNode):
        return "union"
    if isinstance(first, EnumTypeDefinitionNode | EnumTypeExtensionNode):
        return "enum"
    if isinstance(first, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
        return "input"
    return "scalar"


def _read_types(
    document: DocumentNode, names: _FeatureNames, graphs: Mapping[str, Graph]
) -> dict[str, TypeModel]:
    grouped = _type_nodes(document)
    member_of: dict[str, dict[str, set[str]]] = {}
    for type_name, nodes in grouped.items():
        kind = _kind(nodes)
        for node in nodes:
            for args in _directives(node, names.directive("implements")):
                graph = _graph_name(graphs, args.get("graph"), f"join__implements on {type_name}")
                member_of.setdefault(type_name, {}).setdefault(
                    str(args.get("interface")), set()
                ).add(graph)
            if kind != "union":
                continue
            for args in _directives(node, names.directive("unionMember")):
                graph = _graph_name(graphs, args.get("graph"), f"join__unionMember on {type_name}")
                member_of.setdefault(str(args.get("member")), {}).setdefault(type_name, set()).add(
                    graph
                )
    types: dict[str, TypeModel] = {}
    for type_name, nodes in grouped.items():
        if names.is_machinery(type_name):
            continue
        kind = _kind(nodes)
        type_graphs = _read_type_graphs(type_name, nodes, names, graphs)
        fields = (
            _read_fields(type_name, nodes, names, graphs, type_graphs)
            if kind in ("object", "interface")
            else {}
        )
        types[type_name] = TypeModel(
            name=type_name,
            kind=kind,
            graphs=MappingProxyType(type_graphs),
            fields=MappingProxyType(fields),
            member_of=MappingProxyType({}),
            contexts=_read_contexts(nodes, names),
        )
    _fill_default_membership(grouped, types, member_of)
    return {
        name: TypeModel(
            name=model.name,
            kind=model.kind,
            graphs=model.graphs,
            fields=model.fields,
            member_of=MappingProxyType(
                {k: frozenset(v) for k, v in member_of.get(name, {}).items()}
            ),
            contexts=model.contexts,
        )
        for name, model in types.items()
    }


def _fill_default_membership(
    grouped: Mapping[str, list[Any]],
    types: Mapping[str, TypeModel],
    member_of: dict[str, dict[str, set[str]]],
) -> None:
    """A member/abstract pair without join__implements or join__unionMember: every graph
    defining both types knows the link (older join versions)."""
    for type_name, nodes in grouped.items():
        if type_name not in types:
            continue
        abstract_members: list[str] = []
        for node in nodes:
            if isinstance(node, UnionTypeDefinitionNode | UnionTypeExtensionNode):
                abstract_members.extend(t.name.value for t in node.types or ())
        for member in abstract_members:
            _default_link(types, member_of, member, type_name)
        for node in nodes:
            for interface in getattr(node, "interfaces", None) or ():
                _default_link(types, member_of, type_name, interface.name.value)


def _default_link(
    types: Mapping[str, TypeModel],
    member_of: dict[str, dict[str, set[str]]],
    member: str,
    abstract: str,
) -> None:
    links = member_of.setdefault(member, {})
    if abstract in links or member not in types or abstract not in types:
        return
    links[abstract] = set(types[member].graphs) & set(types[abstract].graphs)


def _read_type_graphs(
    type_name: str, nodes: list[Any], names: _FeatureNames, graphs: Mapping[str, Graph]
) -> dict[str, TypeInGraph]:
    keys: dict[str, list[SelectionSetNode]] = {}
    resolvable: dict[str, list[SelectionSetNode]] = {}
    flags: dict[str, tuple[bool, bool]] = {}
    for node in nodes:
        for args in _directives(node, names.directive("type")):
            graph = _graph_name(graphs, args.get("graph"), f"join__type on {type_name}")
            keys.setdefault(graph, [])
            resolvable.setdefault(graph, [])
            interface_object = bool(args.get("isInterfaceObject", False))
            extension = bool(args.get("extension", False))
            previous = flags.get(graph, (False, False))
            flags[graph] = (previous[0] or interface_object, previous[1] or extension)
            key = args.get("key")
            if not isinstance(key, str):
                continue
            selection = parse_field_set(key)
            keys[graph].append(selection)
            if args.get("resolvable", True) is not False:
                resolvable[graph].append(selection)
    return {
        graph: TypeInGraph(
            graph=graph,
            keys=tuple(keys[graph]),
            resolvable_keys=tuple(resolvable[graph]),
            is_interface_object=flags[graph][0],
            extension=flags[graph][1],
        )
        for graph in keys
    }


def _read_fields(
    type_name: str,
    nodes: list[Any],
    names: _FeatureNames,
    graphs: Mapping[str, Graph],
    type_graphs: Mapping[str, TypeInGraph],
) -> dict[str, FieldModel]:
    owner = _owner(nodes, names, graphs, type_name)
    fields: dict[str, FieldModel] = {}
    for node in nodes:
        for definition in node.fields or ():
            fields[definition.name.value] = _read_field(
                type_name, definition, names, graphs, type_graphs, owner
            )
    return fields


def _owner(
    nodes: list[Any], names: _FeatureNames, graphs: Mapping[str, Graph], type_name: str
) -> str | None:
    if not names.owner_aware:
        return None
    for node in nodes:
        for args in _directives(node, names.directive("owner")):
            return _graph_name(graphs, args.get("graph"), f"join__owner on {type_name}")
    return None


def _read_field(
    type_name: str,
    definition: FieldDefinitionNode,
    names: _FeatureNames,
    graphs: Mapping[str, Graph],
    type_graphs: Mapping[str, TypeInGraph],
    owner: str | None,
) -> FieldModel:
    where = f"join__field on {type_name}.{definition.name.value}"
    entries: dict[str, FieldInGraph] = {}
    has_join_field = False
    for args in _directives(definition, names.directive("field")):
        has_join_field = True
        if args.get("graph") is None:
            continue
        graph = _graph_name(graphs, args.get("graph"), where)
        entries[graph] = FieldInGraph(
            graph=graph,
            external=bool(args.get("external", False)),
            requires=_optional_field_set(args.get("requires")),
            provides=_optional_field_set(args.get("provides")),
            type=args.get("type"),
            override=args.get("override"),
            used_overridden=bool(args.get("usedOverridden", False)),
            override_label=args.get("overrideLabel"),
            context_arguments=_context_arguments(args.get("contextArguments"), where),
        )
    if not has_join_field:
        default_graphs = [owner] if owner else list(type_graphs)
        entries = {graph: FieldInGraph(graph=graph) for graph in default_graphs}
    overridden: set[str] = set()
    for graph, entry in entries.items():
        if not entry.override:
            continue
        if entry.override_label is None or _label_active(entry.override_label):
            overridden.add(_override_source(entry.override, graphs))
        else:
            overridden.add(graph)
    resolvers = frozenset(
        graph
        for graph, entry in entries.items()
        if not entry.external and not entry.used_overridden and graph not in overridden
    )
    return FieldModel(
        name=definition.name.value,
        parent=type_name,
        type_name=_named_type(definition.type),
        definitions=MappingProxyType(entries),
        resolvers=resolvers,
    )


def _context_arguments(raw: Any, where: str) -> tuple[ContextArgument, ...]:
    arguments: list[ContextArgument] = []
    for entry in raw or ():
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("name", "type", "context", "selection")
        ):
            raise SupergraphError(f"invalid contextArguments in {where}: {entry!r}")
        selection = entry["selection"].strip()
        arguments.append(
            ContextArgument(
                name=entry["name"],
                type=entry["type"],
                context=entry["context"],
                selection=parse_field_set(
                    selection[1:-1] if selection.startswith("{") else selection
                ),
            )
        )
    return tuple(arguments)


def _read_contexts(nodes: list[Any], names: _FeatureNames) -> frozenset[str]:
    """``@context(name:)``, or the same carried by ``@join__directive``, on a type."""
    found = {str(args.get("name")) for node in nodes for args in _directives(node, names.context)}
    for node in nodes:
        for args in _directives(node, names.directive("directive")):
            if args.get("name") in ("context", "federation__context"):
                directive_args = args.get("args")
                if isinstance(directive_args, dict) and "name" in directive_args:
                    found.add(str(directive_args["name"]))
    return frozenset(found)


def _label_active(label: str) -> bool:
    """Progressive override: plans are cached, so ``percent(n)`` is on from 50% up.

    Other labels are switched on per request by a coprocessor, which this router has not.
    """
    match = re.fullmatch(r"percent\((\d+(?:\.\d+)?)\)", label.strip())
    return match is not None and float(match.group(1)) >= 50


def _override_source(name: str, graphs: Mapping[str, Graph]) -> str:
    """``override:`` names a subgraph; match it case-insensitively to a join__graph name."""
    for graph in graphs.values():
        if name.lower() in (graph.name.lower(), graph.enum_value.lower()):
            return graph.name
    return name


def _optional_field_set(value: Any) -> SelectionSetNode | None:
    return parse_field_set(value) if isinstance(value, str) else None


def _read_enum_values(
    document: DocumentNode, names: _FeatureNames, graphs: Mapping[str, Graph]
) -> dict[str, Mapping[str, frozenset[str]]]:
    result: dict[str, Mapping[str, frozenset[str]]] = {}
    for definition in document.definitions:
        if not isinstance(definition, EnumTypeDefinitionNode):
            continue
        if names.is_machinery(definition.name.value):
            continue
        values: dict[str, frozenset[str]] = {}
        for value in definition.values or ():
            found = _directives(value, names.directive("enumValue"))
            if found:
                values[value.name.value] = frozenset(
                    _graph_name(graphs, a.get("graph"), "join__enumValue") for a in found
                )
        result[definition.name.value] = MappingProxyType(values)
    return result


# --- API schema -------------------------------------------------------------------------


def _api_document(document: DocumentNode, names: _FeatureNames) -> DocumentNode:
    """The supergraph minus link/join machinery and every ``@inaccessible`` element."""
    hidden = {
        d.name.value
        for d in document.definitions
        if isinstance(d, _TYPE_NODES)
        and (_is_inaccessible(d, names) or names.is_machinery(d.name.value))
    }
    definitions: list[DefinitionNode] = []
    for definition in document.definitions:
        kept = _api_definition(definition, names, hidden)
        if kept is not None:
            definitions.append(kept)
    return DocumentNode(definitions=tuple(definitions))


def _is_inaccessible(node: Any, names: _FeatureNames) -> bool:
    if names.inaccessible is None:
        return False
    return any(d.name.value == names.inaccessible for d in node.directives or ())


def _public_directives(node: Any, names: _FeatureNames) -> tuple[ConstDirectiveNode, ...]:
    return tuple(d for d in node.directives or () if not names.is_machinery(d.name.value))


def _api_definition(
    definition: DefinitionNode, names: _FeatureNames, hidden: set[str]
) -> DefinitionNode | None:
    if isinstance(definition, DirectiveDefinitionNode):
        return None if names.is_machinery(definition.name.value) else definition
    if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
        operation_types = tuple(
            op for op in definition.operation_types or () if op.type.name.value not in hidden
        )
        return type(definition)(directives=(), operation_types=operation_types)
    if not isinstance(definition, _TYPE_NODES) or definition.name.value in hidden:
        return None if isinstance(definition, _TYPE_NODES) else definition
    return _strip_type(definition, names, hidden)


def _strip_type(definition: _NodeT, names: _FeatureNames, hidden: set[str]) -> _NodeT:
    changes: dict[str, Any] = {"directives": _public_directives(definition, names)}
    fields = getattr(definition, "fields", None)
    if fields is not None:
        changes["fields"] = tuple(
            _strip_field(f, names, hidden)
            for f in fields
            if not _is_inaccessible(f, names) and _named_type(f.type) not in hidden
        )
    values = getattr(definition, "values", None)
    if values is not None:
        changes["values"] = tuple(
            v.__class__(**{**_node_kwargs(v), "directives": _public_directives(v, names)})
            for v in values
            if not _is_inaccessible(v, names)
        )
    interfaces = getattr(definition, "interfaces", None)
    if interfaces is not None:
        changes["interfaces"] = tuple(i for i in interfaces if i.name.value not in hidden)
    types = getattr(definition, "types", None)
    if types is not None:
        changes["types"] = tuple(t for t in types if t.name.value not in hidden)
    return type(definition)(**{**_node_kwargs(definition), **changes})


def _strip_field(definition: Any, names: _FeatureNames, hidden: set[str]) -> Any:
    changes: dict[str, Any] = {"directives": _public_directives(definition, names)}
    if getattr(definition, "arguments", None) is not None:
        changes["arguments"] = tuple(
            a.__class__(**{**_node_kwargs(a), "directives": _public_directives(a, names)})
            for a in definition.arguments
            if not _is_inaccessible(a, names) and _named_type(a.type) not in hidden
        )
    return definition.__class__(**{**_node_kwargs(definition), **changes})


def _node_kwargs(node: Any) -> dict[str, Any]:
    return {key: getattr(node, key) for key in node.keys if key != "loc"}
