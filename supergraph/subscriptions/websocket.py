"""The router's graphql-transport-ws endpoint, as the ``graphql-ws`` npm client speaks it."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from supergraph.subscriptions import protocol
from supergraph.subscriptions.execution import StreamRequest, SubscriptionRunner, authorization_of
from supergraph.subscriptions.protocol import CloseCode, SubscriptionFailed, error

__all__ = ["LIMIT_EXCEEDED", "WebSocketLimits", "serve_websocket"]

LIMIT_EXCEEDED = "SUBSCRIPTION_LIMIT_EXCEEDED"


@dataclass(frozen=True, slots=True)
class WebSocketLimits:
    """Per-connection limits: concurrent operations and the connection_init deadline."""

    max_operations: int = 100
    init_timeout: float = 3.0


class _Violation(Exception):
    """A protocol violation that closes the socket with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


async def serve_websocket(
    websocket: WebSocket, runner: SubscriptionRunner, limits: WebSocketLimits
) -> None:
    """Serve one client connection until it closes; every operation ends with it."""
    if protocol.SUBPROTOCOL not in websocket.scope.get("subprotocols", ()):
        await websocket.close(CloseCode.SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable")
        return
    await websocket.accept(subprotocol=protocol.SUBPROTOCOL)
    session = _Session(websocket, runner, limits)
    try:
        await session.serve()
    except _Violation as violation:
        with contextlib.suppress(Exception):
            await websocket.close(violation.code, violation.reason)
    except WebSocketDisconnect:
        pass
    finally:
        await session.cancel_all()


class _Session:
    """One connection's state: its identity and its running operations by id."""

    def __init__(
        self, websocket: WebSocket, runner: SubscriptionRunner, limits: WebSocketLimits
    ) -> None:
        self.websocket = websocket
        self.runner = runner
        self.limits = limits
        self.authorization: str | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.send_lock = asyncio.Lock()

    async def serve(self) -> None:
        try:
            async with asyncio.timeout(self.limits.init_timeout):
                first = await self.receive()
        except TimeoutError:
            raise _Violation(CloseCode.INIT_TIMEOUT, "Connection initialisation timeout") from None
        await self.initialise(first)
        while True:
            await self.handle(await self.receive())

    async def receive(self) -> dict[str, Any]:
        text = await self.websocket.receive_text()
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _Violation(CloseCode.BAD_REQUEST, "Invalid message received") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise _Violation(CloseCode.BAD_REQUEST, "Invalid message received")
        return message

    async def initialise(self, message: dict[str, Any]) -> None:
        if message["type"] != protocol.CONNECTION_INIT:
            raise _Violation(CloseCode.UNAUTHORIZED, "Unauthorized")
        payload = message.get("payload")
        params = payload if isinstance(payload, dict) else None
        self.authorization = authorization_of(params, self.websocket.headers)
        try:
            await self.runner.authenticate(self.authorization)
        except SubscriptionFailed:
            raise _Violation(CloseCode.FORBIDDEN, "Forbidden") from None
        await self.send({"type": protocol.CONNECTION_ACK})

    async def handle(self, message: dict[str, Any]) -> None:
        match message["type"]:
            case protocol.CONNECTION_INIT:
                raise _Violation(CloseCode.TOO_MANY_INIT, "Too many initialisation requests")
            case protocol.PING:
                await self.send({"type": protocol.PONG})
            case protocol.PONG:
                return
            case protocol.SUBSCRIBE:
                await self.subscribe(message)
            case protocol.COMPLETE:
                task = self.operations.pop(_id(message), None)
                if task is not None:
                    task.cancel()
            case _:
                raise _Violation(CloseCode.BAD_REQUEST, "Invalid message received")

    async def subscribe(self, message: dict[str, Any]) -> None:
        operation_id = _id(message)
        if operation_id in self.operations:
            raise _Violation(
                CloseCode.SUBSCRIBER_EXISTS, f"Subscriber for {operation_id} already exists"
            )
        if len(self.operations) >= self.limits.max_operations:
            limit = self.limits.max_operations
            errors = [error(f"At most {limit} subscriptions per connection", LIMIT_EXCEEDED)]
            await self.send({"id": operation_id, "type": protocol.ERROR, "payload": errors})
            return
        self.operations[operation_id] = asyncio.create_task(
            self.operate(operation_id, message.get("payload"))
        )

    async def operate(self, operation_id: str, payload: Any) -> None:
        try:
            request = StreamRequest.from_payload(payload)
            prepared = await self.runner.prepare(request, self.authorization)
            async for result in self.runner.stream(prepared, request, self.authorization):
                await self.send({"id": operation_id, "type": protocol.NEXT, "payload": result})
        except SubscriptionFailed as failed:
            self.finish(operation_id)
            await self.send({"id": operation_id, "type": protocol.ERROR, "payload": failed.errors})
            return
        self.finish(operation_id)
        await self.send({"id": operation_id, "type": protocol.COMPLETE})

    def finish(self, operation_id: str) -> None:
        task = self.operations.get(operation_id)
        if task is asyncio.current_task():
            del self.operations[operation_id]

    async def send(self, message: dict[str, Any]) -> None:
        async with self.send_lock:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.websocket.send_text(orjson.dumps(message).decode())

    async def cancel_all(self) -> None:
        tasks = list(self.operations.values())
        self.operations.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _id(message: dict[str, Any]) -> str:
    operation_id = message.get("id")
    if not isinstance(operation_id, str) or not operation_id:
        raise _Violation(CloseCode.BAD_REQUEST, "Invalid message received: missing id")
    return operation_id
