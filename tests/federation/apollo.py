"""Runs corpus queries through @apollo/gateway against the data-driven subgraphs over real HTTP."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from tests.federation.corpus import Case, CorpusQuery, build_apps
from tests.federation.subgraph_server import SubgraphApp, SubgraphState

__all__ = [
    "NODE_DIR",
    "ApolloAnswer",
    "CorpusHttpServer",
    "ensure_node_modules",
    "run_apollo",
    "serve_corpus",
]

NODE_DIR = Path(__file__).parent / "node"
GATEWAY_TIMEOUT_S = 60
NPM_TIMEOUT_S = 300

Json = Any
_GRAPH_URL = re.compile(r'(@join__graph\(name: "([^"]+)", url: ")[^"]*(")')


@dataclass(frozen=True, slots=True)
class ApolloAnswer:
    """Apollo's response to one corpus query and how many subgraph requests it made."""

    response: Mapping[str, Json]
    calls: int


@dataclass
class CorpusHttpServer:
    """ASGI dispatcher: ``/<case>/<subgraph>/graphql`` with fresh state per corpus query.

    The gateway tags every subgraph request with ``x-corpus-query``; apps and their shared
    state are created per (case, query) so mutations and counters never leak between queries.
    """

    cases: Mapping[str, Case]
    port: int = 0
    states: dict[tuple[str, str], SubgraphState] = field(default_factory=dict)
    apps: dict[tuple[str, str], dict[str, SubgraphApp]] = field(default_factory=dict)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        parts = scope["path"].strip("/").split("/")
        headers = dict(scope.get("headers") or [])
        query_id = headers.get(b"x-corpus-query", b"").decode()
        case = self.cases[parts[0]]
        apps = self._apps_for(case, query_id)
        await apps[parts[1]](scope, receive, send)

    def _apps_for(self, case: Case, query_id: str) -> dict[str, SubgraphApp]:
        key = (case.name, query_id)
        if key not in self.apps:
            self.states[key] = SubgraphState()
            self.apps[key] = build_apps(case, self.states[key])
        return self.apps[key]

    def calls(self, case: str, query_id: str) -> int:
        """Subgraph requests made so far for one corpus query."""
        state = self.states.get((case, query_id))
        return len(state.log) if state else 0

    def supergraph_for(self, case: Case) -> str:
        """The case's supergraph with every subgraph URL pointing at this server."""
        base = f"http://127.0.0.1:{self.port}/{case.name}"
        return _GRAPH_URL.sub(
            lambda m: f"{m.group(1)}{base}/{m.group(2)}/graphql{m.group(3)}", case.supergraph
        )


@contextmanager
def serve_corpus(cases: Mapping[str, Case]) -> Iterator[CorpusHttpServer]:
    """Serve every case's subgraphs on one ephemeral 127.0.0.1 port for the block's duration."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    dispatcher = CorpusHttpServer(cases, port=sock.getsockname()[1])
    config = uvicorn.Config(dispatcher, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield dispatcher
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def ensure_node_modules() -> None:
    """Install the pinned Node peers once (``npm ci``) when node_modules is missing."""
    if (NODE_DIR / "node_modules" / "@apollo" / "gateway").exists():
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=NODE_DIR,
        check=True,
        timeout=NPM_TIMEOUT_S,
        capture_output=True,
    )


def run_apollo(
    server: CorpusHttpServer, case: Case, queries: tuple[CorpusQuery, ...] | None = None
) -> dict[str, ApolloAnswer]:
    """Apollo's answers to ``queries`` (default: all of the case's), keyed by query name."""
    chosen = case.queries if queries is None else queries
    batch = {
        "supergraphSdl": server.supergraph_for(case),
        "queries": [
            {
                "id": q.name,
                "query": q.query,
                "variables": q.variables,
                "operationName": q.operation_name,
            }
            for q in chosen
        ],
    }
    completed = subprocess.run(
        ["node", "gateway.mjs"],
        cwd=NODE_DIR,
        input=json.dumps(batch),
        capture_output=True,
        text=True,
        timeout=GATEWAY_TIMEOUT_S,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"gateway.mjs failed for {case.name}: {completed.stderr[-2000:]}")
    responses = json.loads(completed.stdout)
    return {
        q.name: ApolloAnswer(response, server.calls(case.name, q.name))
        for q, response in zip(chosen, responses, strict=True)
    }
