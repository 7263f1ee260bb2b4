"""Fixtures for the groups subgraph: the service on the test backend and users it knows about."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from groups_subgraph import app as groups_app
from groups_subgraph.app import KNOWN_USERS_CONSUMER
from groups_subgraph.models import GroupsBase
from groups_subgraph.service import record_known_user
from subgraph_kit.events import Event, idempotent_handler
from tests.support.backends import Backend
from tests.support.graphql import Response
from tests.support.services import RunningService, running_service

CREATE = """mutation($name: String!, $description: String! = "") {
  createGroup(name: $name, description: $description) { id name description myRole
    owner { id } } }"""
ADD = """mutation($g: ID!, $u: ID, $email: String, $role: GroupRole! = MEMBER) {
  addMember(groupId: $g, userId: $u, email: $email, role: $role) { user { id } role } }"""
GROUP = """query($id: ID!) { group(id: $id) { id name description myRole owner { id }
  members { totalCount edges { node { user { id } role } } } } }"""


@dataclass(frozen=True)
class Person:
    id: str
    email: str
    token: str


@dataclass
class GroupsWorld:
    """The groups service plus helpers to make known users and call it as one of them."""

    service: RunningService

    async def person(self, name: str, *, role: str = "USER") -> Person:
        """A user the users subgraph announced (as its user.registered event would)."""
        user_id = uuid.uuid4().hex
        email = f"{name}-{user_id[:6]}@example.com"
        event = Event(
            id=uuid.uuid4().hex,
            type="user.registered",
            version=1,
            occurred_at=datetime.now(UTC),
            payload={"user_id": user_id, "email": email, "display_name": name},
            source="users",
        )
        database = self.service.runtime.database
        await idempotent_handler(database, KNOWN_USERS_CONSUMER, record_known_user)(event)
        token = self.service.runtime.tokens.issue(user_id=user_id, role=role)
        return Person(user_id, email, token)

    async def call(
        self, who: Person | None, query: str, variables: dict[str, Any] | None = None
    ) -> Response:
        return await self.service.gql(query, variables, token=who.token if who else None)

    async def ok(self, who: Person, query: str, variables: dict[str, Any] | None = None) -> Any:
        reply = await self.call(who, query, variables)
        assert reply.errors == [], reply.errors
        return reply.data

    async def new_group(self, owner: Person, name: str = "Team", *members: Person) -> str:
        created = await self.ok(owner, CREATE, {"name": name})
        group_id: str = created["createGroup"]["id"]
        for member in members:
            await self.ok(owner, ADD, {"g": group_id, "u": member.id})
        return group_id

    async def outbox_types(self) -> list[str]:
        outbox = GroupsBase.metadata.tables["outbox"]
        async with self.service.runtime.database.session() as session:
            rows = await session.scalars(select(outbox.c.type).order_by(outbox.c.seq))
            return list(rows)

    async def count(self, table: str) -> int:
        selected = GroupsBase.metadata.tables[table]
        async with self.service.runtime.database.session() as session:
            return int(await session.scalar(select(func.count()).select_from(selected)) or 0)


@pytest.fixture
async def groups(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> AsyncIterator[RunningService]:
    async with running_service(
        groups_app, "groups", backend=backend, redis_prefix=redis_prefix, data_dir=data_dir
    ) as service:
        yield service


@pytest.fixture
def world(groups: RunningService) -> GroupsWorld:
    return GroupsWorld(groups)
