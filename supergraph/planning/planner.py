"""The query planner: splits a client operation into subgraph fetches ordered by dependency."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TypeVar

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    is_object_type,
    parse,
    parse_type,
    validate,
)

from supergraph.loading import ContextArgument, FieldInGraph, Supergraph
from supergraph.plan import ContextRewrite, OperationKind, QueryPlan
from supergraph.planning.choices import Decision, DecisionKey, alternatives, search_budget
from supergraph.planning.cost import plan_cost
from supergraph.planning.groups import (
    Group,
    build_node,
    build_subscription,
    parallel,
    sequence,
)
from supergraph.planning.selections import Tree

__all__ = ["PlanningError", "plan_operation", "plan_query"]

_CONDITIONS = frozenset({"skip", "include"})
_MAX_JUMP_DEPTH = 32
# Whether the cost model may look for cheaper plans than the greedy one.
_SEARCH = True

_T = TypeVar("_T")

# name -> provided sub-selection (empty when a leaf)
Provided = dict[str, "Provided"]


class PlanningError(Exception):
    """The operation cannot be planned against this supergraph."""


def plan_query(
    supergraph: Supergraph, query_text: str, operation_name: str | None = None
) -> QueryPlan:
    """Parse and validate ``query_text`` against the API schema, then plan it."""
    try:
        document = parse(query_text)
    except GraphQLError as error:
        raise PlanningError(f"syntax error: {error.message}") from error
    errors = validate(supergraph.api_schema, document)
    if errors:
        raise PlanningError("invalid operation: " + "; ".join(e.message for e in errors))
    return plan_operation(supergraph, document, operation_name)


def plan_operation(
    supergraph: Supergraph, document: DocumentNode, operation_name: str | None = None
) -> QueryPlan:
    """Plan a document already validated against ``supergraph.api_schema``."""
    operation = _operation(document, operation_name)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return _cheapest_plan(supergraph, fragments, operation)


def _cheapest_plan(
    supergraph: Supergraph,
    fragments: Mapping[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
) -> QueryPlan:
    """The greedy plan, improved by trying other options at its choices between subgraphs.

    A choice (which subgraph a shareable root field or an entity jump goes to) is switched
    only when the whole plan becomes strictly cheaper by :func:`plan_cost`; the search
    restarts from each improvement and stops when nothing improves or its budget is spent.
    """
    planner = _Planner(supergraph, fragments)
    best = planner.plan(operation)
    best_cost = plan_cost(best)
    decisions = planner.decisions
    overrides: dict[DecisionKey, str] = {}
    budget = search_budget(best_cost.fetches) if _SEARCH else 0
    while budget > 0:
        improved = False
        for trial_overrides in alternatives(decisions, overrides):
            if budget == 0:
                break
            budget -= 1
            trial = _Planner(supergraph, fragments, overrides=trial_overrides)
            try:
                plan = trial.plan(operation)
            except PlanningError:
                continue
            cost = plan_cost(plan)
            if cost < best_cost:
                best, best_cost, decisions, overrides = plan, cost, trial.decisions, trial_overrides
                improved = True
                break
        if not improved:
            break
    return best


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        for operation in operations:
            if operation.name is not None and operation.name.value == name:
                return operation
        raise PlanningError(f"unknown operation named {name!r}")
    if len(operations) != 1:
        raise PlanningError("an operation name is required when the document has several")
    return operations[0]


@dataclass(frozen=True, slots=True)
class _Context:
    """Where planning stands: a group, its selection at this position, the type and path."""

    group: Group
    tree: Tree
    type_name: str
    graph: str
    path: tuple[str, ...]
    provided: Provided | None = None
    conditions: tuple[DirectiveNode, ...] = ()
    allow_requires: bool = False
    # the position above (for @fromContext) and the fetch this entity fetch jumped from
    parent: _Context | None = None
    origin: _Context | None = None


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a field can be fetched through an entity jump."""

    graph: str
    entity_type: str
    key: SelectionSetNode
    rewrite: bool
    requires: SelectionSetNode | None


@dataclass
class _Planner:
    """One planning run: walks the client selection once, filling fetch groups.

    Each root field goes to the subgraph that resolves it (a shareable one joins a subgraph
    already asked). Walking down, a field stays in the current fetch whenever that subgraph
    can return it there (own field, key field, or @provides on this path); otherwise the
    current fetch gains ``__typename`` plus a key the target subgraph resolves, and the field
    goes to that subgraph's entity fetch for this response path, shared by every field
    needing it. @requires fields are planned at the same position first, and the fetches
    producing them become dependencies. A field with @fromContext arguments goes to an
    entity fetch of its own whose arguments are variables read from the nearest ancestor
    setting the context. Groups then become Sequence/Parallel nodes. Each choice between
    subgraphs is recorded (``decisions``) and can be forced (``overrides``) by the search
    for a cheaper plan.
    """

    supergraph: Supergraph
    fragments: Mapping[str, FragmentDefinitionNode]
    roots: list[Group] = field(default_factory=list)
    entity_groups: dict[tuple[object, ...], Group] = field(default_factory=dict)
    recorders: list[set[int]] = field(default_factory=list)
    next_id: int = 0
    seeking: list[tuple[tuple[str, ...], str, str]] = field(default_factory=list)
    preferred: set[str] = field(default_factory=set)
    groups: dict[int, Group] = field(default_factory=dict)
    contextual_fields: int = 0
    # choices the cost model forces, and every choice between subgraphs this run made
    overrides: Mapping[DecisionKey, str] = field(default_factory=dict)
    decisions: dict[DecisionKey, Decision] = field(default_factory=dict)

    def plan(self, operation: OperationDefinitionNode) -> QueryPlan:
        kind: OperationKind = operation.operation.value
        root_type = self.supergraph.api_schema.get_root_type(operation.operation)
        if root_type is None:
            raise PlanningError(f"the schema has no {kind} type")
        self.preferred = self._sole_root_graphs(root_type.name, operation.selection_set)
        self._plan_root(kind, root_type.name, operation.selection_set, ())
        variables = {v.variable.name.value: v for v in operation.variable_definitions or ()}
        if operation.operation is OperationType.SUBSCRIPTION and len(self.roots) == 1:
            return QueryPlan(node=build_subscription(self.roots[0], variables))
        nodes = [build_node(group, variables) for group in self.roots]
        if not nodes:
            return QueryPlan(node=None)
        if len(nodes) == 1:
            return QueryPlan(node=nodes[0])
        if operation.operation is OperationType.MUTATION:
            return QueryPlan(node=sequence(nodes))
        return QueryPlan(node=parallel(nodes))

    # --- root fields ------------------------------------------------------------------

    def _plan_root(
        self,
        kind: OperationKind,
        root_type: str,
        selection_set: SelectionSetNode,
        conditions: tuple[DirectiveNode, ...],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not _never(selection.directives):
                    self._plan_root_field(kind, root_type, selection, conditions)
                continue
            fragment = self._fragment(selection)
            if fragment is None:
                continue
            directives, sub = fragment
            self._plan_root(kind, root_type, sub, conditions + directives)

    def _plan_root_field(
        self,
        kind: OperationKind,
        root_type: str,
        node: FieldNode,
        conditions: tuple[DirectiveNode, ...],
    ) -> None:
        if node.name.value.startswith("__"):
            return
        model = self.supergraph.types[root_type].fields[node.name.value]
        graph = self._choose_root_graph(kind, root_type, node, model.resolvers)
        group = self._root_group(kind, graph)
        tree = group.tree.fragment(None, conditions) if conditions else group.tree
        context = _Context(group, tree, root_type, graph, ())
        self._plan_field(context, node)

    def _choose_root_graph(
        self, kind: OperationKind, root_type: str, node: FieldNode, resolvers: frozenset[str]
    ) -> str:
        greedy = self._greedy_root_graph(kind, root_type, node, resolvers)
        if kind == "mutation":
            return greedy
        others = [
            graph
            for graph in self._ordered(resolvers)
            if graph != greedy and self._root_reachable(root_type, graph, node)
        ]
        family = ("root", root_type, node.name.value)
        return self._decide((*family, _alias(node)), family, [greedy, *others], str)

    def _decide(
        self,
        key: DecisionKey,
        family: DecisionKey,
        options: list[_T],
        name: Callable[[_T], str],
    ) -> _T:
        """``options[0]`` (the greedy preference) unless the cost model forces another."""
        names = tuple(name(option) for option in options)
        wanted = self.overrides.get(key)
        chosen = options[names.index(wanted)] if wanted in names else options[0]
        self.decisions[key] = Decision(family, names, name(chosen))
        return chosen

    def _greedy_root_graph(
        self, kind: OperationKind, root_type: str, node: FieldNode, resolvers: frozenset[str]
    ) -> str:
        if not resolvers:
            raise PlanningError(f"no subgraph resolves {root_type}.{node.name.value}")
        ordered = self._ordered(resolvers)
        recent = self.roots[-1:] if kind == "mutation" else self.roots
        existing = {group.service for group in recent}
        for graph in ordered:
            if graph in existing:
                return graph
        reachable = [g for g in ordered if self._root_reachable(root_type, g, node)]
        ordered = reachable or ordered
        if kind != "mutation":
            for graph in ordered:
                if graph in self.preferred:
                    return graph
        field_type = self._field_def(root_type, node.name.value).type
        named = get_named_type(field_type).name
        return max(
            ordered,
            key=lambda graph: self._coverage(graph, named, node.selection_set, 3),
        )

    def _root_reachable(self, root_type: str, graph: str, node: FieldNode) -> bool:
        probe = Group(0, graph, (), is_entity=False, parent=None)
        context = _Context(probe, Tree(), root_type, graph, ())
        return self._field_reachable(context, node, jump=False)

    def _sole_root_graphs(self, root_type: str, selection_set: SelectionSetNode) -> set[str]:
        """Graphs that alone resolve some root field: shareable ones should join them."""
        graphs: set[str] = set()
        fields = self.supergraph.types[root_type].fields
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                model = fields.get(selection.name.value)
                if model is not None and len(model.resolvers) == 1:
                    graphs |= model.resolvers
                continue
            fragment = self._fragment(selection)
            if fragment is not None:
                graphs |= self._sole_root_graphs(root_type, fragment[1])
        return graphs

    def _root_group(self, kind: OperationKind, graph: str) -> Group:
        if kind == "mutation":
            if self.roots and self.roots[-1].service == graph:
                return self.roots[-1]
        else:
            for group in self.roots:
                if group.service == graph:
                    return group
        group = Group(self._new_id(), graph, (), is_entity=False, parent=None, kind=kind)
        self.roots.append(group)
        self.groups[group.id] = group
        return group

    # --- selections -------------------------------------------------------------------

    def _plan_selections(self, context: _Context, selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not _never(selection.directives):
                    self._plan_field(context, selection)
                continue
            type_condition = self._type_condition(selection)
            fragment = self._fragment(selection)
            if fragment is None:
                continue
            directives, sub = fragment
            self._plan_fragment(context, type_condition or context.type_name, directives, sub)

    def _type_condition(self, selection: object) -> str | None:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            return condition.name.value if condition else None
        if isinstance(selection, FragmentSpreadNode):
            return self.fragments[selection.name.value].type_condition.name.value
        return None

    def _fragment(
        self, selection: object
    ) -> tuple[tuple[DirectiveNode, ...], SelectionSetNode] | None:
        if isinstance(selection, InlineFragmentNode | FragmentSpreadNode) and _never(
            selection.directives
        ):
            return None
        if isinstance(selection, InlineFragmentNode):
            return _conditions(selection.directives), selection.selection_set
        if isinstance(selection, FragmentSpreadNode):
            definition = self.fragments[selection.name.value]
            return _conditions(selection.directives), definition.selection_set
        return None

    def _plan_fragment(
        self,
        context: _Context,
        type_condition: str,
        directives: tuple[DirectiveNode, ...],
        selection_set: SelectionSetNode,
    ) -> None:
        schema = self.supergraph.api_schema
        parent = schema.get_type(context.type_name)
        if type_condition == context.type_name or is_object_type(parent):
            inner = context.tree.fragment(None, directives) if directives else context.tree
            conditions = context.conditions + directives
            self._plan_selections(
                replace(context, tree=inner, conditions=conditions), selection_set
            )
            return
        context = self._concrete(context) or context
        for runtime in self._runtime_types(context, type_condition):
            inner = context.tree.fragment(runtime, directives)
            child = replace(
                context,
                tree=inner,
                type_name=runtime,
                conditions=context.conditions + directives,
            )
            self._plan_selections(child, selection_set)

    def _concrete(self, context: _Context) -> _Context | None:
        """From an @interfaceObject position, a fetch of the interface where types are known.

        A subgraph that sees an interface as an object cannot tell the concrete type, so
        ``__typename`` and type conditions go to a subgraph defining the real interface.
        """
        model = self.supergraph.types.get(context.type_name)
        if model is None or not model.is_interface_object_in(context.graph):
            return None
        for graph in self._ordered(frozenset(model.graphs)):
            if model.is_interface_object_in(graph):
                continue
            keys = self._pick_keys(context, model.keys_in(graph))
            if keys:
                concrete = self._entity_context(context, graph, context.type_name, keys[0], None)
                # The concrete __typename must replace the interface name already merged.
                concrete.tree.added_field("__typename", first=True)
                return concrete
        raise PlanningError(f"no subgraph can tell the concrete type of {context.type_name}")

    def _entity_context(
        self,
        context: _Context,
        graph: str,
        entity_type: str,
        key: SelectionSetNode,
        requires: SelectionSetNode | None,
    ) -> _Context:
        """Where an entity fetch to ``graph`` for the objects at this position selects."""
        representation = Tree()
        before = set(context.tree.items)
        after = self._require(context, key, representation)
        context.tree.move_to_front([key for key in context.tree.items if key not in before])
        if requires is not None:
            after |= self._require(context, requires, representation)
        context.tree.added_field("__typename", first=True)
        group = self._entity_group(context, graph, after)
        merged = group.requires.fragment(context.type_name)
        merged.merge(representation)
        merged.field("__typename", first=True)
        group.after |= after - {group.id}
        if entity_type != context.type_name:
            group.rewrites[context.type_name] = entity_type
        tree = group.tree.fragment(entity_type)
        for directive in context.conditions:
            tree = tree.fragment(None, (directive,))
        return _Context(
            group=group,
            tree=tree,
            type_name=entity_type,
            graph=graph,
            path=context.path,
            allow_requires=requires is not None,
            parent=context.parent,
            origin=context,
        )

    def _runtime_types(self, context: _Context, type_condition: str) -> list[str]:
        """Object types of ``type_condition`` this graph can return at this position."""
        schema = self.supergraph.api_schema
        condition = schema.get_type(type_condition)
        parent = schema.get_type(context.type_name)
        assert condition is not None and parent is not None
        wanted = _possible(schema, condition)
        return [
            name
            for name in _possible(schema, parent)
            if name in wanted
            and self.supergraph.graph_knows_member(context.graph, context.type_name, name)
        ]

    def _plan_field(self, context: _Context, node: FieldNode) -> None:
        name = node.name.value
        if name == "__typename":
            where = self._concrete(context) or context
            where.tree.field(name, alias=_alias(node), directives=_conditions(node.directives))
            return
        contextual = self._contextual_definition(context, name)
        if contextual is not None and not self._explodes(context):
            self._plan_contextual_field(context, node, contextual)
            return
        if contextual is None and self._is_local(context, name):
            if not self._field_reachable(context, node, jump=False):
                # Some nested field is unreachable from here: take the field from elsewhere.
                target = self._choose_target(context, node)
                if target is not None and self._reachable_in(context, target, node):
                    self._jump_to(context, node, target)
                    return
            self._add_local_field(context, node)
            return
        if self._explodes(context):
            for runtime in self._runtime_types(context, context.type_name):
                inner = context.tree.fragment(runtime)
                self._plan_field(replace(context, tree=inner, type_name=runtime), node)
            return
        conditions = _conditions(node.directives)
        if conditions:
            # Keys and required fields only when the field is asked: no fetch otherwise.
            inner = context.tree.fragment(None, conditions)
            context = replace(context, tree=inner, conditions=context.conditions + conditions)
            node = FieldNode(
                alias=node.alias,
                name=node.name,
                arguments=node.arguments,
                directives=(),
                selection_set=node.selection_set,
            )
        self._jump(context, node)

    def _explodes(self, context: _Context) -> bool:
        """Abstract positions split per runtime type unless the graph sees an object there."""
        schema = self.supergraph.api_schema
        if not is_abstract_type(schema.get_type(context.type_name)):
            return False
        return not self.supergraph.types[context.type_name].is_interface_object_in(context.graph)

    def _is_local(self, context: _Context, name: str) -> bool:
        """Whether the current fetch can return ``name`` at this position by itself."""
        if name == "__typename":
            return True
        if context.provided is not None and name in context.provided:
            return True
        if not self._resolves(context.graph, context.type_name, name, context.allow_requires):
            return False
        if not self._explodes(context):
            return True
        return all(
            self._resolves(context.graph, runtime, name, False)
            for runtime in self._runtime_types(context, context.type_name)
        )

    def _resolves(self, graph: str, type_name: str, name: str, allow_requires: bool) -> bool:
        model = self.supergraph.types[type_name]
        field_model = model.fields.get(name)
        if field_model is None:
            return False
        if graph in field_model.resolvers:
            definition = field_model.definitions.get(graph)
            return allow_requires or definition is None or definition.requires is None
        return any(name in _top_level_names(key) for key in model.keys_in(graph, resolvable=False))

    def _add_local_field(
        self, context: _Context, node: FieldNode, extra: tuple[ArgumentNode, ...] = ()
    ) -> None:
        definition = self._field_def(context.type_name, node.name.value)
        named = get_named_type(definition.type)
        item = context.tree.field(
            node.name.value,
            alias=_alias(node),
            arguments=(*(node.arguments or ()), *extra),
            directives=_conditions(node.directives),
            composite=is_composite_type(named),
        )
        if item.sub is None or node.selection_set is None:
            return
        if is_abstract_type(named):
            item.sub.field("__typename", first=True)
        child = _Context(
            group=context.group,
            tree=item.sub,
            type_name=named.name,
            graph=context.graph,
            path=context.path + (item.response_key,) + ("@",) * _list_depth(definition.type),
            provided=self._child_provided(context, node.name.value),
            parent=context,
        )
        self._plan_selections(child, node.selection_set)

    def _child_provided(self, context: _Context, name: str) -> Provided | None:
        if context.provided is not None and name in context.provided:
            return context.provided[name] or None
        field_model = self.supergraph.types[context.type_name].fields.get(name)
        definition = field_model.definitions.get(context.graph) if field_model else None
        if definition is None or definition.provides is None:
            return None
        return _provided_map(definition.provides)

    # --- @fromContext arguments --------------------------------------------------------

    def _contextual_definition(self, context: _Context, name: str) -> FieldInGraph | None:
        """The definition with @fromContext arguments to fetch ``name`` by, if it needs one.

        None when the current subgraph resolves the field without such arguments.
        """
        field_model = self.supergraph.types[context.type_name].fields.get(name)
        if field_model is None:
            return None
        here = field_model.definitions.get(context.graph)
        if context.graph in field_model.resolvers and (here is None or not here.context_arguments):
            return None
        for graph in self._ordered(field_model.resolvers):
            definition = field_model.definitions.get(graph)
            if definition is not None and definition.context_arguments:
                return definition
        return None

    def _plan_contextual_field(
        self, context: _Context, node: FieldNode, definition: FieldInGraph
    ) -> None:
        """An entity fetch whose field arguments the executor fills from ancestors' data.

        Argument values are variables, so the field always gets a fetch of its own kind,
        even in the subgraph already asked; the ancestor's fetch gains the context fields.
        Planned again from another ancestor type (an abstract position), the field keeps its
        variables and gains another place to read them from.
        """
        model = self.supergraph.types[context.type_name]
        keys = self._pick_keys(context, model.keys_in(definition.graph))
        if not keys:
            raise PlanningError(
                f"cannot plan {context.type_name}.{node.name.value}: {definition.graph!r}"
                " has no key to fetch it by"
            )
        entity = self._entity_context(context, definition.graph, context.type_name, keys[0], None)
        group = entity.group
        number = group.context_fields.get(_alias(node) or node.name.value)
        if number is None:
            self.contextual_fields += 1
            number = group.context_fields[_alias(node) or node.name.value] = self.contextual_fields
        arguments: list[ArgumentNode] = []
        for index, argument in enumerate(definition.context_arguments):
            variable = f"contextualArgument_{number}_{index}"
            rewrite, needed = self._context_value(context, node, argument, variable)
            if rewrite not in group.context_rewrites:
                group.context_rewrites.append(rewrite)
            group.after |= needed - {group.id}
            value = VariableNode(name=NameNode(value=variable))
            group.context_variables[variable] = VariableDefinitionNode(
                variable=value, type=parse_type(argument.type), directives=()
            )
            arguments.append(ArgumentNode(name=NameNode(value=argument.name), value=value))
        self._add_local_field(entity, node, tuple(arguments))

    def _context_value(
        self, context: _Context, node: FieldNode, argument: ContextArgument, variable: str
    ) -> tuple[ContextRewrite, set[int]]:
        """Fetch the argument's selection at the nearest ancestor setting its context."""
        ancestor = context.parent
        while ancestor is not None and not self._sets_context(ancestor.type_name, argument):
            ancestor = ancestor.parent
        if ancestor is None:
            raise PlanningError(
                f"cannot plan {context.type_name}.{node.name.value}: no enclosing type sets"
                f" context {argument.context!r}"
            )
        source = self._context_source(ancestor, argument.selection)
        representation = Tree()
        needed = self._require(source, argument.selection, representation)
        rewrite = ContextRewrite(
            variable=variable,
            up=_field_count(context.path) - _field_count(ancestor.path),
            type_condition=ancestor.type_name,
            selection=representation.to_ast(),
        )
        return rewrite, needed

    def _sets_context(self, type_name: str, argument: ContextArgument) -> bool:
        model = self.supergraph.types.get(type_name)
        if model is None:
            return False
        if argument.context in model.contexts:
            return True
        return any(
            argument.context in self.supergraph.types[abstract].contexts
            for abstract in model.member_of
            if abstract in self.supergraph.types
        )

    def _context_source(self, ancestor: _Context, selection: SelectionSetNode) -> _Context:
        """Of the fetches at the ancestor's position, the first that returns the selection."""
        relevant = self._applicable(ancestor.type_name, selection)
        candidate: _Context | None = ancestor
        while candidate is not None:
            if self._available(candidate, relevant):
                return candidate
            candidate = candidate.origin
        return ancestor

    def _applicable(self, type_name: str, selection: SelectionSetNode) -> SelectionSetNode:
        """The fields of ``selection`` an object of ``type_name`` has (fragments resolved)."""
        schema = self.supergraph.api_schema
        fields: list[FieldNode] = []
        for item in selection.selections:
            if isinstance(item, FieldNode):
                fields.append(item)
                continue
            if not isinstance(item, InlineFragmentNode):
                continue
            condition = item.type_condition.name.value if item.type_condition else type_name
            condition_type = schema.get_type(condition)
            if condition_type is None or type_name not in _possible(schema, condition_type):
                continue
            inner = self._applicable(type_name, item.selection_set)
            fields.extend(s for s in inner.selections if isinstance(s, FieldNode))
        return SelectionSetNode(selections=tuple(fields))

    # --- entity jumps -----------------------------------------------------------------

    def _jump(self, context: _Context, node: FieldNode) -> Group:
        """Fetch ``node`` from another subgraph (or the same, after its @requires)."""
        sought = (context.path, context.type_name, node.name.value)
        if len(self.seeking) > _MAX_JUMP_DEPTH or sought in self.seeking:
            raise PlanningError(f"cannot plan {context.type_name}.{node.name.value}: no route")
        self.seeking.append(sought)
        try:
            target = self._choose_target(context, node)
            if target is None:
                raise PlanningError(
                    f"cannot plan {context.type_name}.{node.name.value}: no subgraph can"
                    f" resolve it from {context.graph!r}"
                )
            return self._jump_to(context, node, target)
        finally:
            self.seeking.pop()

    def _jump_to(self, context: _Context, node: FieldNode, target: _Target) -> Group:
        entity_context = self._entity_context(
            context, target.graph, target.entity_type, target.key, target.requires
        )
        self._plan_field(entity_context, node)
        return entity_context.group

    def _choose_target(self, context: _Context, node: FieldNode) -> _Target | None:
        candidates = self._targets(context, node.name.value)
        if not candidates:
            return None
        graphs = list(self.supergraph.graphs.values())
        order = {g.name: i for i, g in enumerate(graphs)}

        def score(target: _Target) -> tuple[int, int, int, int, int]:
            existing = self._existing_group(context, target.graph)
            return (
                0 if self._reachable_in(context, target, node) else 1,
                0 if existing else 1,
                0 if self._available(context, target.key) else 1,
                1 if target.requires is not None else 0,
                order.get(target.graph, 0),
            )

        scores = {id(target): score(target) for target in candidates}
        ranked = sorted(candidates, key=lambda target: scores[id(target)])
        reachable = scores[id(ranked[0])][0]
        options: list[_Target] = []
        for target in ranked:
            if scores[id(target)][0] == reachable and all(o.graph != target.graph for o in options):
                options.append(target)
        family = ("target", context.type_name, node.name.value, context.graph)
        return self._decide((*family, context.path), family, options, lambda t: t.graph)

    def _reachable_in(self, context: _Context, target: _Target, node: FieldNode) -> bool:
        """Whether ``node`` and everything under it can be planned after jumping to target."""
        there = _Context(
            group=context.group,
            tree=Tree(),
            type_name=target.entity_type,
            graph=target.graph,
            path=context.path,
            allow_requires=True,
        )
        return self._reachable(there, _selection_of(node))

    def _reachable(self, context: _Context, selection_set: SelectionSetNode | None) -> bool:
        """Whether each selected field is local here or has some subgraph to jump to."""
        if selection_set is None or self._explodes(context):
            return True
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not self._field_reachable(context, selection):
                    return False
                continue
            fragment = self._fragment(selection)
            condition = self._type_condition(selection)
            if fragment is None or condition not in (None, context.type_name):
                continue
            if not self._reachable(context, fragment[1]):
                return False
        return True

    def _field_reachable(self, context: _Context, node: FieldNode, *, jump: bool = True) -> bool:
        name = node.name.value
        if name == "__typename":
            return True
        if not self._is_local(context, name):
            return bool(self._targets(context, name))
        if node.selection_set is None:
            return True
        definition = self._field_def(context.type_name, name)
        child = _Context(
            group=context.group,
            tree=Tree(),
            type_name=get_named_type(definition.type).name,
            graph=context.graph,
            path=context.path,
            provided=self._child_provided(context, name),
        )
        if self._reachable(child, node.selection_set):
            return True
        return jump and bool(self._targets(context, name))

    def _targets(self, context: _Context, name: str) -> list[_Target]:
        model = self.supergraph.types[context.type_name]
        field_model = model.fields[name]
        targets: list[_Target] = []
        for graph in self._ordered(field_model.resolvers):
            definition = field_model.definitions.get(graph)
            requires = definition.requires if definition else None
            if graph == context.graph and requires is None:
                continue
            targets.extend(
                _Target(graph, context.type_name, key, False, requires)
                for key in self._pick_keys(context, model.keys_in(graph))
            )
        if targets:
            return targets
        return self._interface_object_targets(context, name)

    def _interface_object_targets(self, context: _Context, name: str) -> list[_Target]:
        schema = self.supergraph.api_schema
        object_type = schema.get_type(context.type_name)
        if not isinstance(object_type, GraphQLObjectType):
            return []
        targets: list[_Target] = []
        for interface in object_type.interfaces:
            model = self.supergraph.types[interface.name]
            field_model = model.fields.get(name)
            if field_model is None:
                continue
            for graph in self._ordered(field_model.resolvers):
                if not model.is_interface_object_in(graph):
                    continue
                definition = field_model.definitions.get(graph)
                requires = definition.requires if definition else None
                targets.extend(
                    _Target(graph, interface.name, key, True, requires)
                    for key in self._pick_keys(context, model.keys_in(graph))
                )
        return targets

    def _pick_keys(
        self, context: _Context, keys: tuple[SelectionSetNode, ...]
    ) -> list[SelectionSetNode]:
        available = [key for key in keys if self._available(context, key)]
        if available:
            return available[:1]
        # A key that needs a field we are already looking for here would loop.
        sought = {
            name
            for path, type_name, name in self.seeking
            if (path, type_name) == (context.path, context.type_name)
        }
        return [key for key in keys if not _top_level_names(key) & sought][:1]

    def _available(self, context: _Context, selection_set: SelectionSetNode) -> bool:
        """Whether the current fetch can return all of ``selection_set`` here."""
        for selection in selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            if not self._is_local(context, selection.name.value):
                return False
            if selection.selection_set is None or selection.name.value == "__typename":
                continue
            definition = self._field_def(context.type_name, selection.name.value)
            child = _Context(
                group=context.group,
                tree=Tree(),
                type_name=get_named_type(definition.type).name,
                graph=context.graph,
                path=context.path,
                provided=self._child_provided(context, selection.name.value),
            )
            if not self._available(child, selection.selection_set):
                return False
        return True

    def _existing_group(self, context: _Context, graph: str) -> Group | None:
        return self.entity_groups.get((graph, context.path, context.group.id))

    def _entity_group(self, context: _Context, graph: str, after: set[int]) -> Group:
        """The fetch to ``graph`` for this position, shared unless sharing makes a cycle."""
        group = self._existing_group(context, graph)
        if group is None or any(self._depends_on(g, group.id) for g in after):
            group = Group(self._new_id(), graph, context.path, is_entity=True, parent=context.group)
            context.group.children.append(group)
            self.groups[group.id] = group
            self.entity_groups.setdefault((graph, context.path, context.group.id), group)
        for recorder in self.recorders:
            recorder.add(group.id)
        return group

    def _depends_on(self, group_id: int, target: int) -> bool:
        """Whether group ``group_id`` (transitively) runs after group ``target``."""
        seen: set[int] = set()
        pending = [group_id]
        while pending:
            current = pending.pop()
            if current == target:
                return True
            if current in seen or current not in self.groups:
                continue
            seen.add(current)
            group = self.groups[current]
            pending.extend(group.after)
            if group.parent is not None:
                pending.append(group.parent.id)
        return False

    def _require(
        self, context: _Context, selection_set: SelectionSetNode, representation: Tree
    ) -> set[int]:
        """Fetch ``selection_set`` here into the objects; copy it into the representation.

        Returns the groups that must run before the representation can be built.
        """
        needed: set[int] = set()
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                needed |= self._require_fragment(context, selection, representation)
                continue
            if not isinstance(selection, FieldNode):
                continue
            needed |= self._require_field(context, selection, representation)
        return needed

    def _require_fragment(
        self, context: _Context, fragment: InlineFragmentNode, representation: Tree
    ) -> set[int]:
        condition = fragment.type_condition
        name = condition.name.value if condition else context.type_name
        if name == context.type_name:
            return self._require(context, fragment.selection_set, representation)
        needed: set[int] = set()
        for runtime in self._runtime_types(context, name):
            inner = replace(context, tree=context.tree.fragment(runtime), type_name=runtime)
            needed |= self._require(inner, fragment.selection_set, representation.fragment(runtime))
        return needed

    def _require_field(
        self, context: _Context, selection: FieldNode, representation: Tree
    ) -> set[int]:
        name = selection.name.value
        arguments = tuple(selection.arguments or ())
        composite = selection.selection_set is not None
        if name == "__typename":
            context.tree.added_field(name, first=True)
            representation.field(name, first=True)
            return set()
        if not self._is_local(context, name):
            with self._recording() as needed:
                plain = FieldNode(
                    name=NameNode(value=name),
                    arguments=arguments,
                    directives=(),
                    selection_set=selection.selection_set,
                )
                self._jump(context, plain)
            copied = representation.field(name, arguments=arguments, composite=composite)
            if selection.selection_set is not None:
                _copy_into(selection.selection_set, copied.sub)
            return needed
        item = context.tree.added_field(name, arguments=arguments, composite=composite)
        copy = representation.field(
            name, alias=item.alias, arguments=arguments, composite=composite
        )
        if item.sub is None or copy.sub is None or selection.selection_set is None:
            return set()
        definition = self._field_def(context.type_name, name)
        named = get_named_type(definition.type)
        if is_abstract_type(named):
            item.sub.field("__typename", first=True)
        child = _Context(
            group=context.group,
            tree=item.sub,
            type_name=named.name,
            graph=context.graph,
            path=context.path + (item.response_key,) + ("@",) * _list_depth(definition.type),
            provided=self._child_provided(context, name),
            parent=context,
        )
        return self._require(child, selection.selection_set, copy.sub)

    @contextmanager
    def _recording(self) -> Iterator[set[int]]:
        recorded: set[int] = set()
        self.recorders.append(recorded)
        try:
            yield recorded
        finally:
            self.recorders.pop()

    # --- helpers ----------------------------------------------------------------------

    def _field_def(self, type_name: str, name: str) -> GraphQLField:
        parent = self.supergraph.api_schema.get_type(type_name)
        field: GraphQLField
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) and name in parent.fields:
            field = parent.fields[name]
            return field
        # Internal field sets may name what the API schema hides (@inaccessible).
        supergraph_type = self.supergraph.supergraph_schema.get_type(type_name)
        assert isinstance(supergraph_type, GraphQLObjectType | GraphQLInterfaceType), type_name
        field = supergraph_type.fields[name]
        return field

    def _ordered(self, graphs: frozenset[str]) -> list[str]:
        return [g.name for g in self.supergraph.graphs.values() if g.name in graphs]

    def _coverage(
        self, graph: str, type_name: str, selection_set: SelectionSetNode | None, depth: int
    ) -> int:
        """How many selected fields ``graph`` can return without another fetch."""
        model = self.supergraph.types.get(type_name)
        if selection_set is None or model is None or depth == 0:
            return 0
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field_model = model.fields.get(selection.name.value)
                if field_model is None or graph not in field_model.resolvers:
                    continue
                named = get_named_type(self._field_def(type_name, selection.name.value).type)
                count += 1 + self._coverage(graph, named.name, selection.selection_set, depth - 1)
                continue
            fragment = self._fragment(selection)
            if fragment is not None:
                condition = self._type_condition(selection) or type_name
                count += self._coverage(graph, condition, fragment[1], depth)
        return count

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id


def _possible(schema: GraphQLSchema, type_: GraphQLNamedType) -> list[str]:
    if is_abstract_type(type_):
        return [t.name for t in schema.get_possible_types(type_)]
    return [type_.name]


def _selection_of(node: FieldNode) -> SelectionSetNode:
    """A selection set holding just ``node``."""
    return SelectionSetNode(selections=(node,))


def _alias(node: FieldNode) -> str | None:
    return node.alias.value if node.alias else None


def _conditions(directives: tuple[DirectiveNode, ...] | None) -> tuple[DirectiveNode, ...]:
    """The @skip/@include directives whose outcome depends on variables."""
    return tuple(
        d for d in directives or () if d.name.value in _CONDITIONS and _literal_condition(d) is None
    )


def _never(directives: tuple[DirectiveNode, ...] | None) -> bool:
    """Whether a literal @skip(if: true) or @include(if: false) excludes the selection."""
    for directive in directives or ():
        literal = _literal_condition(directive)
        if literal is not None and literal == (directive.name.value == "skip"):
            return True
    return False


def _literal_condition(directive: DirectiveNode) -> bool | None:
    if directive.name.value not in _CONDITIONS:
        return None
    for argument in directive.arguments or ():
        if argument.name.value == "if" and isinstance(argument.value, BooleanValueNode):
            return argument.value.value
    return None


def _list_depth(type_: GraphQLOutputType) -> int:
    depth = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            depth += 1
        type_ = type_.of_type
    return depth


def _field_count(path: tuple[str, ...]) -> int:
    """How many fields a response path descends through (list markers aside)."""
    return sum(1 for segment in path if segment != "@")


def _top_level_names(selection_set: SelectionSetNode) -> set[str]:
    return {s.name.value for s in selection_set.selections if isinstance(s, FieldNode)}


def _provided_map(selection_set: SelectionSetNode) -> Provided:
    provided: Provided = {}
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            entry = provided.setdefault(selection.name.value, {})
            if selection.selection_set is not None:
                entry.update(_provided_map(selection.selection_set))
        elif isinstance(selection, InlineFragmentNode):
            provided.update(_provided_map(selection.selection_set))
    return provided


def _copy_into(selection_set: SelectionSetNode, tree: Tree | None) -> None:
    if tree is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            item = tree.field(
                selection.name.value,
                arguments=tuple(selection.arguments or ()),
                composite=selection.selection_set is not None,
            )
            if selection.selection_set is not None:
                _copy_into(selection.selection_set, item.sub)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            _copy_into(
                selection.selection_set,
                tree.fragment(condition.name.value if condition else None),
            )
