"""Registration, sign-in, token refresh and profile through the users subgraph's GraphQL API."""

from __future__ import annotations

from tests.support.services import RunningService
from tests.users_subgraph.conftest import LOGIN, PASSWORD, REGISTER, sign_up

ME = "{ me { id email displayName role createdAt } }"
REFRESH = """mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }"""


async def test_register_login_me_round_trip(users: RunningService) -> None:
    session = await sign_up(users.gql, "ada@example.com", "Ada")

    me = await users.gql(ME, token=session["accessToken"])

    assert me.errors == []
    assert me.data["me"]["id"] == session["id"]
    assert me.data["me"]["email"] == "ada@example.com"
    assert me.data["me"]["displayName"] == "Ada"
    assert me.data["me"]["role"] == "USER"
    assert me.data["me"]["createdAt"].endswith("+00:00")


async def test_me_is_null_when_anonymous(users: RunningService) -> None:
    me = await users.gql(ME)
    assert me.status == 200
    assert me.data == {"me": None}


async def test_duplicate_email_is_bad_user_input(users: RunningService) -> None:
    await sign_up(users.gql, "dup@example.com")
    again = await users.gql(
        REGISTER, {"email": "DUP@example.com", "password": PASSWORD, "name": "Other"}
    )
    assert again.codes == ["BAD_USER_INPUT"]
    assert "already exists" in again.errors[0]["message"]


async def test_weak_password_invalid_email_and_oversized_name_are_refused(
    users: RunningService,
) -> None:
    cases = [
        {"email": "x@example.com", "password": "short", "name": "X"},
        {"email": "x@example.com", "password": "alllowercaseletters", "name": "X"},
        {"email": "not-an-email", "password": PASSWORD, "name": "X"},
        {"email": "x@example.com", "password": PASSWORD, "name": "N" * 101},
        {"email": "x@example.com", "password": PASSWORD, "name": "   "},
        {"email": ("e" * 300) + "@example.com", "password": PASSWORD, "name": "X"},
    ]
    for variables in cases:
        reply = await users.gql(REGISTER, variables)
        assert reply.codes == ["BAD_USER_INPUT"], variables
        assert reply.data is None
    users_after = await users.gql(LOGIN, {"email": "x@example.com", "password": PASSWORD})
    assert users_after.codes == ["UNAUTHENTICATED"]


async def test_wrong_email_and_wrong_password_give_the_same_answer(users: RunningService) -> None:
    await sign_up(users.gql, "bob@example.com")
    wrong_password = await users.gql(LOGIN, {"email": "bob@example.com", "password": "Nope-12345!"})
    wrong_email = await users.gql(LOGIN, {"email": "nobody@example.com", "password": PASSWORD})
    assert wrong_password.codes == wrong_email.codes == ["UNAUTHENTICATED"]
    assert wrong_password.errors[0]["message"] == wrong_email.errors[0]["message"]
    assert wrong_password.data is None


async def test_refresh_rotates_and_the_old_token_stops_working(users: RunningService) -> None:
    session = await sign_up(users.gql, "rot@example.com")

    first = await users.gql(REFRESH, {"t": session["refreshToken"]})
    assert first.errors == []
    rotated = first.data["refreshToken"]
    assert rotated["refreshToken"] != session["refreshToken"]
    me = await users.gql(ME, token=rotated["accessToken"])
    assert me.data["me"]["id"] == session["id"]

    second = await users.gql(REFRESH, {"t": rotated["refreshToken"]})
    assert second.errors == []


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    users: RunningService,
) -> None:
    session = await sign_up(users.gql, "thief@example.com")
    newer = (await users.gql(REFRESH, {"t": session["refreshToken"]})).data["refreshToken"]

    replay = await users.gql(REFRESH, {"t": session["refreshToken"]})
    assert replay.codes == ["UNAUTHENTICATED"]
    assert replay.data is None

    legit = await users.gql(REFRESH, {"t": newer["refreshToken"]})
    assert legit.codes == ["UNAUTHENTICATED"], "the family must be revoked after a reuse"


async def test_logout_revokes_the_refresh_token(users: RunningService) -> None:
    session = await sign_up(users.gql, "out@example.com")
    out = await users.gql(
        "mutation($t: String!) { logout(refreshToken: $t) }", {"t": session["refreshToken"]}
    )
    assert out.data == {"logout": True}
    after = await users.gql(REFRESH, {"t": session["refreshToken"]})
    assert after.codes == ["UNAUTHENTICATED"]
    garbage = await users.gql(REFRESH, {"t": "x" * 5000})
    assert garbage.codes == ["UNAUTHENTICATED"]


async def test_update_profile_needs_a_user_and_validates(users: RunningService) -> None:
    session = await sign_up(users.gql, "prof@example.com", "Old")
    update = "mutation($n: String!) { updateProfile(displayName: $n) { displayName } }"

    anonymous = await users.gql(update, {"n": "New"})
    assert anonymous.codes == ["UNAUTHENTICATED"]
    too_long = await users.gql(update, {"n": "x" * 500}, token=session["accessToken"])
    assert too_long.codes == ["BAD_USER_INPUT"]
    ok = await users.gql(update, {"n": "  New  "}, token=session["accessToken"])
    assert ok.data == {"updateProfile": {"displayName": "New"}}


async def test_email_is_visible_only_to_self(users: RunningService) -> None:
    alice = await sign_up(users.gql, "alice@example.com")
    bob = await sign_up(users.gql, "bob2@example.com")
    query = "query($id: ID!) { user(id: $id) { id email } }"

    by_bob = await users.gql(query, {"id": alice["id"]}, token=bob["accessToken"])
    by_alice = await users.gql(query, {"id": alice["id"]}, token=alice["accessToken"])

    assert by_bob.data == {"user": {"id": alice["id"], "email": None}}
    assert by_alice.data == {"user": {"id": alice["id"], "email": "alice@example.com"}}
    unknown = await users.gql(query, {"id": "nope"}, token=bob["accessToken"])
    assert unknown.data == {"user": None}
    anonymous = await users.gql(query, {"id": alice["id"]})
    assert anonymous.codes == ["UNAUTHENTICATED"]
