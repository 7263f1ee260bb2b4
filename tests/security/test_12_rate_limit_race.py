"""Finding 12: concurrent wrong passwords for one email; at most the limit are checked."""

from __future__ import annotations

import asyncio

from tests.support.services import RunningService
from tests.users_subgraph.conftest import LOGIN, sign_up

ATTEMPTS = 40
MAX_PER_EMAIL = 5


async def test_concurrent_wrong_passwords_stop_at_the_limit(users: RunningService) -> None:
    await sign_up(users.gql, "target@example.com")

    replies = await asyncio.gather(
        *(
            users.gql(LOGIN, {"email": "target@example.com", "password": f"Wrong-guess-{n}"})
            for n in range(ATTEMPTS)
        )
    )

    codes = [code for reply in replies for code in reply.codes]
    assert len(codes) == ATTEMPTS
    assert set(codes) <= {"UNAUTHENTICATED", "RATE_LIMITED"}, codes
    assert codes.count("UNAUTHENTICATED") <= MAX_PER_EMAIL, codes
