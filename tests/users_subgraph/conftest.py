"""Fixtures for the users subgraph: the service on the test backend and signed-up users."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.backends import Backend
from tests.support.graphql import GraphQLClient
from tests.support.services import RunningService, running_service
from users_subgraph import app as users_app

PASSWORD = "Corr3ct-Horse-Battery"

REGISTER = """mutation($email: String!, $password: String!, $name: String!) {
  register(email: $email, password: $password, displayName: $name) { id displayName role }
}"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { id email } }
}"""


@pytest.fixture
async def users(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> AsyncIterator[RunningService]:
    async with running_service(
        users_app, "users", backend=backend, redis_prefix=redis_prefix, data_dir=data_dir
    ) as service:
        yield service


async def sign_up(gql: GraphQLClient, email: str, name: str = "Someone") -> dict[str, str]:
    """Register and log in; returns id, accessToken and refreshToken."""
    registered = await gql(REGISTER, {"email": email, "password": PASSWORD, "name": name})
    assert registered.errors == [], registered.errors
    logged_in = await gql(LOGIN, {"email": email, "password": PASSWORD})
    assert logged_in.errors == [], logged_in.errors
    payload = logged_in.data["login"]
    return {
        "id": payload["user"]["id"],
        "accessToken": payload["accessToken"],
        "refreshToken": payload["refreshToken"],
    }
