"""Taskforge's Apollo Federation v2 router: supergraph loading, query planning and execution."""

from supergraph.printer import print_plan

__all__ = ["print_plan"]
