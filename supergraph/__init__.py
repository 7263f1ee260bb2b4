"""Taskforge's Apollo Federation v2 router: supergraph loading, query planning and execution."""

from supergraph.loading import Supergraph, SupergraphError, load_supergraph
from supergraph.planning import PlanningError, plan_operation, plan_query
from supergraph.printer import print_plan

__all__ = [
    "PlanningError",
    "Supergraph",
    "SupergraphError",
    "load_supergraph",
    "plan_operation",
    "plan_query",
    "print_plan",
]
