"""Benchmark launcher for the Taskforge router with a chosen event loop, HTTP parser, worker
count and subgraph transport (the plain `taskforge serve router` command is measured as is)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette

from supergraph.http import create_router_app
from supergraph.loading import load_supergraph
from supergraph.router import build_router
from supergraph.transport import HttpTransport, Transport, TransportError

__all__ = ["AiohttpTransport", "create_app", "main"]

_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}


class AiohttpTransport:
    """Subgraphs over pooled keep-alive HTTP/1.1 through one ``aiohttp.ClientSession``."""

    def __init__(self, urls: Mapping[str, str], max_connections: int = 256) -> None:
        self._urls = dict(urls)
        self._max_connections = max_connections
        self._session: Any = None

    def _client(self) -> Any:
        import aiohttp

        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, json_serialize=lambda v: orjson.dumps(v).decode()
            )
        return self._session

    async def aclose(self) -> None:
        """Close the pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, service: str, body: dict[str, Any], headers: Mapping[str, str]) -> dict:
        """POST ``body`` to the subgraph and return its parsed GraphQL response."""
        import aiohttp

        url = self._urls.get(service)
        if url is None:
            raise TransportError("SUBREQUEST_HTTP_ERROR", f"unknown subgraph {service!r}")
        request_headers = {**_HEADERS, **headers} if headers else _HEADERS
        try:
            async with self._client().post(
                url, data=orjson.dumps(body), headers=request_headers
            ) as response:
                content = await response.read()
        except aiohttp.ClientError as error:
            raise TransportError("SUBREQUEST_HTTP_ERROR", str(error)) from None
        payload = orjson.loads(content)
        if isinstance(payload, dict) and ("data" in payload or "errors" in payload):
            return payload
        raise TransportError("SUBREQUEST_MALFORMED_RESPONSE", "subgraph response is not GraphQL")


def _transport(kind: str, urls: Mapping[str, str]) -> Transport:
    if kind == "aiohttp":
        return AiohttpTransport(urls)
    if kind == "httpx-per-subgraph":
        return _PerSubgraph({name: HttpTransport({name: url}) for name, url in urls.items()})
    return HttpTransport(urls)


class _PerSubgraph:
    """One pooled ``httpx.AsyncClient`` per subgraph (httpcore scans its whole pool per request)."""

    def __init__(self, transports: Mapping[str, HttpTransport]) -> None:
        self._transports = dict(transports)

    async def send(self, service: str, body: dict[str, Any], headers: Mapping[str, str]) -> dict:
        """Send through the subgraph's own client."""
        return await self._transports[service].send(service, body, headers)


def create_app() -> Starlette:
    """Router app from BENCH_SUPERGRAPH and BENCH_TRANSPORT (a factory workers can import)."""
    sdl = Path(os.environ["BENCH_SUPERGRAPH"]).read_text()
    urls = {graph.name: graph.url for graph in load_supergraph(sdl).graphs.values()}
    transport = _transport(os.environ.get("BENCH_TRANSPORT", "httpx"), urls)
    return create_router_app(build_router(sdl, transport=transport))


def main() -> None:
    """Parse options and serve the router until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--supergraph", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    parser.add_argument("--http", choices=["h11", "httptools"], default="httptools")
    parser.add_argument("--workers", type=int, default=1)
    transports = ["httpx", "httpx-per-subgraph", "aiohttp"]
    parser.add_argument("--transport", choices=transports, default="httpx")
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
