"""A subgraph made by subgraph_kit continues the caller's trace: a server span per operation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import strawberry
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import text

from subgraph_kit.app import create_subgraph_app
from subgraph_kit.errors import NotFound
from subgraph_kit.graphql import federation_schema
from subgraph_kit.runtime import ServiceRuntime
from subgraph_kit.settings import CommonSettings, ServiceSettings
from subgraph_kit.tracing import SQL_SPAN, SUBGRAPH_SPAN, SubgraphTracing, operation_kind
from supergraph.edge.access_log import trace_id_of

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"


@strawberry.type
class Query:
    @strawberry.field
    async def answer(self, info: strawberry.Info) -> int:
        async with info.context.runtime.database.session() as session:
            return int((await session.execute(text("select 42"))).scalar_one())

    @strawberry.field
    def missing(self) -> int | None:
        raise NotFound("nothing here")


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> bool:
        return True


schema = federation_schema(query=Query, mutation=Mutation)


@pytest.fixture
async def traced_subgraph(
    tmp_path: Path,
) -> AsyncIterator[tuple[httpx.AsyncClient, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    runtime = ServiceRuntime.create(
        "probe",
        "probe",
        settings=ServiceSettings(name="probe", database_url=f"sqlite+aiosqlite:///{tmp_path}/p.db"),
        common=CommonSettings(data_dir=tmp_path),
    )
    runtime.tracer_provider = provider
    app = create_subgraph_app(runtime, schema, manage_runtime=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
        yield client, exporter
    await runtime.database.engine.dispose()


def _only(spans: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    (span,) = [span for span in spans if span.name == name]
    return span


async def test_a_named_operation_is_a_server_span_under_the_callers_span(
    traced_subgraph: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced_subgraph
    reply = await client.post(
        "/graphql",
        json={"query": "mutation Touch { touch } query Other { answer }", "operationName": "Touch"},
        headers={"traceparent": TRACEPARENT},
    )
    assert reply.json() == {"data": {"touch": True}}
    span = _only(exporter.get_finished_spans(), SUBGRAPH_SPAN)
    assert span.kind == SpanKind.SERVER
    assert format(span.context.trace_id, "032x") == CALLER_TRACE
    assert span.parent is not None and format(span.parent.span_id, "016x") == CALLER_SPAN
    assert span.attributes == {
        "service.name": "probe",
        "graphql.operation.type": "mutation",
        "graphql.operation.name": "Touch",
        "graphql.errors.count": 0,
    }


async def test_errors_are_counted_and_sql_runs_in_child_spans(
    traced_subgraph: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced_subgraph
    reply = await client.post("/graphql", json={"query": "{ answer missing }"})
    assert reply.json()["data"] == {"answer": 42, "missing": None}
    spans = exporter.get_finished_spans()
    server = _only(spans, SUBGRAPH_SPAN)
    assert server.parent is None
    assert server.attributes is not None and server.attributes["graphql.errors.count"] == 1
    sql = _only(spans, SQL_SPAN)
    assert sql.parent is not None and sql.parent.span_id == server.context.span_id
    assert sql.attributes is not None and sql.attributes["db.statement"] == "select 42"


def test_without_a_provider_there_is_no_tracer() -> None:
    assert SubgraphTracing("probe").tracer() is None
    assert SubgraphTracing("probe", TracerProvider()).tracer() is not None


def test_operation_kind_reads_the_selected_operation() -> None:
    assert operation_kind("{ a }", None) == ("query", "")
    assert operation_kind("query A { a } subscription B { b }", "B") == ("subscription", "B")
    assert operation_kind("query A { a } query B { b }", None) == ("unknown", "")
    assert operation_kind("{ a", "X") == ("unknown", "X")


def test_access_log_trace_ids_come_only_from_well_formed_traceparents() -> None:
    assert trace_id_of({"headers": [(b"traceparent", TRACEPARENT.encode())]}) == CALLER_TRACE
    assert trace_id_of({"headers": [(b"traceparent", b"00-nothex-00f067aa0ba902b7-01")]}) is None
    assert trace_id_of({"headers": []}) is None
