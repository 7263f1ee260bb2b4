"""How the app configures the router library: the services' Redis and token keys."""

from __future__ import annotations

from subgraph_kit.auth import jwt_settings
from subgraph_kit.router_channel import CLIENT_ADDRESS_HEADER, SUBGRAPH_SECRET_HEADER
from subgraph_kit.settings import CommonSettings
from supergraph.edge.settings import RouterSettings
from supergraph.edge.tokens import TokenVerifier

__all__ = ["router_settings", "token_verifier"]


def router_settings(common: CommonSettings) -> RouterSettings:
    """The router's settings from TASKFORGE_ROUTER_*, sharing the services' Redis, sending the
    subgraph secret and the client's address over the router channel."""
    channel = {SUBGRAPH_SECRET_HEADER: common.subgraph_secret} if common.subgraph_secret else {}
    defaults = RouterSettings()
    return defaults.model_copy(
        update={
            "redis_url": common.redis_url,
            "redis_key_prefix": common.redis_key_prefix,
            "subgraph_headers": {**defaults.subgraph_headers, **channel},
            "client_address_header": CLIENT_ADDRESS_HEADER,
        }
    )


def token_verifier(common: CommonSettings) -> TokenVerifier:
    """The edge verifies tokens with the same keys the subgraphs were given."""
    return TokenVerifier(jwt_settings(common))
