"""Operation limits at the edge: depth, aliases, root fields, tokens, introspection."""

from __future__ import annotations

import pytest

from tests.supergraph.edge_fixtures import edge_app


def _nested(levels: int) -> str:
    inner = "__typename"
    for _ in range(levels - 1):
        inner = f"users {{ {inner} }}"
    return "{ " + inner + " }"


async def _post(query: str, **settings: object) -> tuple[int, dict, int]:
    edge = edge_app(**settings)
    async with edge.client() as client:
        response = await client.post("/graphql", json={"query": query})
        follow_up = await client.post("/graphql", json={"query": "{ users { id } }"})
    assert follow_up.status_code == 200, "the router keeps serving"
    return response.status_code, response.json(), len(edge.transport.requests)


async def test_a_50_level_deep_query_is_refused_before_any_subgraph_call() -> None:
    status, body, calls = await _post(_nested(50), max_depth=25)
    assert status == 200
    assert body["errors"][0]["extensions"] == {"code": "MAX_DEPTH_LIMIT", "limit": 25, "found": 50}
    assert calls == 1


async def test_depth_counts_fragments_and_spares_shallow_queries() -> None:
    query = "query { ...A } fragment A on Query { users { ...B } } fragment B on User { id }"
    _, body, _ = await _post(query, max_depth=2)
    assert "errors" not in body
    _, body, _ = await _post(query, max_depth=1)
    assert body["errors"][0]["extensions"]["code"] == "MAX_DEPTH_LIMIT"


async def test_a_thousand_aliases_are_refused() -> None:
    aliases = " ".join(f"a{i}: __typename" for i in range(1000))
    _, body, _ = await _post("{ " + aliases + " }", max_aliases=200)
    assert body["errors"][0]["extensions"]["code"] == "MAX_ALIASES_LIMIT"
    assert body["errors"][0]["extensions"]["found"] == 1000


async def test_too_many_root_fields_are_refused() -> None:
    _, body, _ = await _post(
        "{ a: users { id } b: users { id } c: users { id } }", max_root_fields=2
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["MAX_ROOT_FIELDS_LIMIT"]


async def test_too_many_tokens_are_refused() -> None:
    query = "{ " + " ".join("__typename" for _ in range(200)) + " }"
    _, body, _ = await _post(query, max_tokens=100)
    assert body["errors"][0]["extensions"]["code"] == "MAX_TOKENS_LIMIT"


@pytest.mark.parametrize(("enabled", "codes"), [(True, []), (False, ["INTROSPECTION_DISABLED"])])
async def test_introspection_can_be_turned_off(enabled: bool, codes: list[str]) -> None:
    _, body, _ = await _post("{ __schema { queryType { name } } }", introspection=enabled)
    assert [e["extensions"]["code"] for e in body.get("errors", [])] == codes
    _, typename, _ = await _post("{ __typename }", introspection=enabled)
    assert typename == {"data": {"__typename": "Query"}}


async def test_the_default_depth_limit_is_no_deeper_than_the_subgraphs_one() -> None:
    from subgraph_kit.settings import CommonSettings
    from supergraph.edge.settings import RouterSettings

    assert RouterSettings().max_depth <= CommonSettings().max_query_depth
    _, body, calls = await _post(_nested(16))
    assert body["errors"][0]["extensions"] == {"code": "MAX_DEPTH_LIMIT", "limit": 15, "found": 16}
    assert calls == 1
