"""Mounts the streaming protocols in front of the router's HTTP app, on the GraphQL path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from supergraph.edge.authorization import PolicyHook
from supergraph.json_types import JSONError
from supergraph.router import Router
from supergraph.subscriptions.execution import (
    StreamRequest,
    SubscriptionRunner,
    TokenVerifier,
    authorization_of,
)
from supergraph.subscriptions.http_streams import (
    MULTIPART_CONTENT_TYPE,
    SSE_CONTENT_TYPE,
    multipart_chunks,
    send_stream,
    sse_chunks,
)
from supergraph.subscriptions.protocol import SubscriptionFailed
from supergraph.subscriptions.upstream import SubscriptionTransport, subscription_transport_for
from supergraph.subscriptions.websocket import WebSocketLimits, serve_websocket

__all__ = [
    "SubscriptionOptions",
    "SubscriptionsMiddleware",
    "install_subscriptions",
    "subscriptions_middleware",
]


@dataclass(frozen=True, slots=True)
class SubscriptionOptions:
    """Tunables for the streaming protocols."""

    max_subscriptions_per_connection: int = 100
    init_timeout: float = 3.0
    sse_heartbeat: float = 12.0
    multipart_heartbeat: float = 5.0


class SubscriptionsMiddleware:
    """WebSocket upgrades, ``text/event-stream`` and multipart subscription requests on ``path``.

    Everything else (plain JSON requests, GraphiQL, /health) goes to the wrapped app.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        runner: SubscriptionRunner,
        path: str = "/graphql",
        options: SubscriptionOptions | None = None,
    ) -> None:
        self.app = app
        self.runner = runner
        self.path = path
        self.options = options or SubscriptionOptions()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == self.path:
            limits = WebSocketLimits(
                self.options.max_subscriptions_per_connection, self.options.init_timeout
            )
            await serve_websocket(WebSocket(scope, receive, send), self.runner, limits)
            return
        if scope["type"] == "http" and scope["path"] == self.path:
            accept = Request(scope).headers.get("accept", "")
            if "text/event-stream" in accept:
                await self.sse(scope, receive, send)
                return
            if "multipart/mixed" in accept and scope["method"] == "POST":
                await self.multipart(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def sse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        authorization = authorization_of(request.headers)
        try:
            stream_request = await _read_request(request)
            await self.runner.authenticate(authorization)
            await self.runner.prepare(stream_request, authorization)
        except SubscriptionFailed as failed:
            await _json(send, failed.errors, _status(failed))
            return
        chunks = sse_chunks(self.runner, stream_request, authorization, self.options.sse_heartbeat)
        await send_stream(receive, send, SSE_CONTENT_TYPE, chunks)

    async def multipart(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await request.body()
        authorization = authorization_of(request.headers)
        try:
            stream_request = StreamRequest.from_payload(orjson.loads(body))
            await self.runner.authenticate(authorization)
            prepared = await self.runner.prepare(stream_request, authorization)
        except (orjson.JSONDecodeError, SubscriptionFailed):
            prepared = None
        if prepared is None or prepared.kind != "subscription":
            # Not a subscription, or a bad request: the JSON endpoint answers it as usual.
            await self.app(scope, _replay(body, receive), send)
            return
        chunks = multipart_chunks(
            self.runner, stream_request, authorization, self.options.multipart_heartbeat
        )
        await send_stream(receive, send, MULTIPART_CONTENT_TYPE, chunks)


async def _read_request(request: Request) -> StreamRequest:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if params.get(name):
                params[name] = _loads(params[name])
        return StreamRequest.from_payload(params)
    return StreamRequest.from_payload(_loads(await request.body()))


def _loads(raw: str | bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _status(failed: SubscriptionFailed) -> int:
    codes = {(e.get("extensions") or {}).get("code") for e in failed.errors}
    return 401 if "UNAUTHENTICATED" in codes else 400


async def _json(send: Send, errors: list[JSONError], status: int) -> None:
    body = orjson.dumps({"errors": errors})
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body to the next app once."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def subscriptions_middleware(
    router: Router,
    *,
    path: str = "/graphql",
    transport: SubscriptionTransport | None = None,
    verify_token: TokenVerifier | None = None,
    policy_hook: PolicyHook | None = None,
    options: SubscriptionOptions | None = None,
) -> Middleware:
    """The middleware entry serving subscriptions for ``router`` (as ``install_subscriptions``)."""
    runner = SubscriptionRunner(
        router,
        transport or subscription_transport_for(router.transport),
        verify_token=verify_token or _router_verifier(router),
        policy_hook=policy_hook,
    )
    return Middleware(SubscriptionsMiddleware, runner=runner, path=path, options=options)


def install_subscriptions(
    app: Starlette,
    router: Router,
    *,
    path: str = "/graphql",
    transport: SubscriptionTransport | None = None,
    verify_token: TokenVerifier | None = None,
    policy_hook: PolicyHook | None = None,
    options: SubscriptionOptions | None = None,
) -> None:
    """Serve subscriptions on ``app`` at ``path`` (WebSocket, SSE, multipart).

    The subgraph transport defaults to the counterpart of the router's query transport;
    the token verifier defaults to the router's ``verify_token`` when it has one.
    """
    entry = subscriptions_middleware(
        router,
        path=path,
        transport=transport,
        verify_token=verify_token,
        policy_hook=policy_hook,
        options=options,
    )
    app.add_middleware(entry.cls, *entry.args, **entry.kwargs)


def _router_verifier(router: Router) -> TokenVerifier | None:
    verifier = getattr(router, "verify_token", None)
    return verifier if callable(verifier) else None
