"""Router CPU per request without any network: subgraph answers recorded once, then replayed.

Starts the benchmark subgraphs, records every subgraph answer for each query in queries/,
then runs the router in-process against a transport that parses the recorded bytes (so JSON
decoding of subgraph answers is still counted) and prints milliseconds of CPU per request, and
with --profile the functions that take the time.

Usage: .venv/bin/python tests/benchmarks/router_cpu.py [--requests 300] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run

from supergraph.loading import load_supergraph
from supergraph.router import Router, build_router
from supergraph.transport import HttpTransport

__all__ = ["RecordingTransport", "ReplayTransport", "main"]


def _key(service: str, body: Mapping[str, Any]) -> bytes:
    return service.encode() + b"\0" + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


class RecordingTransport:
    """Passes requests to a real transport and keeps each answer's JSON bytes."""

    def __init__(self, upstream: HttpTransport) -> None:
        self.upstream = upstream
        self.recorded: dict[bytes, bytes] = {}

    async def send(
        self, service: str, body: dict[str, Any], headers: Mapping[str, str], **_: Any
    ) -> dict:
        """Forward and record."""
        answer = await self.upstream.send(service, body, headers)
        self.recorded[_key(service, body)] = orjson.dumps(answer)
        return answer


class ReplayTransport:
    """Answers from recorded bytes, parsed afresh each time as a real transport would."""

    def __init__(self, recorded: Mapping[bytes, bytes]) -> None:
        self.recorded = dict(recorded)

    async def send(
        self, service: str, body: dict[str, Any], headers: Mapping[str, str], **_: Any
    ) -> dict:
        """The recorded answer to this exact request."""
        return dict(orjson.loads(self.recorded[_key(service, body)]))


async def _record(sdl: str, queries: list[str]) -> tuple[dict[bytes, bytes], list[dict]]:
    urls = {graph.name: graph.url for graph in load_supergraph(sdl).graphs.values()}
    upstream = HttpTransport(urls)
    recorder = RecordingTransport(upstream)
    router = build_router(sdl, transport=recorder)
    try:
        answers = [await router.execute(query) for query in queries]
    finally:
        await upstream.aclose()
    return recorder.recorded, answers


async def _time(router: Router, query: str, requests: int) -> float:
    await router.execute(query)
    started = time.process_time()
    for _ in range(requests):
        await router.execute(query)
    return (time.process_time() - started) / requests * 1000


def main(argv: list[str] | None = None) -> int:
    """Record, replay, print CPU milliseconds per request (and a profile when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="taskforge-cpu-"))
    sdl = run.compose(workdir).read_text()
    queries = {p.stem: p.read_text() for p in sorted((run.HERE / "queries").glob("*.graphql"))}
    command = ["node", str(run.NODE_DIR / "subgraphs.mjs"), "--base-port"]
    pid = run.start([*command, str(run.SUBGRAPH_BASE_PORT)], run.LOAD_CORE, workdir / "sub.log")
    try:
        run.wait_ready(run._subgraph_url(2), b'{"query": "{ topProducts { upc } }"}')
        recorded, answers = asyncio.run(_record(sdl, list(queries.values())))
    finally:
        run.stop(pid)
    router = build_router(sdl, transport=ReplayTransport(recorded))
    for (name, query), answer in zip(queries.items(), answers, strict=True):
        if asyncio.run(router.execute(query)) != answer or "errors" in answer:
            print(f"{name}: the replayed answer differs from the live one", file=sys.stderr)
            return 1
        ms = asyncio.run(_time(router, query, args.requests))
        print(f"{name:8} {ms:7.3f} ms CPU per request (router in-process, no HTTP)")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            asyncio.run(_time(router, query, args.requests))
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
