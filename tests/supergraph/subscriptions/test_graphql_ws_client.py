"""The real ``graphql-ws`` npm client against the router served by uvicorn, subgraphs over the
network (the router subscribes to them over graphql-transport-ws with ``websockets``)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import orjson
from strawberry.asgi import GraphQL

from tests.supergraph.subscriptions.harness import TASKS, USERS, build_federation, serving

NODE_DIR = Path(__file__).resolve().parents[2] / "federation" / "node"
SCRIPT = NODE_DIR / "graphql_ws_client.mjs"


def _ensure_node_modules() -> None:
    modules = NODE_DIR / "node_modules"
    if not (modules / "graphql-ws").is_dir() or not (modules / "ws").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)


async def _node_client(port: int, request: dict, authorization: str | None = None) -> list:
    args = [str(SCRIPT), f"ws://127.0.0.1:{port}/graphql", orjson.dumps(request).decode()]
    if authorization:
        args.append(authorization)
    process = await asyncio.create_subprocess_exec(
        "node", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    messages: list = orjson.loads(stdout.splitlines()[-1])
    return messages


async def test_graphql_ws_client_receives_joined_events_over_the_network() -> None:
    await asyncio.to_thread(_ensure_node_modules)
    async with serving(GraphQL(TASKS)) as tasks_port, serving(GraphQL(USERS)) as users_port:
        federation = build_federation(
            urls={
                "tasks": f"http://127.0.0.1:{tasks_port}/graphql",
                "users": f"http://127.0.0.1:{users_port}/graphql",
            }
        )
        federation.state.hold.set()
        async with serving(federation.app) as port:
            query = """
            subscription($g: ID!) {
              taskChanged(groupId: $g, count: 2) { task { id assignee { displayName } } }
            }
            """
            messages = await _node_client(
                port, {"query": query, "variables": {"g": "n"}}, "Bearer t0ken"
            )
            invalid = await _node_client(port, {"query": "subscription { nope }"})
        await federation.router.aclose()
    assert messages == [
        {
            "next": {
                "data": {"taskChanged": {"task": {"id": "n-0", "assignee": {"displayName": "Ada"}}}}
            }
        },
        {
            "next": {
                "data": {
                    "taskChanged": {"task": {"id": "n-1", "assignee": {"displayName": "Grace"}}}
                }
            }
        },
        {"complete": True},
    ]
    assert federation.state.seen_authorization == ["Bearer t0ken"]
    assert invalid[0]["error"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
