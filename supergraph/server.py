"""Serving the router on any supergraph file: the ASGI app, uvicorn, worker processes.

`python -m supergraph --supergraph FILE` serves it; applications call `router_app_from_file`.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from supergraph.edge.settings import RouterSettings
from supergraph.edge.tokens import RevocationCheck, TokenVerifier
from supergraph.http.app import EdgeConfig, create_router_app
from supergraph.loading import SupergraphError, load_supergraph
from supergraph.router import build_router
from supergraph.transport import HttpTransport

__all__ = [
    "RouterStartupError",
    "main",
    "router_app_from_env",
    "router_app_from_file",
    "serve",
    "serve_router",
    "tune_gc",
]

SUBGRAPH_URLS_ENV = "TASKFORGE_ROUTER_SUBGRAPH_URLS"
SUPERGRAPH_FILE_ENV = "TASKFORGE_ROUTER_SUPERGRAPH_FILE"
# Under load the heap holds every in-flight request's subgraph answers, and CPython's default
# young-generation threshold (700 allocations) ran full collections over it so often that
# they took half the router's CPU on the nested benchmark query (190 -> 380-440 req/s).
_GC_THRESHOLDS = (100_000, 50, 1000)


class RouterStartupError(RuntimeError):
    """The router cannot start: an unreadable supergraph or a bad subgraph URL override."""


def tune_gc() -> None:
    """Freeze what startup built (schema, planner, compiled shapes) out of the collector's
    scans, and collect young objects far less often than CPython's default."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)


def subgraph_url_overrides() -> dict[str, str]:
    """TASKFORGE_ROUTER_SUBGRAPH_URLS="users=http://users:4001/graphql,groups=..."."""
    raw = os.environ.get(SUBGRAPH_URLS_ENV, "")
    pairs = [item.split("=", 1) for item in raw.split(",") if item.strip()]
    return {name.strip(): url.strip() for name, url in pairs}


def router_app_from_file(
    supergraph_path: str | Path,
    *,
    settings: RouterSettings | None = None,
    tokens: TokenVerifier | None = None,
    is_revoked: RevocationCheck | None = None,
) -> Starlette:
    """The router's ASGI app over a supergraph file, calling its subgraphs over HTTP.

    Subgraph URLs come from the supergraph, overridden by TASKFORGE_ROUTER_SUBGRAPH_URLS.
    """
    try:
        sdl = Path(supergraph_path).read_text()
        supergraph = load_supergraph(sdl)
    except (OSError, SupergraphError) as error:
        raise RouterStartupError(f"cannot load supergraph {supergraph_path}: {error}") from None
    urls = {graph.name: graph.url for graph in supergraph.graphs.values()}
    overrides = subgraph_url_overrides()
    unknown = set(overrides) - set(urls)
    if unknown:
        raise RouterStartupError(f"{SUBGRAPH_URLS_ENV} names unknown subgraphs {sorted(unknown)}")
    urls.update(overrides)
    settings = settings or RouterSettings()
    transport = HttpTransport(
        urls,
        timeout=settings.subgraph_timeout_seconds,
        deduplicate=settings.deduplicate_subgraph_fetches,
    )
    router = build_router(sdl, transport=transport, settings=settings)
    config = EdgeConfig.default(settings, tokens=tokens, is_revoked=is_revoked)
    return create_router_app(router, config=config)


def router_app_from_env() -> Starlette:
    """Factory each worker process of `serve_router(workers=N)` imports to build its router."""
    app = router_app_from_file(os.environ[SUPERGRAPH_FILE_ENV])
    tune_gc()
    return app


def _log_level() -> str:
    return os.environ.get("TASKFORGE_LOG_LEVEL", "info").lower()


def serve(app: object, host: str, port: int, banner: str) -> None:
    """Serve an ASGI app with uvicorn until SIGINT/SIGTERM."""
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level=_log_level(),
        loop="auto",
        http="auto",
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    print(banner, flush=True)
    uvicorn.Server(config).run()


def serve_router(
    supergraph_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 4000,
    workers: int = 1,
    factory: str = "supergraph.server:router_app_from_env",
    app: object | None = None,
) -> None:
    """Serve the router; with `workers` > 1, processes share the port, each building its
    router with `factory` (an import string) from TASKFORGE_ROUTER_SUPERGRAPH_FILE."""
    banner = f"Router at http://{host}:{port}/graphql"
    if workers <= 1:
        if app is None:
            app = router_app_from_file(supergraph_path)
        tune_gc()
        serve(app, host, port, banner)
        return
    os.environ[SUPERGRAPH_FILE_ENV] = str(Path(supergraph_path).resolve())
    print(f"{banner} ({workers} workers)", flush=True)
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=_log_level(),
        timeout_graceful_shutdown=5,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m supergraph`: serve any Federation v2 supergraph file."""
    parser = argparse.ArgumentParser(
        prog="python -m supergraph",
        description="Serve a Federation v2 supergraph (TASKFORGE_ROUTER_* and "
        "TASKFORGE_JWT_* configure it).",
    )
    parser.add_argument("--supergraph", required=True, help="the supergraph SDL file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=1, help="processes sharing the port")
    args = parser.parse_args(argv)
    logging.basicConfig(level=_log_level().upper())
    try:
        serve_router(args.supergraph, host=args.host, port=args.port, workers=args.workers)
    except RouterStartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
