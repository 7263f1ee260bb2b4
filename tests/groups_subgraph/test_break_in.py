"""Trying to break in: outsiders, under-privileged members and removed members change nothing."""

from __future__ import annotations

from typing import Any

from tests.groups_subgraph.conftest import ADD, GROUP, GroupsWorld, Person
from tests.groups_subgraph.test_groups import (
    CHANGE_ROLE,
    DELETE,
    LEAVE,
    MEMBERS_PAGE,
    REMOVE,
    TRANSFER,
    UPDATE,
    roles,
)

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Group { id name members { totalCount } } } }"""
MISSING = "f" * 32


async def snapshot(world: GroupsWorld, owner: Person, group_id: str) -> tuple[Any, list[str]]:
    """What an attempt must leave untouched: the group as its owner sees it, and the outbox."""
    group = (await world.ok(owner, GROUP, {"id": group_id}))["group"]
    return group, await world.outbox_types()


def every_action(group_id: str, target: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (GROUP, {"id": group_id}),
        (MEMBERS_PAGE, {"id": group_id, "first": 5}),
        (UPDATE, {"id": group_id, "name": "Hacked"}),
        (DELETE, {"id": group_id}),
        (ADD, {"g": group_id, "u": target}),
        (CHANGE_ROLE, {"g": group_id, "u": target, "role": "ADMIN"}),
        (REMOVE, {"g": group_id, "u": target}),
        (TRANSFER, {"g": group_id, "u": target}),
        (LEAVE, {"g": group_id}),
    ]


async def test_outsiders_cannot_tell_a_group_exists(world: GroupsWorld) -> None:
    ann, bob, eve = [await world.person(name) for name in ("ann", "bob", "eve")]
    group_id = await world.new_group(ann, "Secret", bob)
    before = await snapshot(world, ann, group_id)

    for query, variables in every_action(group_id, bob.id):
        real = await world.call(eve, query, variables)
        missing_variables = {
            key: MISSING if value == group_id else value for key, value in variables.items()
        }
        missing = await world.call(eve, query, missing_variables)
        assert real.codes == ["NOT_FOUND"], (query, real.errors)
        assert real.errors[0]["message"] == missing.errors[0]["message"]
        assert real.data == missing.data

    entities = await world.ok(eve, ENTITIES, {"r": [{"__typename": "Group", "id": group_id}]})
    assert entities["_entities"] == [None]
    assert await snapshot(world, ann, group_id) == before


async def test_a_member_cannot_do_what_admins_do(world: GroupsWorld) -> None:
    ann, bob, cy, dee = [await world.person(name) for name in ("ann", "bob", "cy", "dee")]
    group_id = await world.new_group(ann, "Team", bob, cy)
    before = await snapshot(world, ann, group_id)

    attempts = [
        (UPDATE, {"id": group_id, "name": "Mine now"}),
        (DELETE, {"id": group_id}),
        (ADD, {"g": group_id, "u": dee.id}),
        (CHANGE_ROLE, {"g": group_id, "u": cy.id, "role": "ADMIN"}),
        (CHANGE_ROLE, {"g": group_id, "u": bob.id, "role": "ADMIN"}),
        (REMOVE, {"g": group_id, "u": cy.id}),
        (REMOVE, {"g": group_id, "u": ann.id}),
        (TRANSFER, {"g": group_id, "u": bob.id}),
    ]
    for query, variables in attempts:
        reply = await world.call(bob, query, variables)
        assert reply.codes == ["FORBIDDEN"], (query, variables, reply.errors)
    assert await snapshot(world, ann, group_id) == before
    assert (await world.ok(bob, GROUP, {"id": group_id}))["group"]["myRole"] == "MEMBER"


async def test_an_admin_cannot_touch_the_owner_or_other_admins(world: GroupsWorld) -> None:
    ann, bob, cy, dee = [await world.person(name) for name in ("ann", "bob", "cy", "dee")]
    group_id = await world.new_group(ann, "Team", dee)
    for admin in (bob, cy):
        await world.ok(ann, ADD, {"g": group_id, "u": admin.id, "role": "ADMIN"})
    before = await snapshot(world, ann, group_id)

    attempts = [
        (REMOVE, {"g": group_id, "u": ann.id}),
        (REMOVE, {"g": group_id, "u": cy.id}),
        (CHANGE_ROLE, {"g": group_id, "u": cy.id, "role": "MEMBER"}),
        (CHANGE_ROLE, {"g": group_id, "u": ann.id, "role": "MEMBER"}),
        (CHANGE_ROLE, {"g": group_id, "u": dee.id, "role": "ADMIN"}),
        (ADD, {"g": group_id, "u": (await world.person("fay")).id, "role": "ADMIN"}),
        (DELETE, {"id": group_id}),
        (TRANSFER, {"g": group_id, "u": bob.id}),
    ]
    for query, variables in attempts:
        reply = await world.call(bob, query, variables)
        assert reply.codes == ["FORBIDDEN"], (query, variables, reply.errors)
    assert await snapshot(world, ann, group_id) == before


async def test_nobody_removes_the_owner_and_the_owner_cannot_just_leave(
    world: GroupsWorld,
) -> None:
    ann, bob = await world.person("ann"), await world.person("bob")
    group_id = await world.new_group(ann, "Team", bob)
    before = await snapshot(world, ann, group_id)

    assert (await world.call(ann, REMOVE, {"g": group_id, "u": ann.id})).codes == ["FORBIDDEN"]
    left = await world.call(ann, LEAVE, {"g": group_id})
    assert left.codes == ["BAD_USER_INPUT"] and "transfer" in left.errors[0]["message"]
    owner_role = await world.call(ann, CHANGE_ROLE, {"g": group_id, "u": ann.id, "role": "MEMBER"})
    assert owner_role.codes == ["FORBIDDEN"]
    to_self = await world.call(ann, TRANSFER, {"g": group_id, "u": ann.id})
    assert to_self.codes == ["BAD_USER_INPUT"]
    assert await snapshot(world, ann, group_id) == before


async def test_a_removed_member_loses_the_group_at_once(world: GroupsWorld) -> None:
    ann, bob, cy = [await world.person(name) for name in ("ann", "bob", "cy")]
    group_id = await world.new_group(ann, "Team", cy)
    await world.ok(ann, ADD, {"g": group_id, "u": bob.id, "role": "ADMIN"})
    assert (await world.ok(bob, GROUP, {"id": group_id}))["group"]["myRole"] == "ADMIN"

    await world.ok(ann, REMOVE, {"g": group_id, "u": bob.id})
    before = await snapshot(world, ann, group_id)
    for query, variables in every_action(group_id, cy.id):
        reply = await world.call(bob, query, variables)
        assert reply.codes == ["NOT_FOUND"], (query, reply.errors)
    entities = await world.ok(bob, ENTITIES, {"r": [{"__typename": "Group", "id": group_id}]})
    assert entities["_entities"] == [None]
    assert await snapshot(world, ann, group_id) == before
    assert bob.id not in roles(before[0])


async def test_forged_ids_and_cursors_are_refused_cleanly(world: GroupsWorld) -> None:
    ann = await world.person("ann")
    group_id = await world.new_group(ann)
    for after in ["not-a-cursor", "WyJ4Il0", "eyJhIjogMX0"]:
        reply = await world.call(ann, MEMBERS_PAGE, {"id": group_id, "first": 1, "after": after})
        assert reply.codes == ["BAD_USER_INPUT"], (after, reply.errors)
    too_many = await world.call(ann, MEMBERS_PAGE, {"id": group_id, "first": 1000})
    assert too_many.codes == ["BAD_USER_INPUT"]
    odd_id = await world.call(ann, GROUP, {"id": "'; DROP TABLE groups; --"})
    assert odd_id.codes == ["NOT_FOUND"]
    assert await world.count("groups") == 1
