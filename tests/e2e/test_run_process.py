"""`taskforge run` as a real server process: register, log in and ask `me` over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "TASKFORGE_DATA_DIR": str(tmp_path / "var"),
        "TASKFORGE_LOG_LEVEL": "warning",
    }
    env.pop("TASKFORGE_REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "taskforge.cli", "run", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("taskforge run did not stop within 15 s of SIGTERM")
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why it ended.
    assert process.returncode in (0, -signal.SIGTERM), (
        process.stdout.read() if process.stdout else ""
    )


def _wait_healthy(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"taskforge run exited early:\n{output}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("taskforge run did not become healthy")


def _gql(base: str, query: str, variables: dict[str, object], token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert not body.get("errors"), body
    return body["data"]


def test_register_login_me_over_http(server: str) -> None:
    password = "Corr3ct-Horse-Battery"
    registered = _gql(
        server,
        "mutation($e: String!, $p: String!) {"
        ' register(email: $e, password: $p, displayName: "Eve") { id } }',
        {"e": "eve@example.com", "p": password},
    )
    login = _gql(
        server,
        "mutation($e: String!, $p: String!) {"
        " login(email: $e, password: $p) { accessToken user { id } } }",
        {"e": "eve@example.com", "p": password},
    )["login"]
    me = _gql(server, "{ me { id email displayName } }", {}, token=login["accessToken"])

    assert login["user"]["id"] == registered["register"]["id"]
    assert me == {
        "me": {"id": registered["register"]["id"], "email": "eve@example.com", "displayName": "Eve"}
    }
