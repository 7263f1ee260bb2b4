"""The photo storage interface every backend implements, and the records passed between stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from subgraph_kit.storage.images import ImageInfo

__all__ = ["THUMBNAIL_SIZE", "Crop", "PhotoStorage", "SignedUpload", "StoredPhoto"]

THUMBNAIL_SIZE = 200

Crop = str


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    """An image held by a storage backend, addressed by its public id."""

    public_id: str
    format: str
    width: int
    height: int
    bytes: int
    version: int | None = None


@dataclass(frozen=True, slots=True)
class SignedUpload:
    """Parameters a client posts with its file straight to the storage's upload API."""

    upload_url: str
    fields: dict[str, str]
    expires_at: datetime


class PhotoStorage(Protocol):
    """Where photo bytes live; URLs and variants are derived from the public id."""

    name: str

    async def store(self, data: bytes, image: ImageInfo, *, folder: str) -> StoredPhoto:
        """Save validated bytes under `folder`; the public id is chosen by the storage."""
        ...

    async def delete(self, public_id: str) -> None:
        """Remove the object; deleting a missing object is not an error."""
        ...

    def url(
        self,
        public_id: str,
        image_format: str,
        *,
        width: int | None = None,
        height: int | None = None,
        crop: Crop | None = None,
    ) -> str: ...

    def thumbnail_url(self, public_id: str, image_format: str) -> str: ...

    def sign_upload(self, folder: str, expires_in: int) -> SignedUpload:
        """Signed direct-upload parameters; raises BadUserInput when the backend has none."""
        ...

    def verify_upload_signature(self, public_id: str, version: int, signature: str) -> bool: ...

    async def describe(self, public_id: str) -> StoredPhoto | None:
        """What the storage knows about an uploaded object, or None when it does not exist."""
        ...
