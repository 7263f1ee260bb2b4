"""The groups subgraph in the federation: SDL, batched entities, user events from users."""

from __future__ import annotations

import asyncio
from pathlib import Path

from groups_subgraph import app as groups_app
from subgraph_kit.events import EventBus, InProcessBus
from taskforge.registry import SUBGRAPHS
from tests.groups_subgraph.conftest import ADD, GROUP, GroupsWorld
from tests.support.backends import Backend
from tests.support.services import running_service
from tests.support.sql import counted_statements, selects
from tests.users_subgraph.conftest import sign_up
from users_subgraph import app as users_app

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Group { id name myRole owner { id } members(first: 2) { totalCount
    edges { node { role user { id } } } } }
  ... on User { id groups { id } } } }"""


async def test_service_sdl_matches_the_checked_in_schema(world: GroupsWorld) -> None:
    reply = await world.service.gql("{ _service { sdl } }")
    served = reply.data["_service"]["sdl"]
    checked_in = (Path(__file__).parents[2] / "schema" / "groups.graphql").read_text()
    assert served.strip() == checked_in.strip() == SUBGRAPHS["groups"].sdl().strip(), (
        "schema/groups.graphql is stale: run `taskforge export-schema`"
    )


async def test_entities_are_batched_whatever_their_number(world: GroupsWorld) -> None:
    ann, bob = await world.person("ann"), await world.person("bob")
    eve = await world.person("eve")

    async def statements_for(count: int) -> tuple[int, list]:
        ids = [await world.new_group(ann, f"G{n}", bob) for n in range(count)]
        hidden = await world.new_group(eve, "Not yours")
        representations = [{"__typename": "Group", "id": group_id} for group_id in ids]
        representations.insert(1, {"__typename": "Group", "id": hidden})
        representations.append({"__typename": "User", "id": ann.id})
        with counted_statements([world.service.runtime.database.engine]) as seen:
            reply = await world.ok(ann, ENTITIES, {"r": representations})
        entities = reply["_entities"]
        assert entities[1] is None
        groups = [entity for entity in entities[:-1] if entity]
        assert [group["id"] for group in groups] == ids
        assert all(group["members"]["totalCount"] == 2 for group in groups)
        assert all(group["myRole"] == "OWNER" for group in groups)
        assert len(entities[-1]["groups"]) >= count
        return len(selects(seen)), entities

    few, _ = await statements_for(2)
    many, _ = await statements_for(12)
    assert few == many <= 6


async def test_members_can_be_added_by_the_email_users_registered(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> None:
    """user.registered travels users -> outbox -> bus -> groups' known_users read model."""
    shared: EventBus | None = InProcessBus() if backend.redis_url is None else None
    options = {"bus": shared} if shared is not None else {}
    async with (
        running_service(
            users_app,
            "users",
            backend=backend,
            redis_prefix=redis_prefix,
            data_dir=data_dir,
            runtime_options=options,
        ) as users,
        running_service(
            groups_app,
            "groups",
            backend=backend,
            redis_prefix=redis_prefix,
            data_dir=data_dir,
            runtime_options=options,
        ) as groups,
    ):
        if shared is not None:
            await shared.start()
        ann = await sign_up(users.gql, "ann@example.com", "Ann")
        bob = await sign_up(users.gql, "Bob@Example.com", "Bob")
        created = await groups.gql(
            'mutation { createGroup(name: "Team") { id } }', token=ann["accessToken"]
        )
        group_id = created.data["createGroup"]["id"]

        added = None
        for _ in range(250):
            added = await groups.gql(
                ADD, {"g": group_id, "email": "BOB@example.com"}, token=ann["accessToken"]
            )
            if not added.errors:
                break
            await asyncio.sleep(0.02)
        assert added is not None and added.errors == [], added
        assert added.data["addMember"] == {"user": {"id": bob["id"]}, "role": "MEMBER"}
        read = await groups.gql(GROUP, {"id": group_id}, token=bob["accessToken"])
        assert read.data["group"]["myRole"] == "MEMBER"
