"""Finding 2: floods of registrations and logins; no internal errors, the event loop stays free."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from argon2 import PasswordHasher

from tests.support.graphql import Response
from tests.support.services import RunningService
from tests.users_subgraph.conftest import LOGIN, PASSWORD, REGISTER, sign_up

FLOOD = 40


def _one_hash_seconds() -> float:
    started = time.perf_counter()
    PasswordHasher().hash(PASSWORD)
    return time.perf_counter() - started


async def _flood_watching_the_loop(
    attempt: Callable[[int], Awaitable[Response]],
) -> tuple[list[Response], float]:
    """Run FLOOD attempts at once; the longest the event loop was unable to run anything else."""
    loop = asyncio.get_running_loop()
    longest = 0.0
    flood = asyncio.gather(*(attempt(n) for n in range(FLOOD)))
    while not flood.done():
        before = loop.time()
        await asyncio.sleep(0.001)
        longest = max(longest, loop.time() - before)
    return await flood, longest


def _assert_survived(replies: list[Response], longest_stall: float) -> None:
    codes = [code for reply in replies for code in reply.codes]
    assert set(codes) <= {"RATE_LIMITED"}, codes
    # Hashing on the loop stalls it for about FLOOD hashes; a quarter of that is generous.
    assert longest_stall < FLOOD / 4 * _one_hash_seconds(), "password hashes ran on the loop"


async def test_floods_of_hashing_neither_fail_internally_nor_stall_other_requests(
    users: RunningService,
) -> None:
    async def register(n: int) -> Response:
        variables = {"email": f"flood{n}@example.com", "password": PASSWORD, "name": f"F{n}"}
        return await users.gql(REGISTER, variables)

    async def login(n: int) -> Response:
        return await users.gql(LOGIN, {"email": f"flood{n}@example.com", "password": PASSWORD})

    await sign_up(users.gql, "warm-up@example.com")
    _assert_survived(*await _flood_watching_the_loop(register))
    _assert_survived(*await _flood_watching_the_loop(login))
