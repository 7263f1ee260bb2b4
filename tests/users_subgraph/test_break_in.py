"""Break-in attempts: forged, expired and misdirected tokens, admin-only operations, brute force."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt

from subgraph_kit.auth import TokenService
from subgraph_kit.settings import CommonSettings
from tests.support.services import RunningService
from tests.users_subgraph.conftest import LOGIN, PASSWORD, sign_up

ME = "{ me { id email } }"
USERS = "{ users(first: 10) { totalCount edges { node { id email } } } }"
SET_ROLE = (
    """mutation($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { id role } }"""
)


def _claims(user_id: str, settings: CommonSettings, **overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": user_id,
        "role": "ADMIN",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "jti": "forged",
    }
    claims.update(overrides)
    return claims


async def _assert_rejected(users: RunningService, token: str, reason: str) -> None:
    reply = await users.gql(ME, token=token)
    assert reply.status == 401, reason
    assert reply.codes == ["UNAUTHENTICATED"], reason
    assert "data" not in reply.body or reply.data is None, reason


async def test_expired_token_is_rejected(users: RunningService) -> None:
    session = await sign_up(users.gql, "exp@example.com")
    settings = users.runtime.common
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = jwt.encode(
        _claims(session["id"], settings, iat=past - timedelta(minutes=15), exp=past),
        settings.jwt_secret,
        algorithm="HS256",
    )
    await _assert_rejected(users, expired, "expired")
    reply = await users.gql(ME, token=expired)
    assert reply.errors[0]["extensions"]["reason"] == "TOKEN_EXPIRED"


async def test_tampered_signature_is_rejected(users: RunningService) -> None:
    session = await sign_up(users.gql, "tamper@example.com")
    header, payload, signature = session["accessToken"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "ADMIN"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    await _assert_rejected(users, f"{header}.{forged_payload}.{signature}", "tampered payload")
    await _assert_rejected(users, f"{header}.{payload}.{signature[:-4]}AAAA", "bad signature")


async def test_alg_none_is_rejected(users: RunningService) -> None:
    session = await sign_up(users.gql, "none@example.com")
    unsigned = jwt.encode(_claims(session["id"], users.runtime.common), None, algorithm="none")
    await _assert_rejected(users, unsigned, "alg none")


async def test_wrong_audience_issuer_or_key_is_rejected(users: RunningService) -> None:
    session = await sign_up(users.gql, "aud@example.com")
    settings = users.runtime.common
    for label, token in {
        "audience": jwt.encode(_claims(session["id"], settings, aud="other"), settings.jwt_secret),
        "issuer": jwt.encode(_claims(session["id"], settings, iss="evil"), settings.jwt_secret),
        "key": jwt.encode(_claims(session["id"], settings), "another-secret-of-32-bytes-long!!"),
        "garbage": "not.a.jwt",
    }.items():
        await _assert_rejected(users, token, label)
    bad_scheme = await users.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": "Basic abc"}
    )
    assert bad_scheme.status_code == 401


async def test_tokens_signed_with_another_algorithm_are_rejected(users: RunningService) -> None:
    session = await sign_up(users.gql, "alg@example.com")
    settings = users.runtime.common
    hs512 = jwt.encode(_claims(session["id"], settings), settings.jwt_secret, algorithm="HS512")
    await _assert_rejected(users, hs512, "algorithm not pinned")


def test_asymmetric_keys_are_supported() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    issuer = TokenService(
        CommonSettings(jwt_algorithm="ES256", jwt_private_key=private, jwt_public_key=public)
    )
    verifier = TokenService(CommonSettings(jwt_algorithm="ES256", jwt_public_key=public))
    claims = verifier.verify(issuer.issue(user_id="u1", role="USER"))
    assert (claims.user_id, claims.role) == ("u1", "USER")


async def test_non_admin_cannot_call_admin_operations(users: RunningService) -> None:
    mallory = await sign_up(users.gql, "mallory@example.com")

    listing = await users.gql(USERS, token=mallory["accessToken"])
    assert listing.codes == ["FORBIDDEN"]
    assert listing.data is None

    promote = await users.gql(
        SET_ROLE, {"id": mallory["id"], "role": "ADMIN"}, token=mallory["accessToken"]
    )
    assert promote.codes == ["FORBIDDEN"]
    me = await users.gql("{ me { role } }", token=mallory["accessToken"])
    assert me.data == {"me": {"role": "USER"}}


async def test_admin_lists_users_with_cursor_pagination(users: RunningService) -> None:
    from users_subgraph.service import create_admin

    async with users.runtime.database.session() as session:
        await create_admin(session, email="root@example.com", password=PASSWORD, display_name="R")
    admin = (await users.gql(LOGIN, {"email": "root@example.com", "password": PASSWORD})).data
    token = admin["login"]["accessToken"]
    for n in range(4):
        await sign_up(users.gql, f"u{n}@example.com")

    page_query = """query($after: String) { users(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { email } } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = (await users.gql(page_query, {"after": after}, token=token)).data["users"]
        assert page["totalCount"] == 5
        seen += [edge["node"]["email"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 5
    bad_cursor = await users.gql(page_query, {"after": "%%%"}, token=token)
    assert bad_cursor.codes == ["BAD_USER_INPUT"]


async def test_last_admin_cannot_demote_themself(users: RunningService) -> None:
    from users_subgraph.service import create_admin

    async with users.runtime.database.session() as session:
        root = await create_admin(
            session, email="only@example.com", password=PASSWORD, display_name="Only"
        )
    token = (await users.gql(LOGIN, {"email": "only@example.com", "password": PASSWORD})).data[
        "login"
    ]["accessToken"]
    demote = await users.gql(SET_ROLE, {"id": root.id, "role": "USER"}, token=token)
    assert demote.codes == ["FORBIDDEN"]

    other = await sign_up(users.gql, "second@example.com")
    promoted = await users.gql(SET_ROLE, {"id": other["id"], "role": "ADMIN"}, token=token)
    assert promoted.data == {"setUserRole": {"id": other["id"], "role": "ADMIN"}}
    now_allowed = await users.gql(SET_ROLE, {"id": root.id, "role": "USER"}, token=token)
    assert now_allowed.data == {"setUserRole": {"id": root.id, "role": "USER"}}


async def test_failed_logins_are_rate_limited_per_email(users: RunningService) -> None:
    await sign_up(users.gql, "brute@example.com")
    for _ in range(5):
        wrong = await users.gql(LOGIN, {"email": "brute@example.com", "password": "Wrong-pass-1"})
        assert wrong.codes == ["UNAUTHENTICATED"]

    limited = await users.gql(LOGIN, {"email": "brute@example.com", "password": PASSWORD})
    assert limited.codes == ["RATE_LIMITED"]
    assert limited.data is None


async def test_failed_logins_are_rate_limited_per_address(users: RunningService) -> None:
    await sign_up(users.gql, "victim@example.com")
    for n in range(20):
        await users.gql(LOGIN, {"email": f"spray{n}@example.com", "password": "Wrong-pass-1"})

    limited = await users.gql(LOGIN, {"email": "victim@example.com", "password": PASSWORD})
    assert limited.codes == ["RATE_LIMITED"]
