"""Finding 13: a NUL byte in any string input is refused as BAD_USER_INPUT, never a 500."""

from __future__ import annotations

from tests.support.services import RunningService
from tests.users_subgraph.conftest import LOGIN, PASSWORD, REGISTER, sign_up

NUL = "a\x00b"


async def test_nul_bytes_in_inputs_are_bad_user_input(users: RunningService) -> None:
    session = await sign_up(users.gql, "nul@example.com")
    attempts = [
        users.gql(REGISTER, {"email": "x@example.com", "password": PASSWORD, "name": NUL}),
        users.gql(LOGIN, {"email": f"{NUL}@example.com", "password": PASSWORD}),
        users.gql('{ user(id: "a\\u0000b") { id } }', token=session["accessToken"]),
        users.gql(
            "mutation($name: String!) { updateProfile(displayName: $name) { id } }",
            {"name": NUL},
            token=session["accessToken"],
        ),
    ]
    for attempt in attempts:
        reply = await attempt
        assert reply.codes == ["BAD_USER_INPUT"], reply.body
