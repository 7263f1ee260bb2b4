"""Run `taskforge` commands as real server processes for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["ServerProcess", "free_port", "start_taskforge"]

STARTUP_SECONDS = 60
STOP_SECONDS = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A `taskforge` server process and the base URL it listens on."""

    process: subprocess.Popen[str]
    base_url: str
    started_in: float = 0.0
    log: Path | None = None

    def output(self) -> str:
        if self.log is not None:
            return self.log.read_text(errors="replace")
        return self.process.stdout.read() if self.process.stdout else ""

    def stop(self) -> float:
        """SIGTERM, wait for exit; returns the seconds it took (fails past STOP_SECONDS)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"{self.base_url} ignored SIGTERM for {STOP_SECONDS}s") from None
        # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why.
        assert self.process.returncode in (0, -signal.SIGTERM), self.output()
        return time.monotonic() - started


def start_taskforge(
    args: list[str], *, cwd: Path, env: dict[str, str], port: int, log: Path | None = None
) -> ServerProcess:
    """Start `taskforge ARGS` and wait until GET /health answers 200.

    `log`: append the output to this file instead of a pipe, for long runs whose output nobody
    reads while they run (a full pipe would block the server).
    """
    full_env = {**os.environ, "TASKFORGE_LOG_LEVEL": "warning", **env}
    started = time.monotonic()
    with open(log, "a") if log else contextlib.nullcontext(subprocess.PIPE) as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "taskforge.cli", *args],
            cwd=cwd,
            env=full_env,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log=log)
    deadline = started + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"taskforge {' '.join(args)} exited early:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/health", timeout=1).status_code == 200:
                server.started_in = time.monotonic() - started
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"taskforge {' '.join(args)} did not become healthy:\n{server.output()}")
