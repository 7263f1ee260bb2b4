"""A composed two-subgraph supergraph with auth directives, a fake transport and an edge app."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt

from supergraph.composition import SubgraphDefinition, compose
from supergraph.edge.metrics import Metrics
from supergraph.edge.persisted import PersistedQueries
from supergraph.edge.settings import RouterSettings
from supergraph.edge.tokens import JwtSettings, TokenVerifier
from supergraph.http import create_router_app
from supergraph.http.app import EdgeConfig
from supergraph.router import Router, build_router
from tests.supergraph.fake_transport import FakeTransport

__all__ = ["JWT", "SUPERGRAPH", "EdgeApp", "edge_app", "issue_token", "token"]

USERS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
  import: ["@key", "@authenticated", "@requiresScopes"])
type Query {
  me: User @authenticated
  users: [User!]!
  adminStats: Int @requiresScopes(scopes: [["admin"]])
}
type Mutation { rename(name: String!): User }
type User @key(fields: "id") { id: ID! name: String! }
"""

SUPERGRAPH = compose([SubgraphDefinition("users", "http://users/graphql", USERS_SDL)])
JWT = JwtSettings(secret="edge-test-secret-that-is-long-enough-for-hs256")
CSRF = {"x-taskforge-csrf": "1"}


def users_answer(body: dict[str, Any]) -> dict:
    query = body["query"]
    data: dict[str, Any] = {}
    if "users" in query:
        data["users"] = [{"id": "1", "name": "Ann"}, {"id": "2", "name": "Bob"}]
    if "me" in query:
        data["me"] = {"id": "1", "name": "Ann"}
    if "adminStats" in query:
        data["adminStats"] = 42
    if "rename" in query:
        data["rename"] = {"id": "1", "name": body["variables"]["name"]}
    return {"data": data}


class EdgeApp:
    """The router app plus what tests inspect: the fake transport, router and metrics."""

    def __init__(self, transport: FakeTransport, router: Router, config: EdgeConfig) -> None:
        self.transport = transport
        self.router = router
        self.config = config
        self.app = create_router_app(router, config=config)

    def client(self, **headers: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://router",
            headers=headers,
        )


def edge_app(transport: Any = None, supergraph: str = SUPERGRAPH, **settings: Any) -> EdgeApp:
    """An edge over ``supergraph`` with the fake users subgraph and ``settings`` overrides."""
    transport = transport or FakeTransport({"users": users_answer})
    router_settings = RouterSettings(**settings)
    router = build_router(supergraph, transport=transport, settings=router_settings)
    config = EdgeConfig(
        router_settings,
        TokenVerifier(JWT),
        PersistedQueries(),
        Metrics(),
    )
    return EdgeApp(transport, router, config)


def issue_token(
    settings: JwtSettings = JWT,
    *,
    role: str = "USER",
    scopes: tuple[str, ...] = (),
    ttl_seconds: int = 900,
) -> str:
    """An access token as an identity service would sign it for the edge's settings."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": "1",
        "role": role,
        "iat": now,
        "exp": now + ttl_seconds,
        "iss": settings.issuer,
        "aud": settings.audience,
        "jti": uuid.uuid4().hex,
    }
    if scopes:
        payload["scope"] = " ".join(scopes)
    return jwt.encode(payload, settings.secret, algorithm=settings.algorithm)


def token(role: str = "USER", scopes: tuple[str, ...] = ()) -> str:
    return issue_token(role=role, scopes=scopes)
