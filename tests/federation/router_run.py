"""Runs one corpus query through our router with the case's subgraphs in-process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from supergraph.router import build_router
from supergraph.transport import AsgiTransport
from tests.federation.corpus import Case, CorpusQuery, build_apps, mismatches
from tests.federation.subgraph_server import SubgraphState

__all__ = ["RouterOutcome", "run_router"]


@dataclass(frozen=True, slots=True)
class RouterOutcome:
    """Our router's response to one corpus query and what it asked the subgraphs."""

    response: Mapping[str, Any]
    subgraph_requests: tuple[str, ...]

    def problems(self, query: CorpusQuery) -> list[str]:
        """Every way this outcome differs from the query's expectation."""
        found = mismatches(query, self.response)
        if query.calls is not None and len(self.subgraph_requests) != query.calls:
            found.append(
                f"expected {query.calls} subgraph requests, got {len(self.subgraph_requests)}:\n"
                + "\n".join(self.subgraph_requests)
            )
        return found


async def run_router(case: Case, query: CorpusQuery) -> RouterOutcome:
    """Build a router over fresh data-driven subgraphs of ``case`` and answer ``query``."""
    state = SubgraphState()
    router = build_router(case.supergraph, transport=AsgiTransport(build_apps(case, state)))
    response = await router.execute(query.query, query.variables, query.operation_name, {}, None)
    requests = tuple(f"{name}: {request.query}" for name, request in state.log)
    return RouterOutcome(response, requests)
