"""Finding 5: services mode fell back to a development JWT secret printed in the code, so anyone
could forge an ADMIN token. Now `serve` and `up` refuse to start without a key, and only
`taskforge run` works without one: it makes a random secret once per data directory."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import jwt
import pytest

from subgraph_kit.settings import CommonSettings
from taskforge.registry import SUBGRAPHS
from taskforge.secrets import development_settings
from taskforge.standalone import create_standalone

OLD_DEVELOPMENT_SECRET = "taskforge-dev-secret-change-me-in-production"
SUPERGRAPH = Path(__file__).parents[2] / "schema" / "supergraph.graphql"


def _taskforge(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKFORGE_JWT_")}
    env |= {"TASKFORGE_DATA_DIR": str(tmp_path), "TASKFORGE_REDIS_URL": "redis://127.0.0.1:1/0"}
    return subprocess.run(
        [sys.executable, "-m", "taskforge.cli", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "users"],
        ["serve", "tasks"],
        ["serve", "router", "--supergraph", str(SUPERGRAPH)],
        ["up", "--supergraph", str(SUPERGRAPH)],
    ],
    ids=["serve-users", "serve-tasks", "serve-router", "up"],
)
def test_services_refuse_to_start_without_a_jwt_secret(args: list[str], tmp_path: Path) -> None:
    done = _taskforge(args, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "TASKFORGE_JWT_SECRET is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_single_process_mode_makes_one_secret_per_data_directory(tmp_path: Path) -> None:
    first = development_settings(CommonSettings(data_dir=tmp_path / "a", jwt_secret=None))
    again = development_settings(CommonSettings(data_dir=tmp_path / "a", jwt_secret=None))
    other = development_settings(CommonSettings(data_dir=tmp_path / "b", jwt_secret=None))
    assert first.jwt_secret and len(first.jwt_secret) >= 48
    assert first.jwt_secret == again.jwt_secret != other.jwt_secret
    assert first.jwt_secret != OLD_DEVELOPMENT_SECRET
    mode = stat.S_IMODE((tmp_path / "a" / "jwt-secret").stat().st_mode)
    assert mode == 0o600
    configured = CommonSettings(data_dir=tmp_path / "c", jwt_secret="x" * 40)
    assert development_settings(configured).jwt_secret == "x" * 40


async def test_a_token_forged_with_the_old_development_secret_is_refused(tmp_path: Path) -> None:
    common = development_settings(CommonSettings(data_dir=tmp_path, jwt_secret=None))
    standalone = create_standalone(SUBGRAPHS.values(), common=common)
    forged = jwt.encode(
        {
            "sub": "someone",
            "role": "ADMIN",
            "iat": 1_900_000_000 - 60,
            "exp": 4_000_000_000,
            "iss": "taskforge",
            "aud": "taskforge-api",
            "jti": "forged",
        },
        OLD_DEVELOPMENT_SECRET,
    )
    await standalone.start()
    try:
        transport = httpx.ASGITransport(app=standalone)
        async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
            reply = await http.post(
                "/graphql",
                json={"query": "{ users { email } }"},
                headers={"authorization": f"Bearer {forged}"},
            )
    finally:
        await standalone.stop()
    assert reply.status_code == 401
    assert reply.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
