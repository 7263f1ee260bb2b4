"""ASGI middleware: a request id on every request, response and log line, and request metrics."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supergraph.edge.access_log import REQUEST_ID_HEADER, log_request, request_id_of
from supergraph.edge.metrics import Metrics

__all__ = ["REQUEST_ID_HEADER", "RequestIdMiddleware", "current_request_id"]

_HEADER = REQUEST_ID_HEADER.encode()

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
logger = logging.getLogger("taskforge.router.access")


class RequestIdMiddleware:
    """Echo a sane client ``x-request-id`` or make one; subgraphs see it as a request header."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        headers = [(k, v) for k, v in scope.get("headers", ()) if k != _HEADER]
        headers.append((_HEADER, request_id.encode()))
        scope = {**scope, "headers": headers}
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (_HEADER, request_id.encode())]
            await send(message)

        token = current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)
            self.finish(scope, request_id, status, time.perf_counter() - started)

    def finish(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        method = scope.get("method", "")
        labels = {"method": method, "status": str(status)}
        self.metrics.count("taskforge_router_requests_total", "HTTP requests served.", **labels)
        self.metrics.observe(
            "taskforge_router_request_seconds", "HTTP request latency.", seconds, method=method
        )
        log_request(logger, scope, request_id, status, seconds)
