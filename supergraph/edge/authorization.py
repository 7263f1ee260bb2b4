"""`@authenticated`, `@requiresScopes`, `@policy` from the supergraph, enforced before planning."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLInterfaceType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    parse,
)

from supergraph.edge.links import directive_arguments, linked_directives
from supergraph.edge.tokens import Claims

__all__ = [
    "UNAUTHORIZED",
    "AccessRules",
    "AuthState",
    "DeniedField",
    "PolicyHook",
    "Requirement",
    "authorize_document",
    "denied_errors",
    "read_access_rules",
]

UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"

PolicyHook = Callable[[Claims | None, frozenset[str]], "Iterable[str] | Awaitable[Iterable[str]]"]

_SPECS = {
    "authenticated": ("authenticated",),
    "requiresScopes": ("requiresScopes",),
    "policy": ("policy",),
}
_TYPENAME = FieldNode(name=NameNode(value="__typename"))


@dataclass(frozen=True, slots=True)
class Requirement:
    """What one schema element needs: authentication, and any-of/all-of scopes and policies."""

    authenticated: bool = False
    # one entry per directive use: alternatives (any of), each a set of names (all of)
    scopes: tuple[tuple[frozenset[str], ...], ...] = ()
    policies: tuple[tuple[frozenset[str], ...], ...] = ()

    def merged(self, other: Requirement) -> Requirement:
        return Requirement(
            self.authenticated or other.authenticated,
            self.scopes + other.scopes,
            self.policies + other.policies,
        )


@dataclass(frozen=True, slots=True)
class AuthState:
    """What a request holds, reduced to what the supergraph's directives can ask about."""

    authenticated: bool = False
    scopes: frozenset[str] = frozenset()
    policies: frozenset[str] = frozenset()

    def satisfies(self, requirement: Requirement) -> bool:
        if requirement.authenticated and not self.authenticated:
            return False
        return _any_of_all(requirement.scopes, self.scopes) and _any_of_all(
            requirement.policies, self.policies
        )


def _any_of_all(uses: tuple[tuple[frozenset[str], ...], ...], held: frozenset[str]) -> bool:
    return all(any(group <= held for group in use) for use in uses)


@dataclass(frozen=True, slots=True)
class DeniedField:
    """A field removed from an operation: its response-key path and the type it sits on."""

    path: tuple[str, ...]
    parent_type: str
    coordinate: str


@dataclass(frozen=True, slots=True)
class AccessRules:
    """Requirements by type name and by ``Type.field`` coordinate, read from a supergraph."""

    types: Mapping[str, Requirement]
    fields: Mapping[str, Requirement]
    scopes: frozenset[str]
    policies: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.types and not self.fields

    async def state_for(self, claims: Claims | None, policy_hook: PolicyHook | None) -> AuthState:
        """The request's auth state, keeping only scopes/policies the rules mention (cache key)."""
        if claims is None:
            return AuthState()
        granted: frozenset[str] = frozenset()
        if policy_hook is not None and self.policies:
            answer = policy_hook(claims, self.policies)
            if inspect.isawaitable(answer):
                answer = await answer
            granted = frozenset(answer) & self.policies
        return AuthState(True, frozenset(claims.scopes) & self.scopes, granted)


def _requirement(directives: Iterable[Any], local: Mapping[str, str]) -> Requirement | None:
    found: Requirement | None = None
    for directive in directives:
        spec = local.get(directive.name.value)
        if spec is None:
            continue
        args = directive_arguments(directive)
        if spec == "authenticated":
            one = Requirement(authenticated=True)
        elif spec == "requiresScopes":
            one = Requirement(True, scopes=(_groups(args.get("scopes")),))
        else:
            one = Requirement(True, policies=(_groups(args.get("policies")),))
        found = one if found is None else found.merged(one)
    return found


def _groups(raw: Any) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(str(s) for s in group) for group in raw or ())


def read_access_rules(supergraph_sdl: str) -> AccessRules:
    """The authorization requirements a supergraph declares (empty when it links no such spec)."""
    document = parse(supergraph_sdl, no_location=True)
    local = linked_directives(document, _SPECS)
    types: dict[str, Requirement] = {}
    fields: dict[str, Requirement] = {}
    if local:
        for definition in document.definitions:
            name = getattr(getattr(definition, "name", None), "value", None)
            if name is None or isinstance(definition, OperationDefinitionNode):
                continue
            found = _requirement(getattr(definition, "directives", None) or (), local)
            if found is not None:
                types[name] = found
            for field in getattr(definition, "fields", None) or ():
                found = _requirement(field.directives or (), local)
                if found is not None:
                    fields[f"{name}.{field.name.value}"] = found
    everything = [*types.values(), *fields.values()]
    return AccessRules(
        types=types,
        fields=fields,
        scopes=frozenset(s for r in everything for use in r.scopes for g in use for s in g),
        policies=frozenset(p for r in everything for use in r.policies for g in use for p in g),
    )


class _Filter:
    """Rewrites one operation without the selections the auth state may not see."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        rules: AccessRules,
        state: AuthState,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.rules = rules
        self.state = state
        self.denied: list[DeniedField] = []
        self.changed = False

    def allowed(self, requirement: Requirement | None) -> bool:
        return requirement is None or self.state.satisfies(requirement)

    def implementations_allow(self, parent: GraphQLCompositeType, name: str) -> bool:
        """Through an interface, a field is as protected as its most protected implementation."""
        if not isinstance(parent, GraphQLInterfaceType):
            return True
        return all(
            self.allowed(self.rules.fields.get(f"{t.name}.{name}"))
            and self.allowed(self.rules.types.get(t.name))
            for t in self.schema.get_possible_types(parent)
        )

    def selection_set(
        self, node: SelectionSetNode, parent: GraphQLCompositeType, path: tuple[str, ...]
    ) -> SelectionSetNode:
        selections: list[SelectionNode] = []
        for selection in node.selections:
            kept = self.selection(selection, parent, path)
            if kept is not None:
                selections.append(kept)
        if not selections:
            selections.append(_TYPENAME)
        return SelectionSetNode(selections=tuple(selections))

    def selection(
        self, node: SelectionNode, parent: GraphQLCompositeType, path: tuple[str, ...]
    ) -> SelectionNode | None:
        if isinstance(node, FieldNode):
            return self.field(node, parent, path)
        if isinstance(node, FragmentSpreadNode):
            fragment = self.fragments[node.name.value]
            return self.fragment(node.directives, fragment.type_condition, fragment, path)
        assert isinstance(node, InlineFragmentNode)
        return self.fragment(node.directives, node.type_condition, node, path, parent)

    def fragment(
        self,
        directives: Any,
        condition: NamedTypeNode | None,
        node: InlineFragmentNode | FragmentDefinitionNode,
        path: tuple[str, ...],
        parent: GraphQLCompositeType | None = None,
    ) -> InlineFragmentNode:
        scope = self.schema.get_type(condition.name.value) if condition else parent
        assert scope is not None
        return InlineFragmentNode(
            type_condition=condition,
            directives=directives,
            selection_set=self.selection_set(node.selection_set, scope, path),  # type: ignore[arg-type]
        )

    def field(
        self, node: FieldNode, parent: GraphQLCompositeType, path: tuple[str, ...]
    ) -> FieldNode | None:
        name = node.name.value
        key = node.alias.value if node.alias else name
        if name.startswith("__"):
            return node
        definition = parent.fields[name]  # type: ignore[union-attr]
        named = get_named_type(definition.type)
        coordinate = f"{parent.name}.{name}"
        if not (
            self.allowed(self.rules.fields.get(coordinate))
            and self.allowed(self.rules.types.get(named.name))
            and self.allowed(self.rules.types.get(parent.name))
            and self.implementations_allow(parent, name)
        ):
            self.denied.append(DeniedField((*path, key), parent.name, coordinate))
            self.changed = True
            return None
        if node.selection_set is None:
            return node
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=self.selection_set(node.selection_set, named, (*path, key)),
        )


def authorize_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    rules: AccessRules,
    state: AuthState,
) -> tuple[DocumentNode, tuple[DeniedField, ...]]:
    """The document without what ``state`` may not see (fragments inlined), and what was cut.

    Returns ``document`` itself when nothing is denied, so the common case costs one walk.
    """
    if rules.empty:
        return document, ()
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    assert root is not None
    walker = _Filter(schema, fragments, rules, state)
    selection_set = walker.selection_set(operation.selection_set, root, ())
    if not walker.changed:
        return document, ()
    filtered = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=selection_set,
    )
    return DocumentNode(definitions=(filtered,)), tuple(walker.denied)


def denied_errors(denied: Iterable[DeniedField], data: dict[str, Any]) -> list[dict[str, Any]]:
    """One UNAUTHORIZED error per place a removed field would appear in ``data``, nulled there.

    Nulling matters when a subgraph answers more than it was asked for.
    """
    errors: list[dict[str, Any]] = []
    for field in denied:
        for parent, path in _concrete_paths(data, field.path[:-1]):
            parent[field.path[-1]] = None
            errors.append(
                {
                    "message": f"Unauthorized field or type: {field.coordinate}",
                    "path": [*path, field.path[-1]],
                    "extensions": {"code": UNAUTHORIZED},
                }
            )
    return errors


def _concrete_paths(
    data: Any, keys: tuple[str, ...]
) -> list[tuple[dict[str, Any], list[str | int]]]:
    found: list[tuple[Any, list[str | int]]] = [(data, [])]
    for key in keys:
        step: list[tuple[Any, list[str | int]]] = []
        for value, at in found:
            child = value.get(key) if isinstance(value, dict) else None
            if child is not None:
                step.append((child, [*at, key]))
        found = _flatten(step)
    return [(value, at) for value, at in found if isinstance(value, dict)]


def _flatten(found: list[tuple[Any, list[str | int]]]) -> list[tuple[Any, list[str | int]]]:
    out: list[tuple[Any, list[str | int]]] = []
    for value, at in found:
        if isinstance(value, list):
            out.extend(_flatten([(item, [*at, i]) for i, item in enumerate(value)]))
        else:
            out.append((value, at))
    return out
