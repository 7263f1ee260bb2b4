"""Query plan nodes: plain frozen data produced by the planner and run by the executor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from graphql import SelectionSetNode

__all__ = [
    "ContextRewrite",
    "Fetch",
    "Flatten",
    "Parallel",
    "PlanNode",
    "QueryPlan",
    "Sequence",
    "Subscription",
]

OperationKind = Literal["query", "mutation", "subscription"]


@dataclass(frozen=True, slots=True)
class ContextRewrite:
    """Where an entity fetch reads one ``@fromContext`` argument, per object it runs on.

    From the object, go ``up`` fields towards the root to the ancestor that sets the
    context (a ``type_condition``, or one of its implementations or members); the value is
    the single field ``selection`` reads there (an alias, when present, is the response key
    to read), sent as the variable ``variable``. Several rewrites may fill one variable (the
    field sits below several types setting the context): the first whose type condition the
    ancestor meets gives the value. A missing ancestor or field sends null.
    """

    variable: str
    up: int
    type_condition: str
    selection: SelectionSetNode = field(compare=False)


@dataclass(frozen=True, slots=True)
class Fetch:
    """One request to one subgraph.

    A root fetch (``requires is None``) sends ``operation`` as is and merges its ``data``
    into the object the fetch runs against (the root, or the objects a ``Flatten`` names).
    An entity fetch (``requires`` set) first builds one representation per object at its
    ``Flatten`` path from ``requires`` (inline fragments per type: ``... on T { __typename id }``;
    a field's alias, when present, is the response key to read, its name the key to
    write), drops objects whose required fields are missing, de-duplicates the rest and
    sends them as the ``$representations`` variable of ``operation``, an ``_entities`` query.
    Each ``_entities[i]`` is merged back into every object that produced representation i.

    With ``context_rewrites``, objects are grouped by their contextual argument values: one
    group sends ``operation`` with those values as variables; several send one aliased
    ``_entities`` per group (``_0: _entities(representations: $representations_0)``, each
    contextual variable suffixed ``_0``, ``_1``, ...) in a single request.
    """

    kind: ClassVar[str] = "Fetch"
    service: str
    operation: str
    operation_kind: OperationKind = "query"
    variable_usages: tuple[str, ...] = ()
    requires: SelectionSetNode | None = field(default=None, compare=False)
    operation_name: str | None = None
    # (concrete __typename, value to send instead): used for @interfaceObject subgraphs,
    # which know an interface only by its own name.
    input_rewrites: tuple[tuple[str, str], ...] = ()
    context_rewrites: tuple[ContextRewrite, ...] = ()


@dataclass(frozen=True, slots=True)
class Flatten:
    """Run ``node`` against every object found at ``path`` ("@" = each list item)."""

    kind: ClassVar[str] = "Flatten"
    path: tuple[str, ...]
    node: PlanNode


@dataclass(frozen=True, slots=True)
class Sequence:
    """Run ``nodes`` one after another; later nodes see what earlier ones merged."""

    kind: ClassVar[str] = "Sequence"
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    """Run ``nodes`` concurrently; they never depend on each other."""

    kind: ClassVar[str] = "Parallel"
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription: ``primary`` streams events from the subgraph owning the root field.

    Each event's ``data`` becomes the root data that ``rest`` (entity fetches to other
    subgraphs, paths relative to the root) runs against before the event is shaped.
    """

    kind: ClassVar[str] = "Subscription"
    primary: Fetch
    rest: PlanNode | None = None


PlanNode = Fetch | Flatten | Sequence | Parallel | Subscription


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A whole operation's plan; ``node`` is None when no subgraph needs calling."""

    node: PlanNode | None
