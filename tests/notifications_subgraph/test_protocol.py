"""The notifications subgraph as a federation subgraph: SDL, batched entities, own data only."""

from __future__ import annotations

from pathlib import Path

from taskforge.registry import SUBGRAPHS
from tests.notifications_subgraph.conftest import Notifications, new_task_id
from tests.support.sql import counted_statements, selects

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Notification { id kind recipient { id } } } }"""


async def test_service_sdl_matches_the_checked_in_schema(notifications: Notifications) -> None:
    reply = await notifications.gql("{ _service { sdl } }")
    served = reply.data["_service"]["sdl"]
    checked_in = (Path(__file__).parents[2] / "schema" / "notifications.graphql").read_text()
    assert served.strip() == checked_in.strip() == SUBGRAPHS["notifications"].sdl().strip(), (
        "schema/notifications.graphql is stale: run `taskforge export-schema`"
    )


async def test_entities_are_batched_and_only_the_recipient_sees_them(
    notifications: Notifications,
) -> None:
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    for _ in range(4):
        await notifications.task_event(
            "assigned", new_task_id(), actor=boss, created_by=boss, assignee=worker
        )
    inbox = await notifications.inbox(worker)
    ids = [edge["node"]["id"] for edge in inbox["notifications"]["edges"]]
    representations = [{"__typename": "Notification", "id": i} for i in [*ids, "missing"]]
    with counted_statements([notifications.runtime.database.engine]) as statements:
        mine = await notifications.gql(ENTITIES, {"r": representations}, as_=worker)
    theirs = await notifications.gql(ENTITIES, {"r": representations}, as_=boss)

    assert [entity and entity["id"] for entity in mine.data["_entities"]] == [*ids, None]
    assert mine.data["_entities"][0]["recipient"] == {"id": worker.id}
    assert len(selects(statements)) == 1, statements
    assert theirs.data["_entities"] == [None] * 5
