"""Reading notifications: only the recipient, pagination, read state, email preferences."""

from __future__ import annotations

from tests.notifications_subgraph.conftest import NOTIFICATIONS, Notifications, User, new_task_id

MARK_READ = "mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }"
MARK_ALL = "mutation { markAllNotificationsRead }"
PREFERENCES = "{ notificationPreferences { kind email } }"
SET_PREFERENCES = """mutation($p: [NotificationPreferenceInput!]!) {
  setNotificationPreferences(preferences: $p) { kind email } }"""


async def _assign_many(notifications: Notifications, worker: User, count: int) -> None:
    boss = await notifications.user("Boss")
    for n in range(count):
        await notifications.task_event(
            "assigned", new_task_id(), actor=boss, created_by=boss, assignee=worker, title=f"T{n}"
        )


async def test_pages_newest_first_with_cursors(notifications: Notifications) -> None:
    worker = await notifications.user("Worker")
    await _assign_many(notifications, worker, 5)

    first = (await notifications.inbox(worker, first=2))["notifications"]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True
    seen = [edge["node"]["message"] for edge in first["edges"]]
    after = first["pageInfo"]["endCursor"]
    while after:
        page = (await notifications.inbox(worker, first=2, after=after))["notifications"]
        seen += [edge["node"]["message"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert seen == [f"Boss assigned you “T{n}”" for n in reversed(range(5))]


async def test_marking_read(notifications: Notifications) -> None:
    worker = await notifications.user("Worker")
    await _assign_many(notifications, worker, 3)
    edges = (await notifications.inbox(worker))["notifications"]["edges"]

    read = await notifications.gql(MARK_READ, {"id": edges[0]["node"]["id"]}, as_=worker)
    assert read.errors == []
    assert read.data["markNotificationRead"]["readAt"] is not None
    unread = await notifications.inbox(worker, unread=True)
    assert unread["unreadNotificationCount"] == 2
    assert unread["notifications"]["totalCount"] == 2
    assert edges[0]["node"]["id"] not in [e["node"]["id"] for e in unread["notifications"]["edges"]]

    everything = await notifications.gql(MARK_ALL, as_=worker)
    assert everything.data == {"markAllNotificationsRead": 2}
    assert (await notifications.inbox(worker))["unreadNotificationCount"] == 0


async def test_only_the_recipient_sees_or_changes_a_notification(
    notifications: Notifications,
) -> None:
    worker, other = await notifications.user("Worker"), await notifications.user("Other")
    await _assign_many(notifications, worker, 1)
    (edge,) = (await notifications.inbox(worker))["notifications"]["edges"]

    stolen = await notifications.gql(MARK_READ, {"id": edge["node"]["id"]}, as_=other)
    assert stolen.codes == ["NOT_FOUND"]
    assert (await notifications.gql(MARK_READ, {"id": "nope"}, as_=worker)).codes == ["NOT_FOUND"]
    peek = await notifications.gql(
        NOTIFICATIONS, {"u": [{"__typename": "User", "id": worker.id}]}, as_=other
    )
    assert sorted(peek.codes) == ["FORBIDDEN", "FORBIDDEN"]
    assert peek.data["_entities"][0] == {"unreadNotificationCount": None, "notifications": None}
    anonymous = await notifications.gql(
        NOTIFICATIONS, {"u": [{"__typename": "User", "id": worker.id}]}
    )
    assert sorted(anonymous.codes) == ["UNAUTHENTICATED", "UNAUTHENTICATED"]
    assert (await notifications.gql(MARK_ALL)).codes == ["UNAUTHENTICATED"]
    assert (await notifications.gql(MARK_ALL, as_=other)).data == {"markAllNotificationsRead": 0}
    assert (await notifications.inbox(worker))["unreadNotificationCount"] == 1


async def test_bad_page_arguments_are_bad_user_input(notifications: Notifications) -> None:
    worker = await notifications.user("Worker")
    variables = {"u": [{"__typename": "User", "id": worker.id}]}
    for extra in ({"first": -1}, {"after": "not-a-cursor"}, {"after": "WzFd"}):
        reply = await notifications.gql(NOTIFICATIONS, {**variables, **extra}, as_=worker)
        assert reply.codes == ["BAD_USER_INPUT"], extra


async def test_email_preferences_default_off_and_change_per_kind(
    notifications: Notifications,
) -> None:
    worker = await notifications.user("Worker")
    before = await notifications.gql(PREFERENCES, as_=worker)
    assert before.data["notificationPreferences"][0] == {"kind": "TASK_ASSIGNED", "email": False}
    assert not any(p["email"] for p in before.data["notificationPreferences"])

    changed = await notifications.gql(
        SET_PREFERENCES, {"p": [{"kind": "TASK_DUE_SOON", "email": True}]}, as_=worker
    )
    chosen = {p["kind"]: p["email"] for p in changed.data["setNotificationPreferences"]}
    assert chosen["TASK_DUE_SOON"] is True
    assert sum(chosen.values()) == 1
    after = await notifications.gql(PREFERENCES, as_=worker)
    assert after.data["notificationPreferences"] == changed.data["setNotificationPreferences"]
    other = await notifications.user("Other")
    theirs = await notifications.gql(PREFERENCES, as_=other)
    assert not any(p["email"] for p in theirs.data["notificationPreferences"])
    assert (await notifications.gql(PREFERENCES)).codes == ["UNAUTHENTICATED"]
