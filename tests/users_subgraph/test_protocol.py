"""The users subgraph as a federation subgraph and an HTTP service: entities, SDL, bad requests."""

from __future__ import annotations

from pathlib import Path

from subgraph_kit.db import Database
from taskforge.registry import SUBGRAPHS
from tests.support.services import RunningService
from tests.support.sql import counted_statements, selects
from tests.users_subgraph.conftest import sign_up

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on User { id displayName } } }"""


async def test_entities_resolve_in_order_with_one_sql_statement(users: RunningService) -> None:
    ids = [(await sign_up(users.gql, f"e{n}@example.com", f"E{n}"))["id"] for n in range(6)]
    representations = [{"__typename": "User", "id": user_id} for user_id in reversed(ids)]
    representations.insert(2, {"__typename": "User", "id": "missing"})
    with counted_statements([users.runtime.database.engine]) as statements:
        reply = await users.gql(ENTITIES, {"r": representations})

    entities = reply.data["_entities"]
    assert entities[2] is None
    assert [entity["id"] for entity in entities if entity] == list(reversed(ids))
    assert len(selects(statements)) == 1, statements


async def test_service_sdl_matches_the_checked_in_schema(users: RunningService) -> None:
    reply = await users.gql("{ _service { sdl } }")
    served = reply.data["_service"]["sdl"]
    checked_in = (Path(__file__).parents[2] / "schema" / "users.graphql").read_text()
    assert served.strip() == checked_in.strip() == SUBGRAPHS["users"].sdl().strip(), (
        "schema/users.graphql is stale: run `taskforge export-schema`"
    )


async def test_malformed_json_is_a_400_graphql_error(users: RunningService) -> None:
    reply = await users.http.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_invalid_graphql_gets_parse_and_validation_codes(users: RunningService) -> None:
    parse = await users.gql("{ me { id ")
    assert parse.codes == ["GRAPHQL_PARSE_FAILED"]
    unknown = await users.gql("{ me { salary } }")
    assert unknown.codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert unknown.status < 500


async def test_wrong_variable_types_are_bad_user_input(users: RunningService) -> None:
    reply = await users.gql("query($id: ID!) { user(id: $id) { id } }", {"id": {"x": 1}})
    assert reply.codes == ["BAD_USER_INPUT"]
    assert reply.status < 500


async def test_oversized_requests_are_refused(users: RunningService) -> None:
    shallow = "{ __schema { types { fields { type { ofType { name } } } } } }"
    assert (await users.gql(shallow)).errors == []
    huge = await users.http.post(
        "/graphql", json={"query": "{ me { id } }", "pad": "x" * 2_000_000}
    )
    assert huge.status_code == 413
    assert huge.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    many_tokens = "{ " + " ".join(f"a{n}: __typename" for n in range(3000)) + " }"
    too_many = await users.gql(many_tokens)
    assert too_many.codes and too_many.data is None


async def test_health_and_ready(users: RunningService) -> None:
    assert (await users.http.get("/health")).json() == {"status": "ok"}
    ready = await users.http.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}
    working = users.runtime.database
    users.runtime.database = Database("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    try:
        down = await users.http.get("/ready")
    finally:
        await users.runtime.database.dispose()
        users.runtime.database = working
    assert down.status_code == 503
