"""The cost model for choosing between valid plans: fewer fetches, then shorter chains."""

from __future__ import annotations

from dataclasses import dataclass

from supergraph.plan import Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence, Subscription

__all__ = ["PlanCost", "plan_cost"]


@dataclass(frozen=True, slots=True, order=True)
class PlanCost:
    """Compared field by field: each subgraph request costs more than any wait or byte.

    ``fetches`` counts subgraph requests, ``depth`` the longest chain of requests that must
    wait for one another (latency), ``size`` the bytes of subgraph operations (a proxy for
    the fields and representations asked for).
    """

    fetches: int
    depth: int
    size: int


def plan_cost(plan: QueryPlan) -> PlanCost:
    """The cost of running ``plan`` once."""
    if plan.node is None:
        return PlanCost(0, 0, 0)
    fetches, depth, size = _cost(plan.node)
    return PlanCost(fetches, depth, size)


def _cost(node: PlanNode) -> tuple[int, int, int]:
    match node:
        case Fetch():
            return 1, 1, len(node.operation)
        case Flatten():
            return _cost(node.node)
        case Sequence() | Parallel():
            parts = [_cost(child) for child in node.nodes]
            fetches = sum(p[0] for p in parts)
            size = sum(p[2] for p in parts)
            depths = [p[1] for p in parts]
            depth = sum(depths) if isinstance(node, Sequence) else max(depths, default=0)
            return fetches, depth, size
        case Subscription():
            primary = _cost(node.primary)
            if node.rest is None:
                return primary
            rest = _cost(node.rest)
            return primary[0] + rest[0], primary[1] + rest[1], primary[2] + rest[2]
    raise TypeError(f"unknown plan node {node!r}")
