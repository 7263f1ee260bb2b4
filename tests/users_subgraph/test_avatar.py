"""Avatars: setAvatar / removeAvatar with the kit's photo storage, User.avatar on entities."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from subgraph_kit.storage import CloudinaryStorage, LocalStorage, PhotoService
from tests.support.backends import Backend
from tests.support.cloudinary_standin import CloudinaryStandIn, cloudinary_standin
from tests.support.graphql import Response
from tests.support.images import jpeg_bytes, png_bytes
from tests.support.services import RunningService, running_service
from tests.users_subgraph.conftest import sign_up
from users_subgraph import app as users_app

AVATAR = """avatar { id format width height bytes
  url(width: 48, height: 48, crop: FILL) thumbnail uploadedBy { id } }"""
SET = f"mutation($file: Upload!) {{ setAvatar(file: $file) {{ id {AVATAR} }} }}"
REMOVE = "mutation { removeAvatar { id avatar { id } } }"


@pytest.fixture
def standin() -> Iterator[CloudinaryStandIn]:
    with cloudinary_standin() as running:
        yield running


@pytest.fixture(params=["local", "cloudinary"])
async def avatar_users(
    request: pytest.FixtureRequest,
    backend: Backend,
    redis_prefix: str,
    data_dir: Path,
    standin: CloudinaryStandIn,
) -> AsyncIterator[RunningService]:
    storage = (
        LocalStorage(data_dir / "photos", "http://users.test")
        if request.param == "local"
        else CloudinaryStorage.from_url(standin.url)
    )
    async with running_service(
        users_app,
        "users",
        backend=backend,
        redis_prefix=redis_prefix,
        data_dir=data_dir,
        runtime_options={"photos": PhotoService(storage, max_bytes=4096)},
    ) as service:
        yield service


async def _upload(users: RunningService, token: str, filename: str, data: bytes) -> Response:
    operations = json.dumps({"query": SET, "variables": {"file": None}})
    reply = await users.http.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, data, "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}"},
    )
    return Response(reply.status_code, reply.json())


def _stored(users: RunningService, standin: CloudinaryStandIn) -> list[Any]:
    storage = users.runtime.extras["photos"].storage
    if isinstance(storage, LocalStorage):
        return [path for path in storage.directory.rglob("*") if path.is_file()]
    return list(standin.assets)


async def test_set_replace_and_remove_an_avatar(
    avatar_users: RunningService, standin: CloudinaryStandIn
) -> None:
    me = await sign_up(avatar_users.gql, "pic@example.com")
    first = await _upload(avatar_users, me["accessToken"], "me.jpg", jpeg_bytes(40, 30))
    assert first.errors == [], first.body
    avatar = first.data["setAvatar"]["avatar"]
    assert (avatar["format"], avatar["width"], avatar["height"]) == ("jpeg", 40, 30)
    assert avatar["uploadedBy"]["id"] == me["id"]
    assert f"taskforge/avatars/{me['id']}/" in avatar["url"]
    assert len(_stored(avatar_users, standin)) == 1

    second = await _upload(avatar_users, me["accessToken"], "me.exe", png_bytes())
    assert second.data["setAvatar"]["avatar"]["format"] == "png"
    assert len(_stored(avatar_users, standin)) == 1  # the replaced file is gone

    removed = await avatar_users.gql(REMOVE, token=me["accessToken"])
    assert removed.data["removeAvatar"]["avatar"] is None
    assert _stored(avatar_users, standin) == []


async def test_a_rejected_avatar_leaves_nothing_behind(
    avatar_users: RunningService, standin: CloudinaryStandIn
) -> None:
    me = await sign_up(avatar_users.gql, "text@example.com")
    for filename, data in (
        ("me.jpg", b"plain text, not a photo"),
        ("big.jpg", jpeg_bytes() + b"\0" * 5000),
    ):
        reply = await _upload(avatar_users, me["accessToken"], filename, data)
        assert reply.codes == ["BAD_USER_INPUT"], reply.body
    assert _stored(avatar_users, standin) == []
    mine = await avatar_users.gql("{ me { avatar { id } } }", token=me["accessToken"])
    assert mine.data["me"]["avatar"] is None


async def test_avatars_resolve_on_entities(users: RunningService) -> None:
    people = [await sign_up(users.gql, f"a{n}@example.com") for n in range(3)]
    await _upload(users, people[0]["accessToken"], "a.jpg", jpeg_bytes())
    reply = await users.gql(
        """query($r: [_Any!]!) { _entities(representations: $r) {
           ... on User { id avatar { thumbnail } } } }""",
        {"r": [{"__typename": "User", "id": person["id"]} for person in people]},
    )
    entities = reply.data["_entities"]
    assert entities[0]["avatar"]["thumbnail"].startswith("http://127.0.0.1:4001/photos/")
    assert [entity["avatar"] for entity in entities[1:]] == [None, None]
    anonymous = await _upload(users, "", "a.jpg", jpeg_bytes())
    assert anonymous.status in (400, 401)
