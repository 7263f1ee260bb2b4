"""Fetch groups (one future subgraph request each) and their assembly into plan nodes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from supergraph.plan import (
    ContextRewrite,
    Fetch,
    Flatten,
    OperationKind,
    Parallel,
    PlanNode,
    Sequence,
    Subscription,
)
from supergraph.planning.selections import Tree

__all__ = ["Group", "build_node", "build_subscription"]

_REPRESENTATIONS = parse(
    "query($representations: [_Any!]!) { _entities(representations: $representations) { a } }",
    no_location=True,
)


@dataclass(eq=False)
class Group:
    """Selections bound for one subgraph request, at one response path."""

    id: int
    service: str
    path: tuple[str, ...]
    is_entity: bool
    parent: Group | None
    kind: OperationKind = "query"
    tree: Tree = field(default_factory=Tree)
    requires: Tree = field(default_factory=Tree)
    rewrites: dict[str, str] = field(default_factory=dict)
    context_rewrites: list[ContextRewrite] = field(default_factory=list)
    context_variables: dict[str, VariableDefinitionNode] = field(default_factory=dict)
    # response key of a field with @fromContext arguments -> its number in variable names
    context_fields: dict[str, int] = field(default_factory=dict)
    after: set[int] = field(default_factory=set)
    children: list[Group] = field(default_factory=list)

    def subtree_ids(self) -> set[int]:
        ids = {self.id}
        for child in self.children:
            ids |= child.subtree_ids()
        return ids

    def subtree_after(self) -> set[int]:
        after = set(self.after)
        for child in self.children:
            after |= child.subtree_after()
        return after


def build_node(group: Group, variables: Mapping[str, VariableDefinitionNode]) -> PlanNode:
    """The plan for ``group`` followed by its dependents, ordered by their requirements."""
    own = _fetch_node(group, variables)
    if not group.children:
        return own
    subtrees = {child.id: child.subtree_ids() for child in group.children}
    needs: dict[int, set[int]] = {}
    for child in group.children:
        after = child.subtree_after()
        needs[child.id] = {
            other.id
            for other in group.children
            if other is not child and after & subtrees[other.id]
        }
    return sequence([own, _arrange(group.children, needs, variables)])


def build_subscription(
    group: Group, variables: Mapping[str, VariableDefinitionNode]
) -> Subscription:
    """The subscription root fetch as ``primary``; its dependents run per event as ``rest``."""
    primary = _fetch_node(group, variables)
    assert isinstance(primary, Fetch)
    if not group.children:
        return Subscription(primary=primary)
    rest = build_node(group, variables)
    assert isinstance(rest, Sequence)
    return Subscription(primary=primary, rest=sequence(list(rest.nodes[1:])))


def sequence(nodes: list[PlanNode]) -> PlanNode:
    """A Sequence of ``nodes`` with nested Sequences flattened (or the single node)."""
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, Sequence) else (node,))
    return flat[0] if len(flat) == 1 else Sequence(tuple(flat))


def parallel(nodes: list[PlanNode]) -> PlanNode:
    """A Parallel of ``nodes`` with nested Parallels flattened (or the single node)."""
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, Parallel) else (node,))
    return flat[0] if len(flat) == 1 else Parallel(tuple(flat))


def _arrange(
    groups: list[Group],
    needs: Mapping[int, set[int]],
    variables: Mapping[str, VariableDefinitionNode],
) -> PlanNode:
    """Run independent groups in parallel; a group needing one branch only follows it there."""
    heads = [group for group in groups if not needs[group.id]]
    if not heads:
        raise RuntimeError("cyclic dependencies between fetches")
    branch_of = {head.id: head.id for head in heads}
    followers: dict[int, list[Group]] = {head.id: [] for head in heads}
    rest = [group for group in groups if needs[group.id]]
    placed = True
    while placed:
        placed = False
        for group in list(rest):
            if not needs[group.id] <= branch_of.keys():
                continue
            branches = {branch_of[n] for n in needs[group.id]}
            if len(branches) != 1:
                continue
            branch = branches.pop()
            followers[branch].append(group)
            branch_of[group.id] = branch
            rest.remove(group)
            placed = True
    nodes: list[PlanNode] = []
    for head in heads:
        node = build_node(head, variables)
        chain = followers[head.id]
        if chain:
            chain_needs = {g.id: needs[g.id] - {head.id} for g in chain}
            node = sequence([node, _arrange(chain, chain_needs, variables)])
        nodes.append(node)
    if not rest:
        return parallel(nodes)
    rest_needs = {g.id: needs[g.id] - branch_of.keys() for g in rest}
    return sequence([parallel(nodes), _arrange(rest, rest_needs, variables)])


def _fetch_node(group: Group, variables: Mapping[str, VariableDefinitionNode]) -> PlanNode:
    selection = group.tree.to_ast()
    used = _variables_in(selection)
    definitions = tuple(variables[name] for name in used if name in variables)
    if not group.is_entity:
        operation = OperationDefinitionNode(
            operation=OperationType(group.kind),
            variable_definitions=definitions,
            selection_set=selection,
            directives=(),
        )
        return Fetch(
            service=group.service,
            operation=print_ast(DocumentNode(definitions=(operation,))),
            operation_kind=group.kind,
            variable_usages=tuple(used),
        )
    contextual = tuple(group.context_variables[n] for n in used if n in group.context_variables)
    fetch = Fetch(
        service=group.service,
        operation=_entities_operation(selection, definitions + contextual),
        variable_usages=tuple(name for name in used if name not in group.context_variables),
        requires=group.requires.to_ast(),
        input_rewrites=tuple(sorted(group.rewrites.items())),
        context_rewrites=tuple(group.context_rewrites),
    )
    return Flatten(path=group.path, node=fetch)


def _entities_operation(
    selection: SelectionSetNode, definitions: tuple[VariableDefinitionNode, ...]
) -> str:
    template = _REPRESENTATIONS.definitions[0]
    assert isinstance(template, OperationDefinitionNode)
    entities = template.selection_set.selections[0]
    assert isinstance(entities, FieldNode)
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=(*(template.variable_definitions or ()), *definitions),
        directives=(),
        selection_set=SelectionSetNode(
            selections=(
                FieldNode(
                    name=NameNode(value="_entities"),
                    arguments=entities.arguments,
                    directives=(),
                    selection_set=selection,
                ),
            )
        ),
    )
    return print_ast(DocumentNode(definitions=(operation,)))


class _VariableCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        if node.name.value not in self.names:
            self.names.append(node.name.value)


def _variables_in(selection: SelectionSetNode) -> list[str]:
    collector = _VariableCollector()
    visit(selection, collector)
    return collector.names
