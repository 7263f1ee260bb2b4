"""Measures how long the planner takes on every corpus query and prints the spread.

Usage (from the repo root): ``.venv/bin/python -m tests.federation.planning_times [--repeat N]``.
Each query is parsed and validated once, then planned ``repeat`` times; the best run counts
(the router caches plans, so this is what a query's first request pays). A measurement,
not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass

from graphql import DocumentNode, FieldNode, Visitor, parse, validate, visit

from supergraph.loading import load_supergraph
from supergraph.planning import PlanningError, plan_operation
from supergraph.planning.cost import plan_cost
from tests.federation.corpus import load_cases

__all__ = ["Timing", "main", "measure"]


@dataclass(frozen=True, slots=True)
class Timing:
    """The best planning time of one corpus query, with the size of query and plan."""

    seconds: float
    query_id: str
    fields: int
    fetches: int
    depth: int

    def describe(self) -> str:
        return (
            f"{self.seconds * 1000:.2f} ms  {self.query_id}"
            f" ({self.fields} fields, {self.fetches} fetches, depth {self.depth})"
        )


class _FieldCounter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.count += 1


def _fields(document: DocumentNode) -> int:
    counter = _FieldCounter()
    visit(document, counter)
    return counter.count


def measure(repeat: int) -> list[Timing]:
    """One timing per plannable corpus query."""
    timings: list[Timing] = []
    for case in load_cases():
        supergraph = load_supergraph(case.supergraph)
        for query in case.queries:
            document = parse(query.query)
            if validate(supergraph.api_schema, document):
                continue
            best = float("inf")
            try:
                for _ in range(repeat):
                    start = time.perf_counter()
                    plan = plan_operation(supergraph, document, query.operation_name)
                    best = min(best, time.perf_counter() - start)
            except PlanningError:
                continue
            cost = plan_cost(plan)
            timings.append(Timing(best, query.id, _fields(document), cost.fetches, cost.depth))
    return timings


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: the slowest queries, the largest plan, max and median."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args(argv)
    timings = sorted(measure(options.repeat), key=lambda t: t.seconds, reverse=True)
    for timing in timings[:5]:
        print(timing.describe())
    largest = max(timings, key=lambda t: (t.fetches, t.fields))
    print(f"largest plan: {largest.describe()}")
    durations = [t.seconds for t in timings]
    print(
        f"{len(timings)} queries: max {max(durations) * 1000:.2f} ms,"
        f" median {statistics.median(durations) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
