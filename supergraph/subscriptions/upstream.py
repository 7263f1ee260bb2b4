"""How the router subscribes to a subgraph: graphql-transport-ws over real or in-process sockets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import Any, Protocol

import orjson
import websockets
from websockets.asyncio.client import ClientConnection, connect

from supergraph.subscriptions import protocol
from supergraph.subscriptions.asgi_websocket import AsgiWebSocket, WebSocketClosed
from supergraph.subscriptions.protocol import SubscriptionFailed, error, from_subgraph

__all__ = [
    "AsgiSubscriptionTransport",
    "SubscriptionTransport",
    "WebSocketSubscriptionTransport",
    "subscription_transport_for",
]

LOST = "SUBSCRIPTION_CONNECTION_LOST"
_ACK_TIMEOUT = 10.0


class SubscriptionTransport(Protocol):
    """Opens one subscription on a named subgraph and streams its execution results."""

    def subscribe(
        self, service: str, body: dict[str, Any], headers: Mapping[str, str]
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield each ``next`` payload; raise :class:`SubscriptionFailed` if the stream breaks."""
        ...


class _Socket(Protocol):
    async def send_text(self, text: str) -> None: ...

    async def receive_text(self) -> str: ...


class _Closed(Exception):
    """The subgraph's socket closed."""


def _lost(service: str, detail: str) -> SubscriptionFailed:
    message = f"Subscription to '{service}' lost: {detail}"
    return SubscriptionFailed([error(message, LOST, serviceName=service)])


def _init_payload(headers: Mapping[str, str]) -> dict[str, str]:
    """Subgraphs authenticate a WebSocket by its connection_init payload (``Authorization``)."""
    return {("Authorization" if k.lower() == "authorization" else k): v for k, v in headers.items()}


async def _receive(socket: _Socket) -> dict[str, Any]:
    text = await socket.receive_text()
    message = orjson.loads(text)
    if not isinstance(message, dict):
        raise ValueError("a graphql-transport-ws message must be a JSON object")
    return message


async def _send(socket: _Socket, message: dict[str, Any]) -> None:
    await socket.send_text(orjson.dumps(message).decode())


async def _handshake(socket: _Socket, headers: Mapping[str, str]) -> None:
    await _send(socket, {"type": protocol.CONNECTION_INIT, "payload": _init_payload(headers)})
    async with asyncio.timeout(_ACK_TIMEOUT):
        while True:
            message = await _receive(socket)
            if message.get("type") == protocol.CONNECTION_ACK:
                return
            if message.get("type") == protocol.PING:
                await _send(socket, {"type": protocol.PONG})


async def _stream(
    socket: _Socket, service: str, body: dict[str, Any], headers: Mapping[str, str]
) -> AsyncGenerator[dict[str, Any], None]:
    """Speak graphql-transport-ws as a client on an open socket, for one operation."""
    await _handshake(socket, headers)
    await _send(socket, {"id": "1", "type": protocol.SUBSCRIBE, "payload": body})
    while True:
        message = await _receive(socket)
        kind = message.get("type")
        if kind == protocol.NEXT:
            payload = message.get("payload")
            yield payload if isinstance(payload, dict) else {}
        elif kind == protocol.ERROR:
            errors = message.get("payload")
            raise SubscriptionFailed(
                [from_subgraph(e, service) for e in errors] if isinstance(errors, list) else []
            )
        elif kind == protocol.COMPLETE:
            return
        elif kind == protocol.PING:
            await _send(socket, {"type": protocol.PONG})


async def _guarded(
    socket: _Socket, service: str, body: dict[str, Any], headers: Mapping[str, str]
) -> AsyncGenerator[dict[str, Any], None]:
    """Turn every way the subgraph connection can break into :class:`SubscriptionFailed`."""
    completed = False
    try:
        async for payload in _stream(socket, service, body, headers):
            yield payload
        completed = True
    except (WebSocketClosed, websockets.ConnectionClosed) as exc:
        raise _lost(service, f"connection closed ({_close_code(exc)})") from None
    except (TimeoutError, ValueError, orjson.JSONDecodeError) as exc:
        raise _lost(service, str(exc) or type(exc).__name__) from None
    finally:
        if not completed:
            with contextlib.suppress(Exception):
                await _send(socket, {"id": "1", "type": protocol.COMPLETE})


def _close_code(exc: Exception) -> int | str:
    if isinstance(exc, WebSocketClosed):
        return exc.code
    if isinstance(exc, websockets.ConnectionClosed):
        return exc.rcvd.code if exc.rcvd is not None else "no close frame"
    return "?"


class AsgiSubscriptionTransport:
    """Subscriptions to subgraphs running as in-process ASGI apps (single-process mode, tests)."""

    def __init__(self, apps: Mapping[str, Any], path: str = "/graphql") -> None:
        self._apps = dict(apps)
        self._path = path

    async def subscribe(
        self, service: str, body: dict[str, Any], headers: Mapping[str, str]
    ) -> AsyncGenerator[dict[str, Any], None]:
        app = self._apps.get(service)
        if app is None:
            raise _lost(service, "unknown subgraph")
        socket = AsgiWebSocket(
            app, self._path, headers=headers, subprotocols=(protocol.SUBPROTOCOL,)
        )
        try:
            try:
                await socket.connect()
            except WebSocketClosed as exc:
                raise _lost(service, f"connection refused ({exc.code})") from None
            async for payload in _guarded(socket, service, body, headers):
                yield payload
        finally:
            await socket.close()


class _WebSocketsSocket:
    """Adapts a ``websockets`` client connection to the text-frame interface."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection

    async def send_text(self, text: str) -> None:
        await self._connection.send(text)

    async def receive_text(self) -> str:
        frame = await self._connection.recv()
        return frame if isinstance(frame, str) else frame.decode()


def _websocket_url(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url


class WebSocketSubscriptionTransport:
    """Subscriptions to subgraphs over the network (the subgraph URL with a ws:// scheme)."""

    def __init__(self, urls: Mapping[str, str], *, open_timeout: float = 10.0) -> None:
        self._urls = {name: _websocket_url(url) for name, url in urls.items()}
        self._open_timeout = open_timeout

    async def subscribe(
        self, service: str, body: dict[str, Any], headers: Mapping[str, str]
    ) -> AsyncGenerator[dict[str, Any], None]:
        url = self._urls.get(service)
        if url is None:
            raise _lost(service, "unknown subgraph")
        try:
            connection = await connect(
                url,
                subprotocols=[websockets.Subprotocol(protocol.SUBPROTOCOL)],
                additional_headers=dict(headers),
                open_timeout=self._open_timeout,
                max_size=None,
            )
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            raise _lost(service, f"cannot connect: {exc}") from None
        try:
            async for payload in _guarded(_WebSocketsSocket(connection), service, body, headers):
                yield payload
        finally:
            await connection.close()


def subscription_transport_for(transport: Any) -> SubscriptionTransport | None:
    """The subscription counterpart of the router's query transport, when it can be derived.

    Transports say where their subgraphs are: in-process ``apps`` (and their ``path``), or
    ``urls`` reached over WebSocket.
    """
    while hasattr(transport, "inner"):  # wrappers such as the edge's TimedTransport
        transport = transport.inner
    apps = getattr(transport, "apps", None)
    if isinstance(apps, Mapping):
        return AsgiSubscriptionTransport(apps, path=getattr(transport, "path", "/graphql"))
    urls = getattr(transport, "urls", None)
    if isinstance(urls, Mapping):
        return WebSocketSubscriptionTransport(urls)
    return None
