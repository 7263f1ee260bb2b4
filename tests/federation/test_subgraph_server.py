"""Checks the data-driven subgraph server itself: the federation protocol and its data operators."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.federation.subgraph_server import SubgraphApp, SubgraphState, make_subgraph_app

__all__: list[str] = []

SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7",
                    import: ["@key", "@external", "@requires"])
type Query { shelves: [Shelf!]! echo(n: Int = 3, tag: String): String }
type Mutation { bump(by: Int!): Int }
type Shelf @key(fields: "location { room } number") @key(fields: "code") {
  location: Location!
  number: Int!
  code: String!
  weight: Int @external
  load: String @requires(fields: "weight")
  broken: String
}
type Location { room: Int! }
type Stub @key(fields: "id", resolvable: false) { id: ID! }
"""

DATA = {
    "Query": {"shelves": {"$all": "Shelf"}, "echo": {"$args": True}},
    "Mutation": {"bump": {"$counter": "c", "add": {"$arg": "by"}}},
    "entities": {
        "Shelf": [
            {
                "location": {"room": 1},
                "number": 7,
                "code": "A7",
                "load": {"$template": "{rep.weight}kg on {obj.code}"},
                "broken": {"$error": "shelf is broken", "extensions": {"code": "BROKEN"}},
            },
            {"location": {"room": 2}, "number": 7, "code": "B7", "$entityError": "gone"},
        ]
    },
}

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Shelf { code load } } }"


async def _post(app: SubgraphApp, query: str, variables: dict[str, Any] | None = None) -> Any:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sub") as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    return response.status_code, response.json() if response.status_code == 200 else response.text


async def test_service_sdl_is_the_original_sdl() -> None:
    app = make_subgraph_app(SDL, DATA)
    _, body = await _post(app, "{ _service { sdl } }")
    assert body == {"data": {"_service": {"sdl": SDL}}}


async def test_entities_match_nested_composite_key_or_other_key() -> None:
    app = make_subgraph_app(SDL, DATA)
    reps = [
        {"__typename": "Shelf", "location": {"room": 1}, "number": 7, "weight": 3},
        {"__typename": "Shelf", "code": "A7", "weight": 5},
        {"__typename": "Shelf", "location": {"room": 9}, "number": 7, "weight": 1},
    ]
    _, body = await _post(app, ENTITIES, {"r": reps})
    assert body["data"]["_entities"] == [
        {"code": "A7", "load": "3kg on A7"},
        {"code": "A7", "load": "5kg on A7"},
        None,
    ]


async def test_missing_required_field_is_an_error() -> None:
    app = make_subgraph_app(SDL, DATA)
    _, body = await _post(app, ENTITIES, {"r": [{"__typename": "Shelf", "code": "A7"}]})
    assert body["data"]["_entities"] == [{"code": "A7", "load": None}]
    assert body["errors"][0]["path"] == ["_entities", 0, "load"]


async def test_entity_error_and_field_error() -> None:
    app = make_subgraph_app(SDL, DATA)
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Shelf { broken } } }"
    reps = [{"__typename": "Shelf", "code": "A7"}, {"__typename": "Shelf", "code": "B7"}]
    _, body = await _post(app, query, {"r": reps})
    assert body["data"]["_entities"] == [{"broken": None}, None]
    errors = {json.dumps(e["path"]): e for e in body["errors"]}
    assert errors['["_entities", 0, "broken"]']["extensions"] == {"code": "BROKEN"}
    assert errors['["_entities", 1]']["message"] == "gone"


async def test_unknown_type_condition_fails_validation() -> None:
    app = make_subgraph_app(SDL, DATA)
    _, body = await _post(app, "{ shelves { ... on Stub { id } } }")
    assert body["data"] is None
    assert "errors" in body


async def test_non_resolvable_key_is_not_an_entity() -> None:
    app = make_subgraph_app(SDL, DATA)
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Stub { id } } }"
    _, body = await _post(app, query, {"r": [{"__typename": "Stub", "id": "1"}]})
    assert body["data"] is None


async def test_arguments_and_defaults_are_echoed() -> None:
    app = make_subgraph_app(SDL, DATA)
    _, body = await _post(app, '{ echo(tag: "x") }')
    assert body == {"data": {"echo": '{"n":3,"tag":"x"}'}}


async def test_counter_is_shared_and_requests_are_logged_in_order() -> None:
    state = SubgraphState()
    first = make_subgraph_app(SDL, DATA, name="first", state=state)
    second = make_subgraph_app(SDL, DATA, name="second", state=state)
    await _post(first, "mutation { bump(by: 2) }")
    _, body = await _post(second, "mutation { bump(by: 5) }")
    assert body == {"data": {"bump": 7}}
    assert [name for name, _ in state.log] == ["first", "second"]
    assert len(first.requests) == 1


async def test_forced_http_answer() -> None:
    app = make_subgraph_app(SDL, {"$http": {"status": 503, "body": "down"}})
    status, body = await _post(app, "{ echo }")
    assert (status, body) == (503, "down")
    assert len(app.requests) == 1
