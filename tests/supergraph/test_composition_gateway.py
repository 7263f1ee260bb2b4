"""Acceptance: @apollo/gateway loads our supergraphs, and Apollo composes the same SDL."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
import strawberry

from supergraph.composition import SubgraphDefinition, compose
from tests.federation.apollo import NODE_DIR, ensure_node_modules
from tests.supergraph.test_composition import CASES, MEMBERS_SDL, ChoresQuery

__all__: list[str] = []

pytestmark = [
    pytest.mark.node,
]

NODE_TIMEOUT_S = 120

# Loads our supergraph in @apollo/gateway and composes the same subgraphs with
# @apollo/composition, so one Node process answers both questions.
SCRIPT = """
import { ApolloGateway } from "@apollo/gateway";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const out = {};
try {
  const gateway = new ApolloGateway({ supergraphSdl: input.supergraphSdl, logger: quiet });
  const { schema } = await gateway.load();
  out.loaded = true;
  out.queryFields = Object.keys(schema.getQueryType().getFields()).sort();
  await gateway.stop();
} catch (error) {
  out.loaded = false;
  out.error = String(error && error.stack || error);
}
const composed = composeServices(
  input.subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
);
out.apollo = composed.errors ? null : composed.supergraphSdl;
out.apolloErrors = (composed.errors || []).map((e) => e.message);
process.stdout.write(JSON.stringify(out));
"""


def _run_node(subgraphs: list[SubgraphDefinition], supergraph: str) -> dict[str, Any]:
    payload = {
        "supergraphSdl": supergraph,
        "subgraphs": [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs],
    }
    completed = subprocess.run(
        ["node", "--input-type=module", "-e", SCRIPT],
        cwd=NODE_DIR,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _subgraph_sets() -> dict[str, list[SubgraphDefinition]]:
    sets = {
        name: [SubgraphDefinition(n, f"http://{n}", sdl) for n, sdl in sdls.items()]
        for name, (sdls, _) in CASES.items()
    }
    catalog, reviews = CASES["abstract"][0].values()
    public_catalog = catalog.replace(
        ' @authenticated @requiresScopes(scopes: [["read:media"]])', ""
    )
    sets["abstract_public"] = [
        SubgraphDefinition("catalog", "http://catalog", public_catalog),
        SubgraphDefinition("reviews", "http://reviews", reviews),
    ]
    chores = strawberry.federation.Schema(query=ChoresQuery).as_str()
    sets["strawberry"] = [
        SubgraphDefinition("chores", "http://chores", chores),
        SubgraphDefinition("members", "http://members", MEMBERS_SDL),
    ]
    return sets


SUBGRAPH_SETS = _subgraph_sets()

# @apollo/gateway implements no access-control spec, so it refuses any supergraph that links
# one `for: SECURITY` (Apollo's own included); the router is expected to do the same.
GATEWAY_REFUSES = {
    "abstract": "authenticated/v0.1 is for: SECURITY but is unsupported",
    "auth": "authenticated/v0.1 is for: SECURITY but is unsupported",
}


@pytest.fixture(scope="module", autouse=True)
def _node_modules() -> None:
    ensure_node_modules()


@pytest.mark.parametrize("name", sorted(SUBGRAPH_SETS))
def test_apollo_gateway_loads_our_supergraph_and_apollo_composes_the_same(name: str) -> None:
    subgraphs = SUBGRAPH_SETS[name]
    supergraph = compose(subgraphs)
    result = _run_node(subgraphs, supergraph)
    if name in GATEWAY_REFUSES:
        assert not result["loaded"]
        assert GATEWAY_REFUSES[name] in result["error"]
    else:
        assert result["loaded"], result.get("error")
        assert result["queryFields"]
    assert result["apolloErrors"] == []
    assert supergraph == result["apollo"]
