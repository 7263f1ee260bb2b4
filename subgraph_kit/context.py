"""The per-request GraphQL context: who is calling, the runtime, and per-request DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from subgraph_kit.auth import Claims, bearer_token
from subgraph_kit.errors import Forbidden, Unauthenticated
from subgraph_kit.router_channel import CLIENT_ADDRESS_HEADER, carries_secret
from subgraph_kit.runtime import ServiceRuntime
from subgraph_kit.settings import CommonSettings

__all__ = [
    "Ctx",
    "RequestContext",
    "client_address",
    "current_user",
    "require_admin",
    "require_user",
]


class RequestContext(BaseContext):
    """What resolvers get as `info.context`."""

    def __init__(self, runtime: ServiceRuntime, claims: Claims | None, client_ip: str) -> None:
        super().__init__()
        self.runtime = runtime
        self._claims = claims
        self.client_ip = client_ip
        self._loaders: dict[str, DataLoader[Any, Any]] = {}

    def loader(
        self, name: str, factory: Callable[[], DataLoader[Any, Any]]
    ) -> DataLoader[Any, Any]:
        """One DataLoader per name per request, so a batch spans the whole request."""
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = factory()
        return loader

    def reset_loaders(self) -> None:
        """Forget cached loads; a subscription calls this before each event so data is fresh."""
        self._loaders.clear()

    @property
    def claims(self) -> Claims | None:
        """The caller: from the Authorization header, or a WebSocket's connection_init payload."""
        if self._claims is None and isinstance(self.connection_params, dict):
            token = bearer_token(_authorization(self.connection_params))
            if token:
                self._claims = self.runtime.tokens.verify(token)
        return self._claims


def _authorization(params: dict[str, Any]) -> str | None:
    for key, value in params.items():
        if key.lower() == "authorization" and isinstance(value, str):
            return value
    return None


Ctx = Info[RequestContext, Any]
"""The `info` every resolver gets: its `context` is a RequestContext."""


def client_address(request: HTTPConnection, common: CommonSettings) -> str:
    """The client's address: as the router says over its channel, else the peer's (or
    X-Forwarded-For's first hop when TASKFORGE_TRUST_FORWARDED_FOR says a proxy sets it)."""
    relayed = request.headers.get(CLIENT_ADDRESS_HEADER)
    if relayed and carries_secret(request.headers, common.subgraph_secret):
        return relayed
    if common.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


def build_context(runtime: ServiceRuntime, request: HTTPConnection) -> RequestContext:
    """Verify the bearer token if present; an invalid one raises Unauthenticated (HTTP 401).

    `request` is an HTTP request or a WebSocket; a WebSocket may instead authenticate with
    `{"Authorization": "Bearer ..."}` in its connection_init payload.
    """
    token = bearer_token(request.headers.get("authorization"))
    claims = runtime.tokens.verify(token) if token else None
    ip = client_address(request, runtime.common)
    return RequestContext(runtime, claims, ip)


def current_user(info: Info[RequestContext, Any]) -> Claims | None:
    return info.context.claims


def require_user(info: Info[RequestContext, Any]) -> Claims:
    claims = info.context.claims
    if claims is None:
        raise Unauthenticated("you must be signed in")
    return claims


def require_admin(info: Info[RequestContext, Any]) -> Claims:
    claims = require_user(info)
    if not claims.is_admin:
        raise Forbidden("only administrators may do this")
    return claims
