"""Request ids and the one-JSON-line-per-request access log (the router's; services reuse it)."""

from __future__ import annotations

import logging
import re
import time
import uuid

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "REQUEST_ID_HEADER",
    "AccessLogMiddleware",
    "access_log_line",
    "log_request",
    "request_id_of",
    "trace_id_of",
]

REQUEST_ID_HEADER = "x-request-id"
_HEADER = REQUEST_ID_HEADER.encode()
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_TRACEPARENT = re.compile(rb"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


def request_id_of(scope: Scope) -> str:
    """The request's sane `x-request-id`, or a fresh one."""
    for name, value in scope.get("headers", ()):
        if name == _HEADER:
            text: str = value.decode("latin-1")
            if _SANE_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


def trace_id_of(scope: Scope) -> str | None:
    """The trace id of the request's W3C `traceparent`, so log lines can be joined to traces."""
    for name, value in scope.get("headers", ()):
        if name == b"traceparent":
            match = _TRACEPARENT.fullmatch(value)
            return match.group(1).decode() if match else None
    return None


def access_log_line(
    scope: Scope, request_id: str, status: int, seconds: float, **extra: str
) -> str:
    """The access log's JSON line for one request."""
    line = {
        "event": "request",
        "request_id": request_id,
        "method": scope.get("method", ""),
        "path": scope.get("path", ""),
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        **extra,
    }
    return orjson.dumps(line).decode()


def log_request(
    logger: logging.Logger,
    scope: Scope,
    request_id: str,
    status: int,
    seconds: float,
    **extra: str,
) -> None:
    """Write the request's access log line when `logger` is on at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(access_log_line(scope, request_id, status, seconds, **extra))


class AccessLogMiddleware:
    """One access log line per HTTP request: the forwarded `x-request-id` and the trace id."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self.logger = logging.getLogger(f"taskforge.{service}.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        status = 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            self.finish(scope, request_id, status, time.perf_counter() - started)

    def finish(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        extra = {"service": self.service}
        trace_id = trace_id_of(scope)
        if trace_id is not None:
            extra["trace_id"] = trace_id
        log_request(self.logger, scope, request_id, status, seconds, **extra)
