"""What subgraphs use for photos: settings, the configured storage, checked uploads, HTTP routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from subgraph_kit.errors import BadUserInput
from subgraph_kit.storage.base import PhotoStorage, SignedUpload, StoredPhoto
from subgraph_kit.storage.cloudinary_storage import CloudinaryStorage
from subgraph_kit.storage.images import DEFAULT_MAX_PHOTO_BYTES, validate_photo
from subgraph_kit.storage.local import PHOTO_ROUTE_PREFIX, LocalStorage

if TYPE_CHECKING:
    from subgraph_kit.runtime import ServiceRuntime

PHOTOS_EXTRA = "photos"

__all__ = [
    "PHOTOS_EXTRA",
    "PhotoInUse",
    "PhotoService",
    "PhotoSettings",
    "create_photo_service",
    "install_photo_service",
    "photo_routes",
]

log = logging.getLogger(__name__)

_READ_CHUNK = 256 * 1024


class PhotoInUse(BadUserInput):
    """The object already belongs to a record: a failure must not delete it."""


class PhotoSettings(BaseSettings):
    """TASKFORGE_PHOTO_MAX_BYTES, TASKFORGE_PHOTO_UPLOAD_EXPIRY_SECONDS, TASKFORGE_PHOTOS_BASE_URL,
    and CLOUDINARY_URL (when set, photos go to Cloudinary instead of a local directory)."""

    model_config = SettingsConfigDict(
        env_prefix="TASKFORGE_", extra="ignore", populate_by_name=True
    )

    photo_max_bytes: int = DEFAULT_MAX_PHOTO_BYTES
    photo_upload_expiry_seconds: int = 600
    photos_base_url: str | None = None
    cloudinary_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CLOUDINARY_URL", "cloudinary_url")
    )


@dataclass(frozen=True)
class PhotoService:
    """Checked uploads into one storage backend: nothing is kept from a rejected upload."""

    storage: PhotoStorage
    max_bytes: int = DEFAULT_MAX_PHOTO_BYTES
    upload_expiry_seconds: int = 600

    async def read_upload(self, upload: Any) -> bytes:
        """Read an uploaded file, stopping just past the size limit instead of buffering it all."""
        chunks: list[bytes] = []
        size = 0
        while chunk := await upload.read(_READ_CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                break
        return b"".join(chunks)

    @asynccontextmanager
    async def stored(self, upload: Any, *, folder: str) -> AsyncIterator[StoredPhoto]:
        """Validate and store an upload; if the block raises, the stored object is deleted."""
        data = upload if isinstance(upload, bytes) else await self.read_upload(upload)
        image = validate_photo(data, max_bytes=self.max_bytes)
        photo = await self.storage.store(data, image, folder=folder)
        try:
            yield photo
        except BaseException:
            await self.discard(photo.public_id)
            raise

    def sign_upload(self, folder: str) -> SignedUpload:
        return self.storage.sign_upload(folder, self.upload_expiry_seconds)

    @asynccontextmanager
    async def uploaded(
        self, *, public_id: str, version: int, signature: str, folder: str
    ) -> AsyncIterator[StoredPhoto]:
        """A directly uploaded photo, once its signature, folder, format and size check out.

        An object that is genuinely ours but unacceptable is deleted; if the block raises, too.
        """
        if not self.storage.verify_upload_signature(public_id, version, signature):
            raise BadUserInput("upload signature is invalid", field="signature")
        if not public_id.startswith(f"{folder.strip('/')}/"):
            raise BadUserInput("the photo was not uploaded for this task", field="publicId")
        photo = await self.storage.describe(public_id)
        if photo is None or (photo.version is not None and photo.version != version):
            raise BadUserInput("no such uploaded photo", field="publicId")
        try:
            _check_stored(photo, self.max_bytes)
            yield photo
        except PhotoInUse:
            raise
        except BaseException:
            await self.discard(public_id)
            raise

    async def discard(self, public_id: str) -> None:
        """Delete an object; a failure is logged, since the caller's own error matters more."""
        try:
            await self.storage.delete(public_id)
        except Exception:
            log.exception("could not delete photo %s from %s", public_id, self.storage.name)


def _check_stored(photo: StoredPhoto, max_bytes: int) -> None:
    if photo.format not in {"jpeg", "png", "webp", "gif"}:
        raise BadUserInput("photo must be a JPEG, PNG, WebP or GIF image", reason="NOT_AN_IMAGE")
    if photo.bytes > max_bytes:
        raise BadUserInput(f"photo is larger than {max_bytes} bytes", reason="TOO_LARGE")


def create_photo_service(
    *, data_dir: Path, default_base_url: str, settings: PhotoSettings | None = None
) -> PhotoService:
    """Cloudinary when CLOUDINARY_URL is set, else files under `<data_dir>/photos`."""
    settings = settings or PhotoSettings()
    storage: PhotoStorage
    if settings.cloudinary_url:
        storage = CloudinaryStorage.from_url(settings.cloudinary_url)
    else:
        base_url = settings.photos_base_url or default_base_url
        storage = LocalStorage(data_dir / "photos", base_url)
    return PhotoService(
        storage=storage,
        max_bytes=settings.photo_max_bytes,
        upload_expiry_seconds=settings.photo_upload_expiry_seconds,
    )


def install_photo_service(
    runtime: ServiceRuntime, photos: PhotoService | None = None
) -> PhotoService:
    """Give `runtime` its photo service (`photos`, or one chosen from the environment)."""
    settings = runtime.settings
    service = photos or create_photo_service(
        data_dir=runtime.common.data_dir,
        default_base_url=f"http://{settings.host}:{settings.port}",
    )
    runtime.extras[PHOTOS_EXTRA] = service
    return service


def photo_routes(storage: PhotoStorage) -> list[BaseRoute]:
    """GET /photos/<public_id>.<ext> for a local directory; nothing for a CDN-backed storage."""
    if not isinstance(storage, LocalStorage):
        return []

    async def serve(request: Request) -> Response:
        path = storage.file_for_request(request.path_params["path"])
        if path is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(
            path,
            headers={
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "public, max-age=31536000, immutable",
            },
        )

    return [Route(f"{PHOTO_ROUTE_PREFIX}/{{path:path}}", serve, methods=["GET", "HEAD"])]
