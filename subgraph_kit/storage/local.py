"""Photo storage in a local directory, served over HTTP by the service that stores the files."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from urllib.parse import urlencode

from subgraph_kit.errors import BadUserInput
from subgraph_kit.storage.base import THUMBNAIL_SIZE, Crop, SignedUpload, StoredPhoto
from subgraph_kit.storage.images import ImageInfo, sniff_image

__all__ = ["PHOTO_ROUTE_PREFIX", "LocalStorage"]

PHOTO_ROUTE_PREFIX = "/photos"
_SAFE_PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
_EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}


class LocalStorage:
    """Files under `directory/<public_id>.<ext>`; URLs are `<base_url>/photos/<public_id>.<ext>`.

    A directory has no image processing, so sizes and crops in URLs are display hints only.
    """

    name = "local"

    def __init__(self, directory: Path, base_url: str) -> None:
        self.directory = directory
        self.base_url = base_url.rstrip("/")

    def path_of(self, public_id: str, image_format: str) -> Path:
        if not _SAFE_PUBLIC_ID.match(public_id):
            raise ValueError(f"unsafe public id {public_id!r}")
        return self.directory / f"{public_id}.{_EXTENSIONS[image_format]}"

    async def store(self, data: bytes, image: ImageInfo, *, folder: str) -> StoredPhoto:
        public_id = f"{folder.strip('/')}/{uuid.uuid4().hex}"
        path = self.path_of(public_id, image.format)
        await asyncio.to_thread(_write_atomically, path, data)
        return StoredPhoto(public_id, image.format, image.width, image.height, image.bytes)

    async def delete(self, public_id: str) -> None:
        for image_format in _EXTENSIONS:
            self.path_of(public_id, image_format).unlink(missing_ok=True)

    def url(
        self,
        public_id: str,
        image_format: str,
        *,
        width: int | None = None,
        height: int | None = None,
        crop: Crop | None = None,
    ) -> str:
        path = f"{self.base_url}{PHOTO_ROUTE_PREFIX}/{public_id}.{_EXTENSIONS[image_format]}"
        hints = {key: value for key, value in (("w", width), ("h", height), ("c", crop)) if value}
        return f"{path}?{urlencode(hints)}" if hints else path

    def thumbnail_url(self, public_id: str, image_format: str) -> str:
        return self.url(
            public_id, image_format, width=THUMBNAIL_SIZE, height=THUMBNAIL_SIZE, crop="fill"
        )

    def sign_upload(self, folder: str, expires_in: int) -> SignedUpload:
        raise BadUserInput("direct uploads need Cloudinary storage; upload the file instead")

    def verify_upload_signature(self, public_id: str, version: int, signature: str) -> bool:
        return False

    async def describe(self, public_id: str) -> StoredPhoto | None:
        for image_format in _EXTENSIONS:
            path = self.path_of(public_id, image_format)
            if path.is_file():
                image = sniff_image(await asyncio.to_thread(path.read_bytes))
                if image is not None:
                    return StoredPhoto(
                        public_id, image.format, image.width, image.height, image.bytes
                    )
        return None

    def file_for_request(self, relative: str) -> Path | None:
        """The file a GET /photos/<relative> asks for, if it is a stored photo."""
        stem, _, extension = relative.rpartition(".")
        if not _SAFE_PUBLIC_ID.match(stem) or extension not in _EXTENSIONS.values():
            return None
        path = self.directory / relative
        return path if path.is_file() else None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)
