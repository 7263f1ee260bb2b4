"""An in-process WebSocket client for an ASGI app: drives its websocket scope through queues."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.types import ASGIApp, Message

__all__ = ["AsgiWebSocket", "WebSocketClosed"]


class WebSocketClosed(Exception):
    """The peer closed the WebSocket (or its app ended) while we expected a message."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"WebSocket closed ({code}) {reason}".strip())
        self.code = code
        self.reason = reason


class AsgiWebSocket:
    """One WebSocket connection to an ASGI app running as a task in this event loop."""

    def __init__(
        self,
        app: ASGIApp,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        subprotocols: Sequence[str] = (),
    ) -> None:
        self._app = app
        self._scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "scheme": "ws",
            "http_version": "1.1",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
            "client": ("127.0.0.1", 0),
            "server": ("in-process", 80),
            "subprotocols": list(subprotocols),
            "state": {},
        }
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closed: WebSocketClosed | None = None
        self.subprotocol: str | None = None

    async def connect(self) -> None:
        """Open the connection; raises :class:`WebSocketClosed` when the app refuses it."""
        self._task = asyncio.create_task(self._run())
        await self._to_app.put({"type": "websocket.connect"})
        message = await self._from_app.get()
        if message["type"] != "websocket.accept":
            self._closed = _closed_from(message)
            raise self._closed
        self.subprotocol = message.get("subprotocol")

    async def _run(self) -> None:
        try:
            await self._app(self._scope, self._to_app.get, self._from_app.put)
        except Exception as exc:  # the app crashed: the connection is lost, not cleanly closed
            await self._from_app.put(
                {"type": "websocket.close", "code": 1011, "reason": type(exc).__name__}
            )
            return
        await self._from_app.put({"type": "websocket.close", "code": 1006, "reason": "ended"})

    async def send_text(self, text: str) -> None:
        """Deliver a text frame to the app."""
        if self._closed is not None:
            raise self._closed
        await self._to_app.put({"type": "websocket.receive", "text": text})

    async def receive_text(self) -> str:
        """The app's next text frame; raises :class:`WebSocketClosed` once it closed."""
        if self._closed is not None:
            raise self._closed
        while True:
            message = await self._from_app.get()
            if message["type"] == "websocket.send":
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode()
                return text
            if message["type"] == "websocket.close":
                self._closed = _closed_from(message)
                raise self._closed

    async def close(self, code: int = 1000) -> None:
        """Tell the app we left and wait briefly for it to finish its cleanup."""
        if self._task is None:
            return
        task, self._task = self._task, None
        if self._closed is None:
            self._closed = WebSocketClosed(code, "closed by client")
        await self._to_app.put({"type": "websocket.disconnect", "code": code})
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=5)
        except TimeoutError:
            await _cancel(task)
        except asyncio.CancelledError:
            await _cancel(task)
            raise


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(BaseException):
        await task


def _closed_from(message: Message) -> WebSocketClosed:
    return WebSocketClosed(int(message.get("code", 1000)), str(message.get("reason") or ""))
