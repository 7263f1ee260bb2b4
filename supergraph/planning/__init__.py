"""Query planning: from a validated client operation to a tree of subgraph fetches."""

from supergraph.planning.planner import PlanningError, plan_operation, plan_query

__all__ = ["PlanningError", "plan_operation", "plan_query"]
