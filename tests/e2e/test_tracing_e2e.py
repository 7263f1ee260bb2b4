"""A query across users -> groups -> tasks is one trace; metrics and subgraph logs agree."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from subgraph_kit.settings import ServiceSettings
from subgraph_kit.tracing import SQL_SPAN, SUBGRAPH_SPAN
from taskforge.registry import SUBGRAPHS
from taskforge.standalone import Standalone, create_standalone
from tests.support import services
from tests.support.backends import Backend, fresh_database_url
from tests.support.graphql import GraphQLClient

PASSWORD = "Corr3ct-Horse-Battery"
OVERVIEW = "query Overview { me { groups { name tasks(first: 5) { totalCount } } } }"
CROSSED = {"users", "groups", "tasks"}


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def traced(
    backend: Backend, redis_prefix: str, data_dir: Path, exporter: InMemorySpanExporter
) -> AsyncIterator[Standalone]:
    """The whole federation in-process, router and subgraphs tracing into `exporter`."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    common = services.test_common_settings(backend, redis_prefix, data_dir)
    async with AsyncExitStack() as stack:
        settings = {
            name: ServiceSettings(
                name=name,
                database_url=await stack.enter_async_context(
                    fresh_database_url(backend, data_dir, name)
                ),
            )
            for name in SUBGRAPHS
        }
        standalone = create_standalone(
            SUBGRAPHS.values(), common=common, settings=settings, tracer_provider=provider
        )
        await standalone.start()
        try:
            yield standalone
        finally:
            await standalone.stop()


async def _owner_with_group(gql: GraphQLClient) -> str:
    email = "tracer@example.com"
    registered = await gql(
        "mutation($e: String!, $p: String!, $n: String!) {"
        " register(email: $e, password: $p, displayName: $n) { id } }",
        {"e": email, "p": PASSWORD, "n": "Tracer"},
    )
    assert registered.errors == [], registered.errors
    login = await gql(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        {"e": email, "p": PASSWORD},
    )
    token: str = login.data["login"]["accessToken"]
    created = await gql('mutation { createGroup(name: "Traced") { id } }', token=token)
    assert created.errors == [], created.errors
    await _until_tasks_know_the_group(gql, token)
    return token


async def _until_tasks_know_the_group(gql: GraphQLClient, token: str) -> None:
    """The tasks subgraph learns memberships from an event; wait until it has."""
    for _attempt in range(200):
        if not (await gql(OVERVIEW, token=token)).errors:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the tasks subgraph never saw the membership")


def _hex(span_id: int) -> str:
    return format(span_id, "016x")


def _by_id(spans: tuple[ReadableSpan, ...]) -> dict[int, ReadableSpan]:
    return {span.context.span_id: span for span in spans}


def _attr(span: ReadableSpan, name: str) -> object:
    assert span.attributes is not None, span.name
    return span.attributes[name]


def _parent(span: ReadableSpan, spans: dict[int, ReadableSpan]) -> ReadableSpan:
    assert span.parent is not None, span.name
    return spans[span.parent.span_id]


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert match is not None, name
    return float(match.group(1))


async def test_a_query_across_three_subgraphs_is_one_trace(
    traced: Standalone, exporter: InMemorySpanExporter
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=traced), base_url="http://router"
    ) as http:
        token = await _owner_with_group(GraphQLClient(http))
        exporter.clear()
        reply = await http.post(
            "/graphql",
            json={"query": OVERVIEW, "operationName": "Overview"},
            headers={"Authorization": f"Bearer {token}"},
        )
    groups = [{"name": "Traced", "tasks": {"totalCount": 0}}]
    assert reply.json() == {"data": {"me": {"groups": groups}}}

    finished = exporter.get_finished_spans()
    assert len({span.context.trace_id for span in finished}) == 1
    spans = _by_id(finished)
    (request,) = [span for span in finished if span.name == "router.request"]
    (plan,) = [span for span in finished if span.name == "router.plan"]
    fetches = [span for span in finished if span.name == "subgraph.fetch"]
    served = [span for span in finished if span.name == SUBGRAPH_SPAN]
    assert request.kind == SpanKind.SERVER and request.parent is None
    assert _parent(plan, spans) is request
    assert {_attr(span, "graphql.subgraph") for span in fetches} == CROSSED
    assert all(_parent(fetch, spans) is request for fetch in fetches)

    assert len(served) == len(fetches) == 3
    for server in served:
        fetch = _parent(server, spans)
        assert fetch.name == "subgraph.fetch" and fetch.kind == SpanKind.CLIENT
        assert server.kind == SpanKind.SERVER
        assert _attr(server, "service.name") == _attr(fetch, "graphql.subgraph")
        assert _attr(server, "graphql.operation.type") == "query"
        assert _attr(server, "graphql.errors.count") == 0
    by_service = {_attr(span, "service.name"): span for span in served}
    assert by_service.keys() == CROSSED

    sql = [span for span in finished if span.name == SQL_SPAN]
    assert sql, "subgraphs ran SQL"
    assert all(_parent(span, spans).name == SUBGRAPH_SPAN for span in sql)


async def test_metrics_show_fetch_latency_per_subgraph_and_a_plan_cache_hit(
    traced: Standalone, exporter: InMemorySpanExporter
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=traced), base_url="http://router"
    ) as http:
        token = await _owner_with_group(GraphQLClient(http))
        auth = {"Authorization": f"Bearer {token}"}
        await http.post("/graphql", json={"query": OVERVIEW}, headers=auth)
        before = (await http.get("/metrics")).text
        exporter.clear()
        await http.post("/graphql", json={"query": OVERVIEW}, headers=auth)
        after = (await http.get("/metrics")).text

    hits = "taskforge_router_plan_cache_hits_total"
    assert _metric(after, hits) == _metric(before, hits) + 1
    assert "router.plan" not in [span.name for span in exporter.get_finished_spans()]
    for subgraph in CROSSED:
        series = f'taskforge_subgraph_fetch_seconds_count{{outcome="ok",subgraph="{subgraph}"}}'
        assert _metric(after, re.escape(series)) >= 2


async def test_subgraphs_log_the_request_id_and_trace_the_router_forwards(
    traced: Standalone, exporter: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=traced), base_url="http://router"
    ) as http:
        token = await _owner_with_group(GraphQLClient(http))
        with caplog.at_level(logging.INFO, logger="taskforge"):
            await http.post(
                "/graphql",
                json={"query": OVERVIEW},
                headers={"Authorization": f"Bearer {token}", "x-request-id": "trace-me-42"},
            )

    lines = [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name.endswith(".access")
    ]
    mine = [line for line in lines if line["request_id"] == "trace-me-42"]
    assert {line.get("service", "router") for line in mine} == {"router", *CROSSED}
    assert all(line["event"] == "request" and line["status"] == 200 for line in mine)
    request = [s for s in exporter.get_finished_spans() if s.name == "router.request"][-1]
    trace_id = format(request.context.trace_id, "032x")
    assert [line["trace_id"] for line in mine if "service" in line] == [trace_id] * 3
