"""Prometheus-style metrics at /metrics: requests, errors by code, latencies, plan cache."""

from __future__ import annotations

import re

from supergraph.edge.metrics import Metrics, TimedTransport
from tests.supergraph.edge_fixtures import edge_app


def _value(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} missing from:\n{text}"
    return float(match.group(1))


async def test_metrics_count_requests_errors_and_plan_cache() -> None:
    edge = edge_app()
    async with edge.client() as client:
        for _ in range(2):
            await client.post("/graphql", json={"query": "{ users { id } }"})
        await client.post("/graphql", json={"query": "{ nope }"})
        await client.post("/graphql", json={"query": "{ me { id } }"})
        text = (await client.get("/metrics")).text
    assert _value(text, 'taskforge_router_requests_total{method="POST",status="200"}') == 4
    assert _value(text, 'taskforge_router_errors_total{code="GRAPHQL_VALIDATION_FAILED"}') == 1
    assert _value(text, 'taskforge_router_errors_total{code="UNAUTHORIZED_FIELD_OR_TYPE"}') == 1
    assert _value(text, "taskforge_router_plan_cache_hits_total") == 1
    assert _value(text, "taskforge_router_plan_cache_misses_total") == 3
    assert _value(text, 'taskforge_router_request_seconds_count{method="POST"}') == 4
    assert "# TYPE taskforge_router_request_seconds histogram" in text
    fetches = 'taskforge_subgraph_fetch_seconds_count{outcome="ok",subgraph="users"}'
    assert _value(text, fetches) == 2, "the denied me { id } calls no subgraph"


async def test_subgraph_fetch_latency_is_labelled_by_subgraph_and_outcome() -> None:
    metrics = Metrics()
    edge = edge_app()
    timed = TimedTransport(edge.transport, metrics)
    await timed.send("users", {"query": "{ users { id } }"}, {})
    try:
        await timed.send("nowhere", {"query": "{ x }"}, {})
    except Exception as error:
        assert type(error).__name__ == "TransportError"
    text = metrics.render()
    assert (
        _value(text, 'taskforge_subgraph_fetch_seconds_count{outcome="ok",subgraph="users"}') == 1
    )
    assert (
        _value(text, 'taskforge_subgraph_fetch_seconds_count{outcome="error",subgraph="nowhere"}')
        == 1
    )
    assert (
        'taskforge_subgraph_fetch_seconds_bucket{outcome="ok",subgraph="users",le="+Inf"} 1' in text
    )


async def test_metrics_endpoint_can_be_switched_off() -> None:
    edge = edge_app(metrics=False)
    async with edge.client() as client:
        assert (await client.get("/metrics")).status_code == 404
