"""Photos uploaded curl-style (GraphQL multipart) through the router in the single-process mode."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from taskforge.standalone import Standalone
from tasks_subgraph.models import TaskPhoto
from tests.support.graphql import GraphQLClient
from tests.support.images import jpeg_bytes, png_bytes
from tests.users_subgraph.conftest import sign_up

ADD_PHOTO = """mutation($t: ID!, $file: Upload!) {
  addTaskPhoto(taskId: $t, file: $file, caption: "kitchen") { id format width height url thumbnail }
}"""
SET_AVATAR = "mutation($file: Upload!) { setAvatar(file: $file) { id avatar { format } } }"
CSRF = {"x-taskforge-csrf": "1"}


@pytest.fixture
async def http(federation: Standalone) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=federation)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:4000") as client:
        yield client


async def _post_file(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    file: tuple[str, bytes, str],
    headers: dict[str, str],
) -> httpx.Response:
    form = {
        "operations": json.dumps({"query": query, "variables": {**variables, "file": None}}),
        "map": json.dumps({"0": ["variables.file"]}),
    }
    return await http.post("/graphql", data=form, files={"0": file}, headers=headers)


async def _task(gql: GraphQLClient, token: str) -> str:
    group = await gql('mutation { createGroup(name: "Flat") { id } }', token=token)
    group_id = group.data["createGroup"]["id"]
    for _attempt in range(200):
        created = await gql(
            'mutation($g: ID!) { createTask(groupId: $g, title: "Paint") { id } }',
            {"g": group_id},
            token=token,
        )
        if not created.errors:
            return str(created.data["createTask"]["id"])
        await asyncio.sleep(0.025)
    raise AssertionError(f"the tasks subgraph never learnt the membership: {created.errors}")


async def _photo_count(federation: Standalone) -> int:
    async with federation.runtimes["tasks"].database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(TaskPhoto)) or 0)


def _stored_files(federation: Standalone) -> list[Path]:
    photos = federation.runtimes["tasks"].common.data_dir / "photos"
    return [path for path in photos.rglob("*") if path.is_file()] if photos.exists() else []


async def test_task_photo_upload_through_the_router(
    federation: Standalone, http: httpx.AsyncClient
) -> None:
    gql = GraphQLClient(http)
    me = await sign_up(gql, "painter@example.com")
    bearer = {"authorization": f"Bearer {me['accessToken']}"}
    task_id = await _task(gql, me["accessToken"])

    reply = await _post_file(
        http,
        ADD_PHOTO,
        {"t": task_id},
        ("wall.jpg", jpeg_bytes(16, 8), "image/jpeg"),
        bearer | CSRF,
    )

    photo = reply.json()["data"]["addTaskPhoto"]
    assert (photo["format"], photo["width"], photo["height"]) == ("jpeg", 16, 8)
    served = await http.get(photo["url"])
    assert served.status_code == 200
    assert served.content == jpeg_bytes(16, 8)
    listed = await gql(
        "query($t: ID!) { task(id: $t) { photos { id caption } } }",
        {"t": task_id},
        token=me["accessToken"],
    )
    assert listed.data == {"task": {"photos": [{"id": photo["id"], "caption": "kitchen"}]}}


async def test_rejected_uploads_leave_nothing_behind(
    federation: Standalone, http: httpx.AsyncClient
) -> None:
    gql = GraphQLClient(http)
    me = await sign_up(gql, "careful@example.com")
    bearer = {"authorization": f"Bearer {me['accessToken']}"}
    task_id = await _task(gql, me["accessToken"])

    no_csrf = await _post_file(
        http, ADD_PHOTO, {"t": task_id}, ("a.jpg", jpeg_bytes(), "image/jpeg"), bearer
    )
    text_as_jpeg = await _post_file(
        http,
        ADD_PHOTO,
        {"t": task_id},
        ("a.jpg", b"just text, honest", "image/jpeg"),
        bearer | CSRF,
    )
    png_as_exe = await _post_file(
        http,
        ADD_PHOTO,
        {"t": task_id},
        ("tool.exe", png_bytes(), "application/octet-stream"),
        bearer | CSRF,
    )

    assert no_csrf.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTION"
    assert text_as_jpeg.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert png_as_exe.json()["data"]["addTaskPhoto"]["format"] == "png"
    assert await _photo_count(federation) == 1
    assert len(_stored_files(federation)) == 1


async def test_avatar_upload_through_the_router(http: httpx.AsyncClient) -> None:
    me = await sign_up(GraphQLClient(http), "edge@example.com")
    bearer = {"authorization": f"Bearer {me['accessToken']}"}
    file = ("me.png", png_bytes(), "image/png")

    refused = await _post_file(http, SET_AVATAR, {}, file, bearer)
    uploaded = await _post_file(http, SET_AVATAR, {}, file, bearer | CSRF)
    forged = await http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"authorization": "Bearer " + me["accessToken"][:-4] + "AAAA"},
    )

    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTION"
    assert uploaded.json() == {"data": {"setAvatar": {"id": me["id"], "avatar": {"format": "png"}}}}
    assert forged.status_code == 401
