"""Normalize a subgraph SDL: resolve federation directive names, fold extensions, find traits."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
    value_from_ast_untyped,
)
from graphql.language import TypeDefinitionNode, TypeExtensionNode

from .fieldsets import FieldSetTarget, Leaf, base_type_name, resolve_field_set
from .model import (
    BUILTIN_SCALARS,
    Applied,
    ArgumentDef,
    DirectiveDef,
    EnumValueDef,
    FieldDef,
    KeyDef,
    Subgraph,
    SubgraphDefinition,
    TypeDef,
    TypeKind,
)
from .values import print_value

__all__ = ["MERGED_DIRECTIVES", "normalize_all", "normalize_subgraph"]

FEDERATION_DIRECTIVES = (
    "key", "requires", "provides", "external", "tag", "extends", "shareable", "inaccessible",
    "override", "composeDirective", "interfaceObject", "authenticated", "requiresScopes",
    "policy", "context", "fromContext", "cost", "listSize", "cacheTag",
)  # fmt: skip
FEDERATION1_DIRECTIVES = ("key", "requires", "provides", "external", "extends", "tag")
MERGED_DIRECTIVES = (
    "tag", "inaccessible", "authenticated", "requiresScopes", "policy", "context", "cost",
    "listSize",
)  # fmt: skip
BUILTIN_PASSTHROUGH = ("deprecated", "specifiedBy", "oneOf")
INTERNAL_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet"})
# Imported spec scalars (`import: ["FieldSet"]`); a user object type may share the name.
INTERNAL_SCALARS = frozenset({"FieldSet", "Import", "Scope", "Policy", "ContextFieldValue"})
INTERNAL_PREFIXES = ("federation__", "link__", "join__")
BUILTIN_DIRECTIVES = frozenset(
    {"skip", "include", "deprecated", "specifiedBy", "defer", "stream", "oneOf"}
)
EXECUTABLE_LOCATIONS = frozenset(
    {
        "QUERY",
        "MUTATION",
        "SUBSCRIPTION",
        "FIELD",
        "FRAGMENT_DEFINITION",
        "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION",
    }
)
ROOT_DEFAULTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
CONTEXT_FIELD = re.compile(
    r"^(?:[\n\r\t ,]|#[^\n\r]*)*\$(?:[\n\r\t ,]|#[^\n\r]*)*([A-Za-z_]\w*)([\s\S]*)$"
)
FEDERATION_URL = re.compile(r"specs\.apollo\.dev/federation/v2\.(\d+)")

_KINDS: dict[type, TypeKind] = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
    ScalarTypeExtensionNode: "scalar",
}


@dataclass
class _Raw:
    """The definition and extension nodes of one type, before normalization."""

    kind: TypeKind
    nodes: list[TypeDefinitionNode | TypeExtensionNode] = field(default_factory=list)


@dataclass
class _Context:
    """What normalization of one subgraph needs: names, raw types, and collected errors."""

    name: str
    directive_names: dict[str, str]
    renames: dict[str, str]
    raw: dict[str, _Raw]
    errors: list[str]
    federation_1: bool = False
    interface_objects: set[str] = field(default_factory=set)
    external_checks: list[tuple[str, str, Leaf]] = field(default_factory=list)

    def canonical(self, directive: ConstDirectiveNode) -> str:
        return self.directive_names.get(directive.name.value, "")

    def has(self, node: object, name: str) -> bool:
        return any(self.canonical(d) == name for d in getattr(node, "directives", None) or ())

    def find(self, node: object, name: str) -> list[ConstDirectiveNode]:
        return [d for d in getattr(node, "directives", None) or () if self.canonical(d) == name]

    def type_name(self, name: str) -> str:
        return self.renames.get(name, name)

    def type_ref(self, node: TypeNode) -> str:
        if isinstance(node, NonNullTypeNode):
            return self.type_ref(node.type) + "!"
        if isinstance(node, ListTypeNode):
            return "[" + self.type_ref(node.type) + "]"
        assert isinstance(node, NamedTypeNode)
        return self.type_name(node.name.value)


def normalize_subgraph(definition: SubgraphDefinition) -> tuple[Subgraph | None, list[str]]:
    """The normalized subgraph, or None and the reasons it cannot be composed."""
    try:
        document = parse(definition.sdl, no_location=True)
    except GraphQLError as error:
        return None, [f"[{definition.name}] Invalid SDL: {error.message}"]
    minor, directive_names = _directive_names(document)
    roots = _roots(document)
    renames = {name: ROOT_DEFAULTS[op] for op, name in roots.items() if name != ROOT_DEFAULTS[op]}
    context = _Context(definition.name, directive_names, renames, {}, [], federation_1=minor < 0)
    _collect_types(document, context)
    context.raw.setdefault("Query", _Raw("object"))
    types = _build_types(context)
    _check_references(types, context)
    _check_externals(types, context)
    subgraph = Subgraph(
        name=definition.name,
        url=definition.url,
        federation_minor=minor,
        types=types,
        roots={op: ROOT_DEFAULTS[op] for op in {"query", *roots} if ROOT_DEFAULTS[op] in types},
        directives=_executable_directives(document, context),
    )
    return subgraph, context.errors


def _executable_directives(document: DocumentNode, context: _Context) -> dict[str, DirectiveDef]:
    """Executable directive definitions: composition keeps those every subgraph defines."""
    result: dict[str, DirectiveDef] = {}
    for node in document.definitions:
        if not isinstance(node, DirectiveDefinitionNode) or node.name.value in BUILTIN_DIRECTIVES:
            continue
        locations = tuple(loc.value for loc in node.locations if loc.value in EXECUTABLE_LOCATIONS)
        if not locations or node.name.value in context.directive_names:
            continue
        result[node.name.value] = DirectiveDef(
            name=node.name.value,
            description=_description(node),
            args=tuple(_argument(context, a) for a in node.arguments or ()),
            repeatable=node.repeatable,
            locations=locations,
        )
    return result


def _schema_nodes(document: DocumentNode) -> list[SchemaDefinitionNode | SchemaExtensionNode]:
    return [
        d for d in document.definitions if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode)
    ]


def _directive_names(document: DocumentNode) -> tuple[int, dict[str, str]]:
    """Federation 2 minor version (-1 for fed 1) and local directive name -> canonical name."""
    for schema in _schema_nodes(document):
        for directive in schema.directives or ():
            if directive.name.value != "link":
                continue
            args = {a.name.value: a.value for a in directive.arguments or ()}
            url = args.get("url")
            match = FEDERATION_URL.search(url.value) if isinstance(url, StringValueNode) else None
            if match is None:
                continue
            alias = args.get("as")
            namespace = (
                alias.value.lstrip("@") if isinstance(alias, StringValueNode) else "federation"
            )
            names = {f"{namespace}__{name}": name for name in FEDERATION_DIRECTIVES}
            names.update(_imports(args.get("import")))
            _add_passthrough(names)
            return int(match.group(1)), names
    names = {name: name for name in FEDERATION1_DIRECTIVES}
    names["inaccessible"] = "inaccessible"
    _add_passthrough(names)
    return -1, names


def _add_passthrough(names: dict[str, str]) -> None:
    for name in BUILTIN_PASSTHROUGH:
        names.setdefault(name, name)


def _imports(value: object) -> dict[str, str]:
    if not isinstance(value, ListValueNode):
        return {}
    names: dict[str, str] = {}
    for item in value.values:
        if isinstance(item, StringValueNode):
            names[item.value.lstrip("@")] = item.value.lstrip("@")
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: f.value for f in item.fields}
            original, alias = fields.get("name"), fields.get("as")
            if isinstance(original, StringValueNode):
                local = alias.value if isinstance(alias, StringValueNode) else original.value
                names[local.lstrip("@")] = original.value.lstrip("@")
    return {
        local: canonical for local, canonical in names.items() if canonical in FEDERATION_DIRECTIVES
    }


def _roots(document: DocumentNode) -> dict[str, str]:
    roots: dict[str, str] = {}
    for schema in _schema_nodes(document):
        for operation in schema.operation_types or ():
            roots[operation.operation.value] = operation.type.name.value
    defined = {d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode)}
    for op, default in ROOT_DEFAULTS.items():
        if op not in roots and default in defined:
            roots[op] = default
    return roots


def _collect_types(document: DocumentNode, context: _Context) -> None:
    for node in document.definitions:
        kind = _KINDS.get(type(node))
        if kind is None or not isinstance(node, TypeDefinitionNode | TypeExtensionNode):
            continue
        name = node.name.value
        if name in INTERNAL_TYPES or name.startswith(INTERNAL_PREFIXES):
            continue
        if kind == "scalar" and name in INTERNAL_SCALARS:
            continue
        if kind == "object" and context.has(node, "interfaceObject"):
            context.interface_objects.add(context.type_name(name))
        raw = context.raw.setdefault(context.type_name(name), _Raw(kind))
        if raw.kind != kind:
            context.errors.append(
                f'[{context.name}] Type "{name}" is defined both as {raw.kind} and as {kind}'
            )
            continue
        raw.nodes.append(node)


def _is_extension(node: object) -> bool:
    return type(node).__name__.endswith("ExtensionNode")


def _field_nodes(raw: _Raw) -> list[tuple[Any, object]]:
    return [(f, node) for node in raw.nodes for f in getattr(node, "fields", None) or ()]


def _field_type_lookup(context: _Context) -> Callable[[str, str], str | None]:
    def lookup(type_name: str, field_name: str) -> str | None:
        raw = context.raw.get(type_name)
        if raw is None or raw.kind not in ("object", "interface"):
            return None
        for field_node, _ in _field_nodes(raw):
            if field_node.name.value == field_name:
                return context.type_ref(field_node.type)
        return None

    return lookup


def _implementations(context: _Context) -> dict[str, tuple[str, ...]]:
    result: dict[str, list[str]] = {}
    for name, raw in context.raw.items():
        for node in raw.nodes:
            for interface in getattr(node, "interfaces", None) or ():
                result.setdefault(context.type_name(interface.name.value), []).append(name)
    return {k: tuple(v) for k, v in result.items()}


@dataclass
class _Traits:
    """Field coordinates collected from field sets across the subgraph."""

    key_fields: set[FieldSetTarget] = field(default_factory=set)
    fake_external: set[FieldSetTarget] = field(default_factory=set)
    provided: set[FieldSetTarget] = field(default_factory=set)
    used: set[FieldSetTarget] = field(default_factory=set)


def _string_arg(directive: ConstDirectiveNode, name: str) -> str | None:
    for argument in directive.arguments or ():
        if argument.name.value == name and isinstance(argument.value, StringValueNode):
            return argument.value.value
    return None


def _bool_arg(directive: ConstDirectiveNode, name: str) -> bool | None:
    for argument in directive.arguments or ():
        if argument.name.value == name and isinstance(argument.value, BooleanValueNode):
            return argument.value.value
    return None


def _resolve(
    context: _Context, directive: ConstDirectiveNode, label: str, parent: str, where: str
) -> list[FieldSetTarget]:
    fields = _string_arg(directive, "fields")
    prefix = f'[{context.name}] On {where}, for @{label}(fields: "{fields}")'
    if fields is None:
        context.errors.append(f"[{context.name}] On {where}, @{label} has no fields argument")
        return []
    resolved = resolve_field_set(
        fields, parent, _field_type_lookup(context), _implementations(context)
    )
    for error in resolved.errors:
        hint = ""
        if error.startswith("Cannot query"):
            hint = (
                " (the field should either be added to this subgraph or, if it should not be"
                " resolved by this subgraph, you need to add it to this subgraph with @external)"
            )
        context.errors.append(f"{prefix}: {error}{hint}.")
    if label != "key":
        context.external_checks.extend((prefix, label, leaf) for leaf in resolved.leaves)
    return resolved.targets


def _collect_traits(context: _Context) -> _Traits:
    traits = _Traits()
    for name, raw in context.raw.items():
        extends = any(context.has(node, "extends") for node in raw.nodes)
        for node in raw.nodes:
            for key in context.find(node, "key"):
                targets = _resolve(context, key, "key", name, f'type "{name}"')
                traits.key_fields.update(targets)
                traits.used.update(targets)
                if _is_extension(node) or extends:
                    traits.fake_external.update(t for t in targets if t.type_name == name)
        for field_node, _ in _field_nodes(raw):
            where = f'field "{name}.{field_node.name.value}"'
            for requires in context.find(field_node, "requires"):
                traits.used.update(_resolve(context, requires, "requires", name, where))
            for provides in context.find(field_node, "provides"):
                target_type = base_type_name(context.type_ref(field_node.type))
                targets = _resolve(context, provides, "provides", target_type, where)
                traits.provided.update(targets)
                traits.used.update(targets)
    traits.used.update(_context_uses(context))
    return traits


def _check_externals(types: dict[str, TypeDef], context: _Context) -> None:
    """@requires/@provides leaves must be @external; every @external field must be used."""

    def is_external(target: FieldSetTarget) -> bool:
        type_def = types.get(target.type_name)
        found = type_def.field(target.field_name) if type_def else None
        return found is not None and found.external

    for prefix, label, leaf in context.external_checks:
        if is_external(leaf.target) or any(is_external(a) for a in leaf.ancestors):
            continue
        coordinate = f"{leaf.target.type_name}.{leaf.target.field_name}"
        context.errors.append(
            f'{prefix}: field "{coordinate}" should not be part of a @{label} since it is '
            "already provided by this subgraph (it is not marked @external)"
        )
    for type_def in types.values():
        interface_fields = {
            f.name for i in type_def.interfaces if i in types for f in types[i].fields
        }
        for field_def in type_def.fields:
            if not field_def.external or field_def.used or field_def.name in interface_fields:
                continue
            context.errors.append(
                f'[{context.name}] Field "{type_def.name}.{field_def.name}" is marked @external '
                "but is not used in any federation directive (@key, @provides, @requires) or to "
                "satisfy an interface; the field declaration has no use and should be removed "
                "(or the field should not be @external)."
            )


def _applied(context: _Context, node: object) -> tuple[Applied, ...]:
    result = []
    for directive in getattr(node, "directives", None) or ():
        name = context.canonical(directive)
        if name not in MERGED_DIRECTIVES and name not in BUILTIN_PASSTHROUGH:
            continue
        args = ", ".join(
            f"{a.name.value}: {print_value(a.value)}" for a in directive.arguments or ()
        )
        if name == "context":
            args = f'name: "{context.name}__{_string_arg(directive, "name")}"'
        values = {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}
        result.append(Applied(name, f"({args})" if args else "", json.dumps(values)))
    return tuple(result)


def _description(node: object) -> str | None:
    description = getattr(node, "description", None)
    return description.value if description is not None else None


def _argument(context: _Context, node: InputValueDefinitionNode) -> ArgumentDef:
    from_context = next(iter(context.find(node, "fromContext")), None)
    name, selection = _parse_context(_string_arg(from_context, "field") if from_context else None)
    return ArgumentDef(
        name=node.name.value,
        type=context.type_ref(node.type),
        default=print_value(node.default_value) if node.default_value is not None else None,
        description=_description(node),
        directives=_applied(context, node),
        context=f"{context.name}__{name}" if name else None,
        selection=selection,
    )


def _parse_context(value: str | None) -> tuple[str | None, str | None]:
    """`$acct { currency }` -> ("acct", " { currency }"), as Apollo's parseContext splits it."""
    match = CONTEXT_FIELD.match(value or "")
    return (match.group(1), match.group(2)) if match else (None, None)


def _context_uses(context: _Context) -> list[FieldSetTarget]:
    """Fields that @fromContext selections read from the types carrying that @context."""
    holders: dict[str, list[str]] = {}
    for type_name, raw in context.raw.items():
        for node in raw.nodes:
            for applied in context.find(node, "context"):
                holders.setdefault(_string_arg(applied, "name") or "", []).append(type_name)
    used: list[FieldSetTarget] = []
    for raw in context.raw.values():
        for field_node, _ in _field_nodes(raw):
            for argument in getattr(field_node, "arguments", None) or ():
                for from_context in context.find(argument, "fromContext"):
                    wanted, selection = _parse_context(_string_arg(from_context, "field"))
                    fields = (selection or "").strip().removeprefix("{").removesuffix("}")
                    for holder in holders.get(wanted or "", []):
                        resolved = resolve_field_set(
                            fields, holder, _field_type_lookup(context), _implementations(context)
                        )
                        used.extend(resolved.targets)
    return used


def _field(
    context: _Context, type_name: str, node: FieldDefinitionNode, parent: object, traits: _Traits
) -> FieldDef:
    target = FieldSetTarget(type_name, node.name.value)
    external_type = (
        context.has(parent, "external")
        and context.directive_names.get("external") is not None
        and not _is_extension(parent)
    )
    external = (
        context.has(node, "external") or external_type
    ) and target not in traits.fake_external
    shareable = (
        context.has(node, "shareable")
        or context.has(parent, "shareable")
        or target in traits.key_fields
        or (external and target in traits.provided)
        or context.federation_1
    )
    override = next(iter(context.find(node, "override")), None)
    requires = next(iter(context.find(node, "requires")), None)
    provides = next(iter(context.find(node, "provides")), None)
    return FieldDef(
        name=node.name.value,
        type=context.type_ref(node.type),
        args=tuple(_argument(context, a) for a in node.arguments or ()),
        description=_description(node),
        external=external,
        provided=target in traits.provided,
        shareable=shareable,
        used=target in traits.used,
        requires=_string_arg(requires, "fields") if requires else None,
        provides=_string_arg(provides, "fields") if provides else None,
        override=_string_arg(override, "from") if override else None,
        override_label=_string_arg(override, "label") if override else None,
        directives=_applied(context, node),
    )


def _input_field(context: _Context, node: InputValueDefinitionNode) -> FieldDef:
    argument = _argument(context, node)
    return FieldDef(
        name=argument.name,
        type=argument.type,
        description=argument.description,
        default=argument.default,
        directives=argument.directives,
    )


def _keys(context: _Context, raw: _Raw) -> tuple[KeyDef, ...]:
    extends = any(context.has(node, "extends") for node in raw.nodes)
    keys = []
    for node in raw.nodes:
        for key in context.find(node, "key"):
            keys.append(
                KeyDef(
                    fields=_string_arg(key, "fields") or "",
                    resolvable=_bool_arg(key, "resolvable"),
                    extension=_is_extension(node) or extends,
                )
            )
    return tuple(keys)


def _build_type(context: _Context, name: str, raw: _Raw, traits: _Traits) -> TypeDef:
    nodes = raw.nodes
    is_interface_object = name in context.interface_objects
    kind: TypeKind = "interface" if is_interface_object else raw.kind
    fields: tuple[FieldDef, ...] = ()
    if raw.kind in ("object", "interface"):
        fields = tuple(
            _field(context, name, f, parent, traits)
            for f, parent in _field_nodes(raw)
            if not (name == "Query" and f.name.value in ("_entities", "_service"))
        )
    elif raw.kind == "input":
        fields = tuple(_input_field(context, f) for f, _ in _field_nodes(raw))
    return TypeDef(
        kind=kind,
        name=name,
        description=next((d for d in map(_description, nodes) if d is not None), None),
        fields=fields,
        interfaces=_unique(
            context.type_name(i.name.value)
            for n in nodes
            for i in getattr(n, "interfaces", None) or ()
        ),
        members=_unique(
            context.type_name(m.name.value) for n in nodes for m in getattr(n, "types", None) or ()
        ),
        values=tuple(
            EnumValueDef(v.name.value, _description(v), _applied(context, v))
            for n in nodes
            for v in getattr(n, "values", None) or ()
        ),
        keys=_keys(context, raw),
        interface_object=is_interface_object,
        has_definition=any(not _is_extension(n) for n in nodes),
        directives=tuple(d for n in nodes for d in _applied(context, n)),
    )


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _build_types(context: _Context) -> dict[str, TypeDef]:
    traits = _collect_traits(context)
    return {name: _build_type(context, name, raw, traits) for name, raw in context.raw.items()}


def _check_references(types: dict[str, TypeDef], context: _Context) -> None:
    def check(type_ref: str, where: str) -> None:
        name = base_type_name(type_ref)
        if name not in types and name not in BUILTIN_SCALARS:
            context.errors.append(f'[{context.name}] Unknown type "{name}" (used by {where}).')

    for type_def in types.values():
        for field_def in type_def.fields:
            coordinate = f'"{type_def.name}.{field_def.name}"'
            check(field_def.type, f"field {coordinate}")
            for argument in field_def.args:
                check(
                    argument.type, f'argument "{type_def.name}.{field_def.name}({argument.name}:)"'
                )
        for name in (*type_def.interfaces, *type_def.members):
            check(name, f'type "{type_def.name}"')


def normalize_all(
    definitions: Sequence[SubgraphDefinition],
) -> tuple[list[Subgraph], list[str]]:
    """Normalize every subgraph, in Apollo's order (sorted by name)."""
    subgraphs: list[Subgraph] = []
    errors: list[str] = []
    for definition in sorted(definitions, key=lambda d: d.name):
        subgraph, subgraph_errors = normalize_subgraph(definition)
        errors.extend(subgraph_errors)
        if subgraph is not None:
            subgraphs.append(subgraph)
    return subgraphs, errors
