"""Finding 3: concurrent refreshes of one token; exactly one wins, the rest revoke the family."""

from __future__ import annotations

import asyncio

from tests.support.services import RunningService
from tests.users_subgraph.conftest import sign_up

REFRESH = (
    """mutation($token: String!) { refreshToken(token: $token) { accessToken refreshToken } }"""
)
CALLS = 10


async def test_exactly_one_concurrent_refresh_wins_and_the_rest_revoke_the_family(
    users: RunningService,
) -> None:
    session = await sign_up(users.gql, "race@example.com")

    replies = await asyncio.gather(
        *(users.gql(REFRESH, {"token": session["refreshToken"]}) for _ in range(CALLS))
    )

    winners = [reply for reply in replies if not reply.errors]
    assert len(winners) == 1, [reply.body for reply in replies]
    assert all(reply.codes == ["UNAUTHENTICATED"] for reply in replies if reply.errors)
    successor = winners[0].data["refreshToken"]["refreshToken"]
    after_reuse = await users.gql(REFRESH, {"token": successor})
    assert after_reuse.codes == ["UNAUTHENTICATED"], "reuse must revoke the winner's family too"
