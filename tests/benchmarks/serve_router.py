"""Benchmark launcher for the Taskforge router with a chosen event loop, HTTP parser, worker
count and subgraph transport: `aiohttp` is the shipped ``HttpTransport``, `httpx` the old one
(the plain `taskforge serve router` command is measured as is)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from supergraph.http import create_router_app
from supergraph.loading import load_supergraph
from supergraph.router import build_router
from supergraph.server import tune_gc
from supergraph.transport import HttpTransport, HttpxTransport, Transport

__all__ = ["create_app", "main"]


def _transport(kind: str, urls: Mapping[str, str]) -> Transport:
    if kind == "httpx":
        return HttpxTransport(urls)
    if kind == "httpx-per-subgraph":
        return _PerSubgraph({name: HttpxTransport({name: url}) for name, url in urls.items()})
    return HttpTransport(urls)


class _PerSubgraph:
    """One pooled ``httpx.AsyncClient`` per subgraph (httpcore scans its whole pool per request)."""

    def __init__(self, transports: Mapping[str, HttpxTransport]) -> None:
        self._transports = dict(transports)

    async def send(
        self, service: str, body: dict[str, Any], headers: Mapping[str, str], **_: Any
    ) -> dict:
        """Send through the subgraph's own client."""
        return await self._transports[service].send(service, body, headers)


def create_app() -> Starlette:
    """Router app from BENCH_SUPERGRAPH and BENCH_TRANSPORT (a factory workers can import)."""
    sdl = Path(os.environ["BENCH_SUPERGRAPH"]).read_text()
    urls = {graph.name: graph.url for graph in load_supergraph(sdl).graphs.values()}
    transport = _transport(os.environ.get("BENCH_TRANSPORT", "aiohttp"), urls)
    app = create_router_app(build_router(sdl, transport=transport))
    tune_gc()
    return app


def main() -> None:
    """Parse options and serve the router until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--supergraph", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    parser.add_argument("--http", choices=["h11", "httptools"], default="httptools")
    parser.add_argument("--workers", type=int, default=1)
    transports = ["httpx", "httpx-per-subgraph", "aiohttp"]
    parser.add_argument("--transport", choices=transports, default="aiohttp")
    args = parser.parse_args()
    os.environ["BENCH_SUPERGRAPH"] = str(Path(args.supergraph).resolve())
    os.environ["BENCH_TRANSPORT"] = args.transport
    uvicorn.run(
        "serve_router:create_app",
        factory=True,
        app_dir=str(Path(__file__).parent),
        host="127.0.0.1",
        port=args.port,
        loop=args.loop,
        http=args.http,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
