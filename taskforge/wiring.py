"""How the app configures the router library: the services' Redis and token keys."""

from __future__ import annotations

from subgraph_kit.auth import jwt_settings
from subgraph_kit.settings import CommonSettings
from supergraph.edge.settings import RouterSettings
from supergraph.edge.tokens import TokenVerifier

__all__ = ["router_settings", "token_verifier"]


def router_settings(common: CommonSettings) -> RouterSettings:
    """The router's settings from TASKFORGE_ROUTER_*, sharing the services' Redis."""
    return RouterSettings(redis_url=common.redis_url, redis_key_prefix=common.redis_key_prefix)


def token_verifier(common: CommonSettings) -> TokenVerifier:
    """The edge verifies tokens with the same keys the subgraphs were given."""
    return TokenVerifier(jwt_settings(common))
