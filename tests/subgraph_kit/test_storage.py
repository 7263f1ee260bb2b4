"""Photo storage: content sniffing, size limits, the local and Cloudinary backends, rollback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from subgraph_kit.errors import BadUserInput
from subgraph_kit.storage import (
    CloudinaryStorage,
    LocalStorage,
    PhotoService,
    PhotoSettings,
    create_photo_service,
    photo_routes,
    sniff_image,
    validate_photo,
)
from subgraph_kit.storage.cloudinary_storage import SIGNATURE_MAX_AGE_SECONDS
from tests.support.cloudinary_standin import CloudinaryStandIn, cloudinary_standin
from tests.support.images import gif_bytes, jpeg_bytes, png_bytes, webp_bytes

FOLDER = "taskforge/groups/g1"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (jpeg_bytes(16, 8), ("jpeg", 16, 8)),
        (jpeg_bytes(33, 21), ("jpeg", 33, 21)),
        (png_bytes(3, 2), ("png", 3, 2)),
        (gif_bytes(), ("gif", 1, 1)),
        (webp_bytes(), ("webp", 1, 1)),
    ],
)
def test_formats_and_sizes_come_from_the_bytes(data: bytes, expected: tuple[str, int, int]) -> None:
    image = sniff_image(data)
    assert image is not None
    assert (image.format, image.width, image.height, image.bytes) == (*expected, len(data))


@pytest.mark.parametrize(
    "data",
    [
        b"just some text pretending to be a photo",
        b"",
        b"\xff\xd8\xff\xe0 truncated jpeg",
        b"%PDF-1.7\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        png_bytes()[:20],
    ],
)
def test_anything_but_a_readable_image_is_refused(data: bytes) -> None:
    with pytest.raises(BadUserInput) as refused:
        validate_photo(data)
    assert refused.value.extensions["reason"] == "NOT_AN_IMAGE"


def test_size_limit_is_configurable() -> None:
    data = jpeg_bytes()
    assert validate_photo(data, max_bytes=len(data)).format == "jpeg"
    with pytest.raises(BadUserInput) as refused:
        validate_photo(data, max_bytes=len(data) - 1)
    assert refused.value.extensions["reason"] == "TOO_LARGE"


async def test_local_storage_stores_serves_and_deletes(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "photos", "http://photos.test")
    data = png_bytes()
    photo = await storage.store(data, validate_photo(data), folder=FOLDER)
    assert photo.public_id.startswith(f"{FOLDER}/")
    assert (photo.format, photo.width, photo.height, photo.bytes) == ("png", 3, 2, len(data))
    url = storage.url(photo.public_id, photo.format)
    assert url == f"http://photos.test/photos/{photo.public_id}.png"
    assert storage.thumbnail_url(photo.public_id, "png") == f"{url}?w=200&h=200&c=fill"

    app = FastAPI()
    app.router.routes.extend(photo_routes(storage))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://photos.test"
    ) as http:
        served = await http.get(url)
        assert served.status_code == 200
        assert served.content == data
        assert served.headers["content-type"] == "image/png"
        assert served.headers["x-content-type-options"] == "nosniff"
        for probe in ("/photos/../../etc/passwd", "/photos/taskforge/x.txt", "/photos/nope.png"):
            assert (await http.get(probe)).status_code == 404
        await storage.delete(photo.public_id)
        assert (await http.get(url)).status_code == 404
    assert await storage.describe(photo.public_id) is None


async def test_local_storage_has_no_direct_uploads(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, "http://photos.test")
    with pytest.raises(BadUserInput):
        storage.sign_upload(FOLDER, 60)
    assert not storage.verify_upload_signature("taskforge/groups/g1/x", 1, "sig")


@pytest.fixture
def standin() -> Iterator[CloudinaryStandIn]:
    with cloudinary_standin() as running:
        yield running


async def test_cloudinary_upload_urls_and_delete_through_the_sdk(
    standin: CloudinaryStandIn,
) -> None:
    storage = CloudinaryStorage.from_url(standin.url)
    data = jpeg_bytes()
    photo = await storage.store(data, validate_photo(data), folder=FOLDER)
    assert photo.public_id.startswith(f"{FOLDER}/")
    assert (photo.format, photo.width, photo.height, photo.bytes) == ("jpeg", 16, 8, len(data))
    assert standin.assets[photo.public_id]["data"] == data
    resized = storage.url(photo.public_id, photo.format, width=120, height=80, crop="fill")
    assert resized.startswith(f"https://res.cloudinary.com/{standin.cloud_name}/image/upload/")
    assert "c_fill,h_80,w_120" in resized and resized.endswith(f"{photo.public_id}.jpg")
    assert "c_fill,h_200,w_200" in storage.thumbnail_url(photo.public_id, photo.format)
    assert await storage.describe(photo.public_id) == photo
    await storage.delete(photo.public_id)
    assert standin.assets == {}
    assert await storage.describe(photo.public_id) is None


async def test_cloudinary_refuses_a_wrong_secret(standin: CloudinaryStandIn) -> None:
    storage = CloudinaryStorage.from_url(standin.url.replace(standin.api_secret, "wrong-secret"))
    data = jpeg_bytes()
    with pytest.raises(Exception, match="Invalid Signature"):
        await storage.store(data, validate_photo(data), folder=FOLDER)
    assert standin.assets == {}


def test_signed_upload_params_expire_early_and_verify(standin: CloudinaryStandIn) -> None:
    storage = CloudinaryStorage.from_url(standin.url)
    before = int(time.time())
    signed = storage.sign_upload(FOLDER, 120)
    timestamp = int(signed.fields["timestamp"])
    # Cloudinary accepts a timestamp for an hour: backdating it leaves exactly `expires_in`.
    assert before - SIGNATURE_MAX_AGE_SECONDS + 120 <= timestamp <= time.time()
    assert signed.upload_url == f"{standin.upload_prefix}/v1_1/{standin.cloud_name}/image/upload"
    assert standin.check_signature(signed.fields) is None
    assert standin.check_signature({**signed.fields, "folder": "taskforge/groups/other"})
    stale = storage.sign_upload(FOLDER, 120).fields | {"timestamp": str(before - 3700)}
    assert standin.check_signature(stale)


async def test_direct_upload_is_attached_only_with_cloudinarys_signature(
    standin: CloudinaryStandIn,
) -> None:
    photos = PhotoService(CloudinaryStorage.from_url(standin.url))
    status, uploaded = standin.upload(photos.sign_upload(FOLDER).fields, png_bytes())
    assert status == 200
    public_id, version = uploaded["public_id"], uploaded["version"]

    with pytest.raises(BadUserInput, match="signature"):
        async with photos.uploaded(
            public_id=public_id, version=version, signature="0" * 40, folder=FOLDER
        ):
            pass
    with pytest.raises(BadUserInput, match="not uploaded for this task"):
        async with photos.uploaded(
            public_id=public_id,
            version=version,
            signature=uploaded["signature"],
            folder="taskforge/groups/other",
        ):
            pass
    async with photos.uploaded(
        public_id=public_id, version=version, signature=uploaded["signature"], folder=FOLDER
    ) as photo:
        assert (photo.format, photo.width, photo.height) == ("png", 3, 2)
    assert public_id in standin.assets


async def test_oversized_direct_upload_is_deleted(standin: CloudinaryStandIn) -> None:
    data = jpeg_bytes()
    photos = PhotoService(CloudinaryStorage.from_url(standin.url), max_bytes=len(data) - 1)
    _, uploaded = standin.upload(photos.sign_upload(FOLDER).fields, data)
    with pytest.raises(BadUserInput, match="larger"):
        async with photos.uploaded(
            public_id=uploaded["public_id"],
            version=uploaded["version"],
            signature=uploaded["signature"],
            folder=FOLDER,
        ):
            pass
    assert standin.assets == {}


@pytest.mark.parametrize("backend_name", ["local", "cloudinary"])
async def test_a_failing_transaction_leaves_no_stored_photo(
    backend_name: str, tmp_path: Path, standin: CloudinaryStandIn
) -> None:
    storage = (
        LocalStorage(tmp_path, "http://photos.test")
        if backend_name == "local"
        else CloudinaryStorage.from_url(standin.url)
    )
    photos = PhotoService(storage)
    stored_ids: list[str] = []
    with pytest.raises(RuntimeError, match="database said no"):
        async with photos.stored(jpeg_bytes(), folder=FOLDER) as photo:
            stored_ids.append(photo.public_id)
            assert await storage.describe(photo.public_id) is not None
            raise RuntimeError("database said no")
    assert stored_ids
    assert await storage.describe(stored_ids[0]) is None
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert standin.assets == {}


async def test_a_rejected_upload_never_reaches_the_storage(tmp_path: Path) -> None:
    photos = PhotoService(LocalStorage(tmp_path, "http://photos.test"), max_bytes=100)
    for data in (b"hello, I am text", jpeg_bytes(64, 64) + b"\x00" * 100):
        with pytest.raises(BadUserInput):
            async with photos.stored(data, folder=FOLDER):
                pass
    assert list(tmp_path.rglob("*")) == []


def test_cloudinary_url_in_the_environment_selects_cloudinary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CLOUDINARY_URL", raising=False)
    monkeypatch.setenv("TASKFORGE_PHOTO_MAX_BYTES", "2048")
    local = create_photo_service(data_dir=tmp_path, default_base_url="http://127.0.0.1:4003")
    assert isinstance(local.storage, LocalStorage)
    assert local.storage.directory == tmp_path / "photos"
    assert local.storage.base_url == "http://127.0.0.1:4003"
    assert local.max_bytes == 2048

    monkeypatch.setenv("CLOUDINARY_URL", "cloudinary://key:secret@demo-cloud")
    remote = create_photo_service(data_dir=tmp_path, default_base_url="http://unused")
    assert isinstance(remote.storage, CloudinaryStorage)
    assert remote.storage.options["cloud_name"] == "demo-cloud"
    assert remote.storage.url("a/b", "png").startswith("https://res.cloudinary.com/demo-cloud/")
    assert PhotoSettings().photo_max_bytes == 2048
    with pytest.raises(ValueError):
        CloudinaryStorage.from_url("https://key:secret@demo-cloud")
