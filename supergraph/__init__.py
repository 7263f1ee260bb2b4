"""A Python Apollo Federation v2 router: load any supergraph, plan, execute, serve over HTTP.

The public API is what ``__all__`` lists; every other module is internal::

    from supergraph import HttpTransport, build_router, create_router_app, load_supergraph

    sdl = open("supergraph.graphql").read()
    urls = {g.name: g.url for g in load_supergraph(sdl).graphs.values()}
    app = create_router_app(build_router(sdl, transport=HttpTransport(urls)))
    # uvicorn.run(app, port=4000), or: python -m supergraph --supergraph supergraph.graphql
"""

from supergraph.composition import CompositionError, SubgraphDefinition
from supergraph.composition import compose as compose_supergraph
from supergraph.edge.authorization import PolicyHook
from supergraph.edge.settings import RouterSettings
from supergraph.edge.tokens import Claims, JwtSettings, RevocationCheck, TokenVerifier
from supergraph.errors import ErrorCode
from supergraph.http.app import EdgeConfig, create_router_app
from supergraph.loading import Supergraph, SupergraphError, load_supergraph
from supergraph.planning import PlanningError, plan_operation, plan_query
from supergraph.printer import print_plan
from supergraph.router import Router, build_router
from supergraph.server import RouterStartupError, router_app_from_file, serve_router
from supergraph.transport import AsgiTransport, HttpTransport, Transport, TransportError

__all__ = [
    "AsgiTransport",
    "Claims",
    "CompositionError",
    "EdgeConfig",
    "ErrorCode",
    "HttpTransport",
    "JwtSettings",
    "PlanningError",
    "PolicyHook",
    "RevocationCheck",
    "Router",
    "RouterSettings",
    "RouterStartupError",
    "SubgraphDefinition",
    "Supergraph",
    "SupergraphError",
    "TokenVerifier",
    "Transport",
    "TransportError",
    "build_router",
    "compose_supergraph",
    "create_router_app",
    "load_supergraph",
    "plan_operation",
    "plan_query",
    "print_plan",
    "router_app_from_file",
    "serve_router",
]
