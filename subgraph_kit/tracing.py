"""OpenTelemetry for Taskforge: shared tracer lookup, subgraph request spans and SQL spans."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, get_operation_ast, parse
from opentelemetry import propagate, trace
from opentelemetry.trace import (
    NoOpTracerProvider,
    ProxyTracerProvider,
    Span,
    SpanKind,
    Tracer,
    TracerProvider,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine

__all__ = [
    "SQL_SPAN",
    "SUBGRAPH_SPAN",
    "SubgraphTracing",
    "active_provider",
    "operation_kind",
    "taskforge_tracer",
]

SUBGRAPH_SPAN = "subgraph.request"
SQL_SPAN = "db.query"
_SPAN_KEY = "_taskforge_span"
_instrumented: weakref.WeakSet[Engine] = weakref.WeakSet()


def taskforge_tracer(scope: str, provider: TracerProvider | None = None) -> Tracer:
    """A tracer named `scope` from `provider`, else the global one (a no-op until configured)."""
    if provider is None:
        return trace.get_tracer(scope)
    return provider.get_tracer(scope)


def active_provider(provider: TracerProvider | None = None) -> TracerProvider | None:
    """`provider`, else the global provider once one was set; None means spans would be no-ops."""
    chosen = provider or trace.get_tracer_provider()
    if isinstance(chosen, ProxyTracerProvider | NoOpTracerProvider):
        return None
    return chosen


# The router sends the same few operation texts over and over: parse each once.
@lru_cache(maxsize=512)
def operation_kind(query: str | None, operation_name: str | None) -> tuple[str, str]:
    """The operation's (type, name) as the document says, or ("unknown", name) if unparsable."""
    if not query:
        return "unknown", operation_name or ""
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return "unknown", operation_name or ""
    operation: OperationDefinitionNode | None = get_operation_ast(document, operation_name)
    if operation is None:
        return "unknown", operation_name or ""
    name = operation.name.value if operation.name else operation_name or ""
    return operation.operation.value, name


class SubgraphTracing:
    """Spans for one subgraph: a server span per GraphQL request and a child span per SQL query.

    The provider is looked up per request (the runtime's, else the global one), so nothing is
    traced and almost nothing is spent until a provider is configured.
    """

    def __init__(self, service: str, provider: TracerProvider | None = None) -> None:
        self.service = service
        self.provider = provider
        self._cached: tuple[TracerProvider, Tracer] | None = None

    def tracer(self) -> Tracer | None:
        """The subgraph's tracer, or None when no provider is configured."""
        provider = active_provider(self.provider)
        if provider is None:
            return None
        if self._cached is None or self._cached[0] is not provider:
            self._cached = (provider, provider.get_tracer(f"taskforge.subgraph.{self.service}"))
        return self._cached[1]

    @contextmanager
    def request_span(
        self, headers: Mapping[str, str], query: str | None, operation_name: str | None
    ) -> Iterator[Span | None]:
        """The GraphQL request's server span, a child of the caller's `traceparent` if sent."""
        tracer = self.tracer()
        if tracer is None:
            yield None
            return
        kind, name = operation_kind(query, operation_name)
        attributes = {
            "service.name": self.service,
            "graphql.operation.type": kind,
            "graphql.operation.name": name,
        }
        with tracer.start_as_current_span(
            SUBGRAPH_SPAN,
            context=propagate.extract(headers),
            kind=SpanKind.SERVER,
            attributes=attributes,
        ) as span:
            yield span

    def instrument(self, engine: Engine) -> None:
        """A child span per SQL statement run while a subgraph request span is current."""
        if engine in _instrumented:
            return
        _instrumented.add(engine)
        event.listen(engine, "before_cursor_execute", self._before_sql)
        event.listen(engine, "after_cursor_execute", _after_sql)
        event.listen(engine, "handle_error", _failed_sql)

    def _before_sql(
        self,
        _connection: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        context: Any,
        _executemany: bool,
    ) -> None:
        if not trace.get_current_span().is_recording():
            return
        tracer = self.tracer()
        if tracer is None:
            return
        span = tracer.start_span(
            SQL_SPAN,
            kind=SpanKind.CLIENT,
            attributes={"service.name": self.service, "db.statement": statement},
        )
        setattr(context, _SPAN_KEY, span)


def _after_sql(*args: Any) -> None:
    span: Span | None = getattr(args[4], _SPAN_KEY, None)
    if span is not None:
        span.end()


def _failed_sql(exception_context: Any) -> None:
    context = exception_context.execution_context
    span: Span | None = getattr(context, _SPAN_KEY, None) if context is not None else None
    if span is None:
        return
    span.record_exception(exception_context.original_exception)
    span.set_status(trace.Status(trace.StatusCode.ERROR))
    span.end()
