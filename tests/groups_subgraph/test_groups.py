"""Groups and memberships: creating, managing members and roles, leaving, deleting, and events."""

from __future__ import annotations

import asyncio

from subgraph_kit.events import Event
from tests.groups_subgraph.conftest import ADD, CREATE, GROUP, GroupsWorld

MEMBERS_PAGE = """query($id: ID!, $first: Int, $after: String) { group(id: $id) {
  members(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { user { id } role joinedAt group { id } } } } } }"""
CHANGE_ROLE = """mutation($g: ID!, $u: ID!, $role: GroupRole!) {
  changeMemberRole(groupId: $g, userId: $u, role: $role) { user { id } role } }"""
REMOVE = "mutation($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }"
LEAVE = "mutation($g: ID!) { leaveGroup(groupId: $g) }"
TRANSFER = """mutation($g: ID!, $u: ID!) { transferOwnership(groupId: $g, userId: $u) {
  owner { id } myRole } }"""
UPDATE = """mutation($id: ID!, $name: String, $description: String) {
  updateGroup(id: $id, name: $name, description: $description) { name description } }"""
DELETE = "mutation($id: ID!) { deleteGroup(id: $id) }"
USER_GROUPS = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on User { id groups { id name myRole } } } }"""


def roles(group: dict) -> dict[str, str]:
    return {edge["node"]["user"]["id"]: edge["node"]["role"] for edge in group["members"]["edges"]}


async def test_the_creator_owns_a_new_group(world: GroupsWorld) -> None:
    ann = await world.person("ann")
    created = await world.ok(ann, CREATE, {"name": "  Garden club ", "description": "Weeds"})
    group = created["createGroup"]
    assert group["name"] == "Garden club" and group["description"] == "Weeds"
    assert group["myRole"] == "OWNER" and group["owner"] == {"id": ann.id}

    read = (await world.ok(ann, GROUP, {"id": group["id"]}))["group"]
    assert read["members"]["totalCount"] == 1
    assert roles(read) == {ann.id: "OWNER"}


async def test_members_are_added_by_id_or_email_and_paginated(world: GroupsWorld) -> None:
    ann = await world.person("ann")
    others = [await world.person(f"p{n}") for n in range(4)]
    group_id = await world.new_group(ann, "Team")
    await world.ok(ann, ADD, {"g": group_id, "u": others[0].id})
    await world.ok(ann, ADD, {"g": group_id, "email": others[1].email.upper(), "role": "ADMIN"})
    await world.ok(ann, ADD, {"g": group_id, "u": others[2].id})
    await world.ok(ann, ADD, {"g": group_id, "u": others[3].id})

    seen: list[tuple[str, str]] = []
    after = None
    for _ in range(3):
        page = await world.ok(ann, MEMBERS_PAGE, {"id": group_id, "first": 2, "after": after})
        members = page["group"]["members"]
        assert members["totalCount"] == 5
        seen += [(edge["node"]["user"]["id"], edge["node"]["role"]) for edge in members["edges"]]
        assert all(edge["node"]["group"]["id"] == group_id for edge in members["edges"])
        after = members["pageInfo"]["endCursor"]
        if not members["pageInfo"]["hasNextPage"]:
            break
    assert [user for user, _role in seen] == [ann.id, *(other.id for other in others)]
    assert dict(seen)[others[1].id] == "ADMIN"


async def test_add_member_input_errors(world: GroupsWorld) -> None:
    ann, bob = await world.person("ann"), await world.person("bob")
    group_id = await world.new_group(ann, "Team", bob)
    cases = [
        {"g": group_id},
        {"g": group_id, "u": bob.id, "email": bob.email},
        {"g": group_id, "email": "nobody@example.com"},
        {"g": group_id, "u": "0" * 32},
        {"g": group_id, "u": bob.id},
        {"g": group_id, "u": (await world.person("cy")).id, "role": "OWNER"},
    ]
    for variables in cases:
        reply = await world.call(ann, ADD, variables)
        assert reply.codes == ["BAD_USER_INPUT"], (variables, reply.errors)
    assert await world.count("memberships") == 2


async def test_names_and_descriptions_are_validated(world: GroupsWorld) -> None:
    ann = await world.person("ann")
    for variables in [
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "tab\tname"},
        {"name": "ok", "description": "d" * 1001},
    ]:
        reply = await world.call(ann, CREATE, variables)
        assert reply.codes == ["BAD_USER_INPUT"], variables
        assert reply.errors[0]["extensions"]["argument"] in {"name", "description"}
    group_id = await world.new_group(ann)
    reply = await world.call(ann, UPDATE, {"id": group_id, "name": ""})
    assert reply.codes == ["BAD_USER_INPUT"]
    assert await world.count("groups") == 1
    updated = await world.ok(ann, UPDATE, {"id": group_id, "description": "New"})
    assert updated["updateGroup"] == {"name": "Team", "description": "New"}


async def test_anonymous_callers_are_unauthenticated(world: GroupsWorld) -> None:
    ann = await world.person("ann")
    group_id = await world.new_group(ann)
    for query, variables in [(GROUP, {"id": group_id}), (CREATE, {"name": "x"})]:
        reply = await world.call(None, query, variables)
        assert reply.codes == ["UNAUTHENTICATED"]


async def test_owner_manages_roles_and_transfers_ownership(world: GroupsWorld) -> None:
    ann, bob, cy = [await world.person(name) for name in ("ann", "bob", "cy")]
    group_id = await world.new_group(ann, "Team", bob, cy)

    changed = await world.ok(ann, CHANGE_ROLE, {"g": group_id, "u": bob.id, "role": "ADMIN"})
    assert changed["changeMemberRole"]["role"] == "ADMIN"
    transferred = await world.ok(ann, TRANSFER, {"g": group_id, "u": cy.id})
    assert transferred["transferOwnership"] == {"owner": {"id": cy.id}, "myRole": "ADMIN"}

    group = (await world.ok(cy, GROUP, {"id": group_id}))["group"]
    assert roles(group) == {ann.id: "ADMIN", bob.id: "ADMIN", cy.id: "OWNER"}
    assert group["owner"] == {"id": cy.id} and group["myRole"] == "OWNER"

    await world.ok(ann, LEAVE, {"g": group_id})
    await world.ok(cy, REMOVE, {"g": group_id, "u": bob.id})
    group = (await world.ok(cy, GROUP, {"id": group_id}))["group"]
    assert roles(group) == {cy.id: "OWNER"}


async def test_an_admin_manages_plain_members(world: GroupsWorld) -> None:
    ann, bob, cy, dee = [await world.person(name) for name in ("ann", "bob", "cy", "dee")]
    group_id = await world.new_group(ann, "Team", cy)
    await world.ok(ann, ADD, {"g": group_id, "u": bob.id, "role": "ADMIN"})

    await world.ok(bob, ADD, {"g": group_id, "u": dee.id})
    await world.ok(bob, UPDATE, {"id": group_id, "name": "Renamed"})
    await world.ok(bob, REMOVE, {"g": group_id, "u": cy.id})
    group = (await world.ok(bob, GROUP, {"id": group_id}))["group"]
    assert group["name"] == "Renamed"
    assert roles(group) == {ann.id: "OWNER", bob.id: "ADMIN", dee.id: "MEMBER"}


async def test_deleting_a_group_removes_it_and_its_memberships(world: GroupsWorld) -> None:
    ann, bob = await world.person("ann"), await world.person("bob")
    group_id = await world.new_group(ann, "Team", bob)
    kept = await world.new_group(bob, "Other")
    assert (await world.ok(ann, DELETE, {"id": group_id}))["deleteGroup"] == group_id
    for who in (ann, bob):
        assert (await world.call(who, GROUP, {"id": group_id})).codes == ["NOT_FOUND"]
    assert await world.count("groups") == 1 and await world.count("memberships") == 1
    assert (await world.ok(bob, GROUP, {"id": kept}))["group"]["name"] == "Other"


async def test_user_groups_are_listed_for_the_user_and_admins_only(world: GroupsWorld) -> None:
    ann, bob = await world.person("ann"), await world.person("bob")
    admin = await world.person("root", role="ADMIN")
    first = await world.new_group(ann, "First", bob)
    second = await world.new_group(bob, "Second")
    representations = {"r": [{"__typename": "User", "id": bob.id}]}

    own = (await world.ok(bob, USER_GROUPS, representations))["_entities"][0]["groups"]
    assert [(g["id"], g["myRole"]) for g in own] == [(first, "MEMBER"), (second, "OWNER")]
    by_admin = (await world.ok(admin, USER_GROUPS, representations))["_entities"][0]["groups"]
    assert [(g["id"], g["myRole"]) for g in by_admin] == [(first, None), (second, None)]
    by_ann = (await world.ok(ann, USER_GROUPS, representations))["_entities"][0]["groups"]
    assert by_ann == []


async def test_every_change_emits_its_event(world: GroupsWorld) -> None:
    received: list[Event] = []

    async def record(event: Event) -> None:
        received.append(event)

    world.service.runtime.bus.subscribe("test-recorder", record)
    ann, bob = await world.person("ann"), await world.person("bob")
    group_id = await world.new_group(ann, "Team", bob)
    await world.ok(ann, UPDATE, {"id": group_id, "name": "Renamed"})
    await world.ok(ann, CHANGE_ROLE, {"g": group_id, "u": bob.id, "role": "ADMIN"})
    await world.ok(ann, TRANSFER, {"g": group_id, "u": bob.id})
    await world.ok(ann, LEAVE, {"g": group_id})
    await world.ok(bob, DELETE, {"id": group_id})
    expected = [
        "group.created",
        "group.member_added",
        "group.updated",
        "group.member_role_changed",
        "group.member_role_changed",
        "group.member_role_changed",
        "group.ownership_transferred",
        "group.member_removed",
        "group.deleted",
    ]
    assert await world.outbox_types() == expected

    deadline = asyncio.get_running_loop().time() + 5
    while len(received) < len(expected) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    assert [event.type for event in received] == expected
    assert {event.source for event in received} == {"groups"}
    created, added = received[0].payload, received[1].payload
    assert created == {"group_id": group_id, "owner_id": ann.id, "name": "Team"}
    assert added == {"group_id": group_id, "user_id": bob.id, "role": "MEMBER", "actor_id": ann.id}
    role_changes = [(e.payload["user_id"], e.payload["role"]) for e in received[3:6]]
    assert role_changes == [(bob.id, "ADMIN"), (bob.id, "OWNER"), (ann.id, "ADMIN")]
    assert received[7].payload["user_id"] == ann.id and received[7].payload["reason"] == "left"
    assert received[8].payload == {"group_id": group_id, "actor_id": bob.id}


async def test_platform_admins_read_any_group_but_change_none(world: GroupsWorld) -> None:
    ann, bob = await world.person("ann"), await world.person("bob")
    admin = await world.person("root", role="ADMIN")
    group_id = await world.new_group(ann, "Team", bob)

    read = (await world.ok(admin, GROUP, {"id": group_id}))["group"]
    assert read["myRole"] is None and roles(read) == {ann.id: "OWNER", bob.id: "MEMBER"}
    for query, variables in [
        (UPDATE, {"id": group_id, "name": "Admin was here"}),
        (DELETE, {"id": group_id}),
        (REMOVE, {"g": group_id, "u": bob.id}),
        (ADD, {"g": group_id, "u": admin.id}),
    ]:
        assert (await world.call(admin, query, variables)).codes == ["FORBIDDEN"], query
    unknown = await world.call(admin, UPDATE, {"id": "f" * 32, "name": "x"})
    assert unknown.codes == ["NOT_FOUND"]
    after = (await world.ok(admin, GROUP, {"id": group_id}))["group"]
    assert after == read
