"""Streamed responses over HTTP: graphql-sse (distinct connections) and Apollo multipart."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable
from contextlib import aclosing
from typing import Any

import orjson
from starlette.types import Receive, Send

from supergraph.subscriptions.execution import StreamRequest, SubscriptionRunner
from supergraph.subscriptions.protocol import SubscriptionFailed

__all__ = [
    "MULTIPART_CONTENT_TYPE",
    "SSE_CONTENT_TYPE",
    "multipart_chunks",
    "send_stream",
    "sse_chunks",
    "with_heartbeats",
]

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
MULTIPART_CONTENT_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"'
_PART = b"\r\n--graphql\r\ncontent-type: application/json\r\n\r\n"
_END = b"\r\n--graphql--\r\n"


async def with_heartbeats(
    source: AsyncGenerator[dict[str, Any], None], interval: float
) -> AsyncGenerator[dict[str, Any] | None, None]:
    """``source``'s items, with ``None`` whenever ``interval`` seconds pass without one."""
    pending: asyncio.Future[dict[str, Any]] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(source))
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if not done:
                yield None
                continue
            finished, pending = pending, None
            try:
                item = finished.result()
            except StopAsyncIteration:
                return
            yield item
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        await source.aclose()


async def _results(
    runner: SubscriptionRunner, request: StreamRequest, authorization: str | None, heartbeat: float
) -> AsyncGenerator[dict[str, Any] | None, None]:
    prepared = await runner.prepare(request, authorization)
    events = runner.stream(prepared, request, authorization)
    async with aclosing(with_heartbeats(events, heartbeat)) as results:
        async for result in results:
            yield result


async def sse_chunks(
    runner: SubscriptionRunner,
    request: StreamRequest,
    authorization: str | None,
    heartbeat: float = 12.0,
) -> AsyncGenerator[bytes, None]:
    """graphql-sse distinct connections: ``next`` events, then ``complete``; errors as a next."""
    try:
        async with aclosing(_results(runner, request, authorization, heartbeat)) as results:
            async for result in results:
                if result is None:
                    yield b":\n\n"
                    continue
                yield b"event: next\ndata: " + orjson.dumps(result) + b"\n\n"
    except SubscriptionFailed as failed:
        yield b"event: next\ndata: " + orjson.dumps({"errors": failed.errors}) + b"\n\n"
    yield b"event: complete\ndata: \n\n"


async def multipart_chunks(
    runner: SubscriptionRunner,
    request: StreamRequest,
    authorization: str | None,
    heartbeat: float = 5.0,
) -> AsyncGenerator[bytes, None]:
    """Apollo's multipart subscriptions: ``{"payload": ...}`` parts, ``{}`` heartbeats."""
    yield _PART + b"{}"
    try:
        async with aclosing(_results(runner, request, authorization, heartbeat)) as results:
            async for result in results:
                body = {} if result is None else {"payload": result}
                yield _PART + orjson.dumps(body)
    except SubscriptionFailed as failed:
        yield _PART + orjson.dumps({"payload": None, "errors": failed.errors})
    yield _END


async def send_stream(
    receive: Receive,
    send: Send,
    content_type: str,
    chunks: AsyncGenerator[bytes, None],
) -> None:
    """Stream ``chunks`` as the response body; stop (closing ``chunks``) if the client leaves."""
    headers = [
        (b"content-type", content_type.encode()),
        (b"cache-control", b"no-cache"),
        (b"x-accel-buffering", b"no"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})

    async def pump() -> None:
        async with aclosing(chunks):
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    await _until_first(pump(), _disconnected(receive))


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _until_first(*jobs: Awaitable[None]) -> None:
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        with contextlib.suppress(OSError):
            task.result()
