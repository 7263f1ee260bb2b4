"""OpenTelemetry spans: request, planning and subgraph fetches, with context sent to subgraphs."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from supergraph.http import create_router_app
from supergraph.http.app import EdgeConfig
from tests.supergraph.edge_fixtures import EdgeApp, edge_app

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_PARENT = "00f067aa0ba902b7"


def _traced_edge() -> tuple[EdgeApp, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    edge = edge_app()
    config = EdgeConfig(
        edge.config.settings,
        edge.config.tokens,
        edge.config.persisted,
        edge.config.metrics,
        tracer=provider.get_tracer("test"),
    )
    edge.router.transport = edge.transport
    edge.app = create_router_app(edge.router, config=config)
    return edge, exporter


async def test_request_plan_and_fetch_spans_share_the_clients_trace() -> None:
    edge, exporter = _traced_edge()
    traceparent = f"00-{CLIENT_TRACE}-{CLIENT_PARENT}-01"
    async with edge.client(traceparent=traceparent) as client:
        response = await client.post("/graphql", json={"query": "{ users { id } }"})
    assert response.status_code == 200
    spans = {span.name: span for span in exporter.get_finished_spans()}
    request, plan, fetch = spans["router.request"], spans["router.plan"], spans["subgraph.fetch"]
    assert request.kind == SpanKind.SERVER
    assert format(request.context.trace_id, "032x") == CLIENT_TRACE
    assert request.parent is not None and format(request.parent.span_id, "016x") == CLIENT_PARENT
    assert plan.parent is not None and plan.parent.span_id == request.context.span_id
    assert fetch.parent is not None and fetch.parent.span_id == request.context.span_id
    assert fetch.kind == SpanKind.CLIENT
    assert fetch.attributes is not None and fetch.attributes["graphql.subgraph"] == "users"
    sent = edge.transport.requests[0].headers["traceparent"]
    assert sent == f"00-{CLIENT_TRACE}-{format(fetch.context.span_id, '016x')}-01"


async def test_cached_plans_are_not_planned_again() -> None:
    edge, exporter = _traced_edge()
    async with edge.client() as client:
        for _ in range(3):
            await client.post("/graphql", json={"query": "{ users { id } }"})
    names = [span.name for span in exporter.get_finished_spans()]
    assert names.count("router.request") == 3
    assert names.count("router.plan") == 1
    assert names.count("subgraph.fetch") == 3
