"""The router is a library: it serves any supergraph file with the app made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from supergraph.composition import SubgraphDefinition, compose

APP_PACKAGES = (
    "taskforge",
    "subgraph_kit",
    "users_subgraph",
    "groups_subgraph",
    "tasks_subgraph",
    "notifications_subgraph",
)
GREETINGS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { greeting(name: String!): Greeting! }
type Greeting { text: String! }
"""

SCRIPT = """
import asyncio, sys
for name in {blocked!r}:
    sys.modules[name] = None  # any import of it now raises ImportError

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from supergraph import AsgiTransport, build_router, create_router_app, load_supergraph

async def subgraph(request):
    body = await request.json()
    name = next(iter((body.get("variables") or {{"": "?"}}).values()))
    return JSONResponse({{"data": {{"greeting": {{"text": "hello " + name}}}}}})

sdl = open({path!r}).read()
names = [graph.name for graph in load_supergraph(sdl).graphs.values()]
apps = {{name: Starlette(routes=[Route("/graphql", subgraph, methods=["POST"])]) for name in names}}
app = create_router_app(build_router(sdl, transport=AsgiTransport(apps)))

async def main():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as c:
        answer = await c.post("/graphql", json={{
            "query": "query($n: String!) {{ greeting(name: $n) {{ text }} }}",
            "variables": {{"n": "library"}},
        }})
    print(answer.json())
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in {blocked!r} and sys.modules[m])
    print("leaked", leaked)

asyncio.run(main())
"""


def test_the_router_answers_a_query_with_the_app_unimportable(tmp_path: Path) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(
        compose([SubgraphDefinition("greetings", "http://greetings/graphql", GREETINGS_SDL)])
    )
    script = SCRIPT.format(blocked=APP_PACKAGES, path=str(supergraph))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == ["{'data': {'greeting': {'text': 'hello library'}}}", "leaked []"]
