"""Task photos through GraphQL multipart uploads and direct uploads, on both storage backends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from subgraph_kit.storage import CloudinaryStorage, LocalStorage, PhotoService
from tasks_subgraph.models import TaskPhoto
from tests.support.backends import Backend
from tests.support.cloudinary_standin import CloudinaryStandIn, cloudinary_standin
from tests.support.images import jpeg_bytes, png_bytes
from tests.tasks_subgraph.conftest import Tasks, User, start_tasks

MAX_BYTES = 4096
PHOTO_FIELDS = "id format width height bytes caption url thumbnail uploadedBy { id }"
ADD = f"""mutation($t: ID!, $file: Upload!, $caption: String) {{
  addTaskPhoto(taskId: $t, file: $file, caption: $caption) {{ {PHOTO_FIELDS} }} }}"""
PHOTOS = "query($id: ID!) { task(id: $id) { photos { id format url(width: 64, crop: FILL) } } }"
REMOVE = "mutation($p: ID!) { removeTaskPhoto(photoId: $p) { id photos { id } } }"


@pytest.fixture
def standin() -> Iterator[CloudinaryStandIn]:
    with cloudinary_standin() as running:
        yield running


@pytest.fixture(params=["local", "cloudinary"])
async def photo_tasks(
    request: pytest.FixtureRequest,
    backend: Backend,
    redis_prefix: str,
    data_dir: Path,
    standin: CloudinaryStandIn,
) -> AsyncIterator[Tasks]:
    storage = (
        LocalStorage(data_dir / "photos", "http://tasks.test")
        if request.param == "local"
        else CloudinaryStorage.from_url(standin.url)
    )
    photos = PhotoService(storage, max_bytes=MAX_BYTES)
    async for tasks in start_tasks(backend, redis_prefix, data_dir, photos):
        yield tasks


def _stored_objects(tasks: Tasks, standin: CloudinaryStandIn) -> list[Any]:
    photos: PhotoService = tasks.runtime.extras["photos"]
    if isinstance(photos.storage, LocalStorage):
        return [path for path in photos.storage.directory.rglob("*") if path.is_file()]
    return list(standin.assets)


async def _photo_rows(tasks: Tasks) -> int:
    async with tasks.runtime.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(TaskPhoto)) or 0)


async def _setup(tasks: Tasks) -> tuple[User, str, str]:
    owner = tasks.user()
    group_id = await tasks.group(owner)
    task = await tasks.create_task(owner, group_id, "With photos")
    return owner, group_id, task["id"]


async def test_real_images_are_accepted_by_content_not_name(
    photo_tasks: Tasks, standin: CloudinaryStandIn
) -> None:
    owner, group_id, task_id = await _setup(photo_tasks)
    jpeg = jpeg_bytes(24, 16)
    reply = await photo_tasks.upload(
        ADD, {"t": task_id, "caption": "front"}, filename="photo.jpg", data=jpeg, as_=owner
    )
    assert reply.errors == [], reply.body
    photo = reply.data["addTaskPhoto"]
    assert (photo["format"], photo["width"], photo["height"]) == ("jpeg", 24, 16)
    assert (photo["bytes"], photo["caption"]) == (len(jpeg), "front")
    assert photo["uploadedBy"]["id"] == owner.id
    assert f"taskforge/groups/{group_id}/" in photo["url"]
    assert photo["thumbnail"] != photo["url"]

    disguised = await photo_tasks.upload(
        ADD, {"t": task_id}, filename="setup.exe", data=png_bytes(), as_=owner
    )
    assert disguised.errors == [], disguised.body
    assert disguised.data["addTaskPhoto"]["format"] == "png"

    listed = await photo_tasks.gql(PHOTOS, {"id": task_id}, as_=owner)
    assert [p["format"] for p in listed.data["task"]["photos"]] == ["jpeg", "png"]
    assert len(_stored_objects(photo_tasks, standin)) == 2
    assert (await photo_tasks.outbox_types()).count("task.photo_added") == 2


async def test_local_photos_are_served_by_the_subgraph(tasks_service: Tasks) -> None:
    owner, _group_id, task_id = await _setup(tasks_service)
    jpeg = jpeg_bytes()
    reply = await tasks_service.upload(ADD, {"t": task_id}, filename="a.jpg", data=jpeg, as_=owner)
    url = httpx.URL(reply.data["addTaskPhoto"]["url"])
    served = await tasks_service.service.http.get(url.path)
    assert served.status_code == 200
    assert served.content == jpeg
    assert served.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("notes.jpg", b"Dear diary, today I renamed a text file.", "NOT_AN_IMAGE"),
        ("huge.jpg", jpeg_bytes(8, 8) + b"\x00" * MAX_BYTES, "TOO_LARGE"),
        ("empty.png", b"", "NOT_AN_IMAGE"),
    ],
)
async def test_rejected_uploads_leave_nothing_behind(
    photo_tasks: Tasks, standin: CloudinaryStandIn, filename: str, data: bytes, reason: str
) -> None:
    owner, _group_id, task_id = await _setup(photo_tasks)
    reply = await photo_tasks.upload(ADD, {"t": task_id}, filename=filename, data=data, as_=owner)
    assert reply.codes == ["BAD_USER_INPUT"], reply.body
    assert reply.errors[0]["extensions"]["reason"] == reason
    assert _stored_objects(photo_tasks, standin) == []
    assert await _photo_rows(photo_tasks) == 0
    assert "task.photo_added" not in await photo_tasks.outbox_types()


async def test_a_failed_transaction_deletes_the_stored_photo(
    photo_tasks: Tasks, standin: CloudinaryStandIn
) -> None:
    owner, _group_id, task_id = await _setup(photo_tasks)
    reply = await photo_tasks.upload(
        ADD, {"t": task_id, "caption": "x" * 501}, filename="a.jpg", data=jpeg_bytes(), as_=owner
    )
    assert reply.codes == ["BAD_USER_INPUT"]
    assert _stored_objects(photo_tasks, standin) == []
    assert await _photo_rows(photo_tasks) == 0


async def test_removing_a_photo_deletes_it_from_storage(
    photo_tasks: Tasks, standin: CloudinaryStandIn
) -> None:
    owner, group_id, task_id = await _setup(photo_tasks)
    member = photo_tasks.user()
    await photo_tasks.publish(
        "group.member_added", group_id=group_id, user_id=member.id, role="MEMBER"
    )
    added = await photo_tasks.upload(
        ADD, {"t": task_id}, filename="a.gif", data=png_bytes(), as_=owner
    )
    photo_id = added.data["addTaskPhoto"]["id"]
    refused = await photo_tasks.gql(REMOVE, {"p": photo_id}, as_=member)
    assert refused.codes == ["FORBIDDEN"]
    removed = await photo_tasks.gql(REMOVE, {"p": photo_id}, as_=owner)
    assert removed.data["removeTaskPhoto"]["photos"] == []
    assert _stored_objects(photo_tasks, standin) == []


REQUEST = """mutation($t: ID!) { requestPhotoUpload(taskId: $t) {
  uploadUrl expiresAt fields { name value } } }"""
ATTACH = f"""mutation($t: ID!, $p: String!, $v: Int!, $s: String!) {{
  attachUploadedPhoto(taskId: $t, publicId: $p, version: $v, signature: $s) {{
    {PHOTO_FIELDS} }} }}"""


@pytest.fixture
async def cloudinary_tasks(
    backend: Backend, redis_prefix: str, data_dir: Path, standin: CloudinaryStandIn
) -> AsyncIterator[Tasks]:
    photos = PhotoService(CloudinaryStorage.from_url(standin.url), max_bytes=MAX_BYTES)
    async for tasks in start_tasks(backend, redis_prefix, data_dir, photos):
        yield tasks


async def _direct_upload(tasks: Tasks, owner: User, task_id: str, data: bytes) -> dict[str, Any]:
    """What a browser does: POST the file with the signed fields straight to Cloudinary."""
    ticket = (await tasks.gql(REQUEST, {"t": task_id}, as_=owner)).data["requestPhotoUpload"]
    fields = {field["name"]: field["value"] for field in ticket["fields"]}
    async with httpx.AsyncClient() as client:
        reply = await client.post(ticket["uploadUrl"], data=fields, files={"file": ("f", data)})
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


async def test_direct_upload_attaches_only_with_a_valid_signature(
    cloudinary_tasks: Tasks, standin: CloudinaryStandIn
) -> None:
    owner, group_id, task_id = await _setup(cloudinary_tasks)
    uploaded = await _direct_upload(cloudinary_tasks, owner, task_id, jpeg_bytes())
    assert uploaded["public_id"].startswith(f"taskforge/groups/{group_id}/")
    base = {"t": task_id, "p": uploaded["public_id"], "v": uploaded["version"]}

    forged = await cloudinary_tasks.gql(ATTACH, {**base, "s": "0" * 40}, as_=owner)
    assert forged.codes == ["BAD_USER_INPUT"]
    assert "signature" in forged.errors[0]["message"]
    wrong_version = await cloudinary_tasks.gql(
        ATTACH, {**base, "v": base["v"] + 1, "s": uploaded["signature"]}, as_=owner
    )
    assert wrong_version.codes == ["BAD_USER_INPUT"]
    assert await _photo_rows(cloudinary_tasks) == 0

    attached = await cloudinary_tasks.gql(ATTACH, {**base, "s": uploaded["signature"]}, as_=owner)
    assert attached.errors == [], attached.body
    photo = attached.data["attachUploadedPhoto"]
    assert (photo["format"], photo["width"], photo["height"]) == ("jpeg", 16, 8)
    again = await cloudinary_tasks.gql(ATTACH, {**base, "s": uploaded["signature"]}, as_=owner)
    assert again.codes == ["BAD_USER_INPUT"]
    assert list(standin.assets) == [uploaded["public_id"]]
    assert await _photo_rows(cloudinary_tasks) == 1


async def test_a_photo_uploaded_for_one_group_cannot_be_attached_in_another(
    cloudinary_tasks: Tasks,
) -> None:
    owner, _group_id, task_id = await _setup(cloudinary_tasks)
    other_group = await cloudinary_tasks.group(owner)
    other_task = await cloudinary_tasks.create_task(owner, other_group)
    uploaded = await _direct_upload(cloudinary_tasks, owner, task_id, png_bytes())
    reply = await cloudinary_tasks.gql(
        ATTACH,
        {
            "t": other_task["id"],
            "p": uploaded["public_id"],
            "v": uploaded["version"],
            "s": uploaded["signature"],
        },
        as_=owner,
    )
    assert reply.codes == ["BAD_USER_INPUT"]
    assert await _photo_rows(cloudinary_tasks) == 0


async def test_direct_uploads_need_cloudinary(tasks_service: Tasks) -> None:
    owner, _group_id, task_id = await _setup(tasks_service)
    reply = await tasks_service.gql(REQUEST, {"t": task_id}, as_=owner)
    assert reply.codes == ["BAD_USER_INPUT"]
