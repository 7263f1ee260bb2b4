"""OpenTelemetry spans for the router: one per request, planning and subgraph fetch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer, TracerProvider

from supergraph.plan import OperationKind
from supergraph.transport import Transport, TransportError

__all__ = ["TRACER_NAME", "TracedTransport", "router_tracer"]

TRACER_NAME = "taskforge.router"


def router_tracer(provider: TracerProvider | None = None) -> Tracer:
    """The router's tracer from `provider`, else the global one (a no-op until configured)."""
    if provider is None:
        return trace.get_tracer(TRACER_NAME)
    return provider.get_tracer(TRACER_NAME)


class TracedTransport:
    """Wraps a transport: a client span per fetch, its trace context injected into the request."""

    def __init__(self, inner: Transport, tracer: Tracer) -> None:
        self.inner = inner
        self.tracer = tracer

    async def send(
        self,
        service: str,
        body: dict[str, Any],
        headers: Mapping[str, str],
        *,
        kind: OperationKind | None = None,
    ) -> dict[str, Any]:
        with self.tracer.start_as_current_span(
            "subgraph.fetch",
            kind=SpanKind.CLIENT,
            attributes={"graphql.subgraph": service},
        ) as span:
            carrier = dict(headers)
            propagate.inject(carrier)
            try:
                return await self.inner.send(service, body, carrier, kind=kind)
            except TransportError as error:
                span.set_status(Status(StatusCode.ERROR, error.message))
                span.set_attribute("graphql.error.code", error.code)
                raise

    async def aclose(self) -> None:
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()
