"""The graphql-http package's GraphQL-over-HTTP server audit, run against the router app."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn

from tests.supergraph.edge_fixtures import edge_app

NODE_DIR = Path(__file__).parent / "node"
NPM_TIMEOUT_S = 300


def _ensure_node_modules() -> None:
    if (NODE_DIR / "node_modules" / "graphql-http").exists():
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=NODE_DIR,
        check=True,
        timeout=NPM_TIMEOUT_S,
        capture_output=True,
    )


@contextmanager
def _serving(app: Any) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def _audit(url: str) -> list[dict[str, Any]]:
    completed = subprocess.run(
        ["node", "audit.mjs", url],
        cwd=NODE_DIR,
        check=True,
        timeout=120,
        capture_output=True,
    )
    return list(orjson.loads(completed.stdout))


def _tally(results: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    tally: dict[str, Counter[str]] = {"MUST": Counter(), "SHOULD": Counter(), "MAY": Counter()}
    for result in results:
        tally[result["name"].split()[0]][result["status"]] += 1
    return tally


@pytest.mark.parametrize("csrf_protect_get", [True, False])
def test_graphql_over_http_audit_passes_every_must_and_most_shoulds(
    csrf_protect_get: bool,
) -> None:
    _ensure_node_modules()
    with _serving(edge_app(csrf_protect_get=csrf_protect_get).app) as url:
        results = _audit(url)
    tally = _tally(results)
    failed = [r for r in results if r["status"] != "ok"]
    summary = {level: dict(counts) for level, counts in tally.items()}
    print("graphql-http audit:", summary)
    for result in failed:
        print(f"  {result['status']}: {result['name']} -- {result['reason']}")
    assert tally["MUST"]["ok"] == sum(tally["MUST"].values()) == 13, failed
    assert sum(tally["SHOULD"].values()) == 23
    assert tally["SHOULD"]["ok"] >= 20, failed
    # Only CSRF protection (simple GETs need a preflight header) costs MAY audits.
    assert tally["MAY"]["ok"] == (22 if csrf_protect_get else 25), failed
