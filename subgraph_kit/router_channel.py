"""The trusted router-to-subgraph channel: only the router may call a subgraph's GraphQL.

The router sends `x-taskforge-subgraph-secret` (TASKFORGE_SUBGRAPH_SECRET) with every request
and the client's real address in `x-taskforge-client-address`; a subgraph refuses GraphQL
requests without the secret and believes the address only when the secret came with it.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from subgraph_kit.errors import ErrorCode

__all__ = [
    "CLIENT_ADDRESS_HEADER",
    "SUBGRAPH_SECRET_HEADER",
    "RouterOnlyMiddleware",
    "carries_secret",
]

SUBGRAPH_SECRET_HEADER = "x-taskforge-subgraph-secret"
CLIENT_ADDRESS_HEADER = "x-taskforge-client-address"
# Open to anyone: probes, and photo files whose URLs are unguessable public ids.
_OPEN_PREFIXES = ("/health", "/ready", "/photos/")


def carries_secret(headers: Mapping[str, str], secret: str | None) -> bool:
    """Whether the request came over the router channel (constant-time comparison)."""
    if not secret:
        return False
    sent = headers.get(SUBGRAPH_SECRET_HEADER, "")
    return hmac.compare_digest(sent.encode(), secret.encode())


class RouterOnlyMiddleware:
    """Refuse (403, FORBIDDEN) every GraphQL request or WebSocket without the router's secret."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._open(scope):
            await self.app(scope, receive, send)
            return
        if carries_secret(Headers(scope=scope), self.secret):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4403})
            return
        body = orjson.dumps(
            {
                "errors": [
                    {
                        "message": "this subgraph answers only the router",
                        "extensions": {"code": ErrorCode.FORBIDDEN},
                    }
                ]
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _open(scope: Scope) -> bool:
        path: str = scope.get("path", "")
        return scope.get("method", "GET") in ("GET", "HEAD") and path.startswith(_OPEN_PREFIXES)
