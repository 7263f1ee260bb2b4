"""GraphQL over HTTP for the router."""

from supergraph.http.app import create_router_app

__all__ = ["create_router_app"]
