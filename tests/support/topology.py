"""The services topology for tests and benchmarks: fresh databases, then real `taskforge` processes.

`Services.up()` runs `taskforge up` (every subgraph and the router as one supervised group);
`Services.start(name)` runs one subgraph alone (`taskforge serve NAME`), so a test can SIGKILL it.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from subgraph_kit.router_channel import SUBGRAPH_SECRET_HEADER
from taskforge.registry import SUBGRAPHS
from tests.support.backends import Backend, fresh_database_url
from tests.support.processes import ServerProcess, free_port, start_taskforge

__all__ = ["SUPERGRAPH", "Services", "services_topology"]

SUPERGRAPH = Path(__file__).parents[2] / "schema" / "supergraph.graphql"


@dataclass
class Services:
    """Environment shared by every process of one topology, and the processes started so far."""

    workdir: Path
    env: dict[str, str]
    redis_url: str
    redis_prefix: str
    database_urls: dict[str, str]
    router_port: int = field(default_factory=free_port)
    processes: dict[str, ServerProcess] = field(default_factory=dict)

    @property
    def router_url(self) -> str:
        return f"http://127.0.0.1:{self.router_port}"

    @property
    def subgraph_headers(self) -> dict[str, str]:
        """What a direct subgraph call needs to pass as the router (the channel secret)."""
        return {SUBGRAPH_SECRET_HEADER: self.env["TASKFORGE_SUBGRAPH_SECRET"]}

    def port(self, name: str) -> int:
        return int(self.env[f"TASKFORGE_{name.upper()}_PORT"])

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port(name)}"

    def up(self) -> ServerProcess:
        """`taskforge up`: the four subgraphs, then the router on `router_port`."""
        args = ["up", "--port", str(self.router_port), "--supergraph", str(SUPERGRAPH)]
        return self._start("up", args, self.router_port)

    def start(self, name: str) -> ServerProcess:
        return self._start(name, ["serve", name], self.port(name))

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown handlers, no graceful close of anything in flight."""
        process = self.processes.pop(name).process
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name).process
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _start(self, name: str, args: list[str], port: int) -> ServerProcess:
        log = self.workdir / f"{name}.log"
        server = start_taskforge(args, cwd=self.workdir, env=self.env, port=port, log=log)
        self.processes[name] = server
        return server


@asynccontextmanager
async def services_topology(
    backend: Backend, redis_prefix: str, workdir: Path
) -> AsyncIterator[Services]:
    """A fresh PostgreSQL database per subgraph and settings for them; stops what was started."""
    if backend.redis_url is None or backend.postgres_url is None:
        raise ValueError("the services topology runs on PostgreSQL and Redis")
    env = {
        "TASKFORGE_DATA_DIR": str(workdir / "var"),
        "TASKFORGE_REDIS_URL": backend.redis_url,
        "TASKFORGE_REDIS_KEY_PREFIX": redis_prefix,
        "TASKFORGE_JWT_SECRET": os.environ["TASKFORGE_JWT_SECRET"],
        "TASKFORGE_SUBGRAPH_SECRET": secrets.token_urlsafe(32),
    }
    async with AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        for name in SUBGRAPHS:
            urls[name] = await stack.enter_async_context(fresh_database_url(backend, workdir, name))
            env[f"TASKFORGE_{name.upper()}_DATABASE_URL"] = urls[name]
            env[f"TASKFORGE_{name.upper()}_PORT"] = str(free_port())
        services = Services(workdir, env, backend.redis_url, redis_prefix, urls)
        try:
            yield services
        finally:
            services.stop_all()
