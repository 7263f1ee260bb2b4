"""`taskforge up`: the services topology as plain processes (each subgraph, then the router)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx

from subgraph_kit.settings import common_settings, service_settings

__all__ = ["TopologyError", "run_topology"]

STARTUP_SECONDS = 60.0
STOP_SECONDS = 10.0
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
HEALTHY_RUN_SECONDS = 60.0


class TopologyError(Exception):
    """The topology cannot start (missing settings, a service that never became healthy)."""


@dataclass
class _Child:
    """One supervised process and how to start it again."""

    name: str
    args: Sequence[str]
    env: dict[str, str]
    url: str
    process: subprocess.Popen[bytes] = field(init=False)
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "taskforge.cli", *self.args]
        self.process = subprocess.Popen(command, env=self.env)
        self.started_at = time.monotonic()
        self.restart_at = None

    def supervise(self, now: float) -> None:
        """Restart an exited child after an exponential backoff; a long run resets it."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                print(f"restarting {self.name}", file=sys.stderr, flush=True)
                self.start()
            return
        status = self.process.poll()
        if status is None:
            return
        if now - self.started_at > HEALTHY_RUN_SECONDS:
            self.failures = 0
        delay = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2**self.failures)
        self.failures += 1
        self.restart_at = now + delay
        print(
            f"{self.name} exited with status {status}; restarting it in {delay:.1f}s",
            file=sys.stderr,
            flush=True,
        )


def _spawn(name: str, args: Sequence[str], env: dict[str, str], url: str) -> _Child:
    child = _Child(name, args, env, url)
    child.start()
    return child


def _wait_healthy(child: _Child, deadline: float) -> None:
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise TopologyError(f"{child.name} exited with status {child.process.returncode}")
        try:
            if httpx.get(f"{child.url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TopologyError(f"{child.name} did not become healthy at {child.url}")


def _stop(children: Sequence[_Child]) -> None:
    for child in reversed(children):
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def run_topology(
    subgraphs: Sequence[str], *, supergraph: Path, host: str = "127.0.0.1", port: int = 4000
) -> int:
    """Start every subgraph on its configured port, then the router; stop all on a signal.

    A child that exits (a crash, a SIGKILL) is restarted with exponential backoff; the others,
    the router among them, keep serving meanwhile (with errors for what is missing).

    Services mode needs a shared event bus across processes, so TASKFORGE_REDIS_URL must be
    set; databases come from TASKFORGE_<SERVICE>_DATABASE_URL (PostgreSQL in production).
    """
    if not common_settings().redis_url:
        raise TopologyError("services mode needs TASKFORGE_REDIS_URL (the shared event bus)")
    if not supergraph.is_file():
        raise TopologyError(f"supergraph file not found: {supergraph}")
    # The router-to-subgraph credential: made for these processes unless one is configured.
    env = {"TASKFORGE_SUBGRAPH_SECRET": secrets.token_urlsafe(32), **os.environ}
    children: list[_Child] = []
    stopping = False

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        for name in subgraphs:
            settings = service_settings(name)
            url = f"http://{settings.host}:{settings.port}"
            children.append(_spawn(name, ["serve", name], env, url))
        for child in children:
            _wait_healthy(child, deadline)
        urls = ",".join(f"{child.name}={child.url}/graphql" for child in children)
        router_env = env | {"TASKFORGE_ROUTER_SUBGRAPH_URLS": urls}
        router_args = ["serve", "router", "--supergraph", str(supergraph), "--host", host]
        router = _spawn(
            "router", [*router_args, "--port", str(port)], router_env, f"http://{host}:{port}"
        )
        children.append(router)
        _wait_healthy(router, deadline)
        print(f"Taskforge services topology up: router at http://{host}:{port}/graphql", flush=True)
        while not stopping:
            now = time.monotonic()
            for child in children:
                child.supervise(now)
            time.sleep(0.2)
        return 0
    finally:
        _stop(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
