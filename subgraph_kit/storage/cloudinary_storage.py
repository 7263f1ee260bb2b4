"""Photo storage on Cloudinary through its SDK, configured by a CLOUDINARY_URL."""

from __future__ import annotations

import asyncio
import hmac
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils

from subgraph_kit.storage.base import THUMBNAIL_SIZE, Crop, SignedUpload, StoredPhoto
from subgraph_kit.storage.images import ImageInfo

__all__ = ["SIGNATURE_MAX_AGE_SECONDS", "CloudinaryStorage"]

# Cloudinary refuses upload signatures whose timestamp is older than one hour.
SIGNATURE_MAX_AGE_SECONDS = 3600
_CLOUDINARY_FORMATS = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}
_FORMATS_FROM_CLOUDINARY = {value: key for key, value in _CLOUDINARY_FORMATS.items()}


class CloudinaryStorage:
    """Uploads, deletes and delivery URLs through the real `cloudinary` SDK.

    Every SDK call gets this instance's credentials explicitly, so several configurations can
    live in one process without touching the SDK's global config.
    """

    name = "cloudinary"

    def __init__(self, options: dict[str, Any]) -> None:
        for required in ("cloud_name", "api_key", "api_secret"):
            if not options.get(required):
                raise ValueError(f"Cloudinary configuration lacks {required}")
        self.options = {"secure": True, **options}

    @classmethod
    def from_url(cls, url: str) -> CloudinaryStorage:
        """From `cloudinary://<api_key>:<api_secret>@<cloud_name>?<option>=<value>...`."""
        parts = urlsplit(url)
        if parts.scheme != "cloudinary":
            raise ValueError("CLOUDINARY_URL must start with cloudinary://")
        options: dict[str, Any] = {
            "cloud_name": parts.hostname,
            "api_key": unquote(parts.username or ""),
            "api_secret": unquote(parts.password or ""),
        }
        options.update(parse_qsl(parts.query))
        return cls(options)

    @property
    def _secret(self) -> str:
        return str(self.options["api_secret"])

    async def store(self, data: bytes, image: ImageInfo, *, folder: str) -> StoredPhoto:
        result = await asyncio.to_thread(
            cloudinary.uploader.upload,
            (f"upload.{image.extension}", data),
            folder=folder.strip("/"),
            resource_type="image",
            allowed_formats=list(_CLOUDINARY_FORMATS.values()),
            unique_filename=True,
            overwrite=False,
            **self.options,
        )
        return _stored(result)

    async def delete(self, public_id: str) -> None:
        await asyncio.to_thread(
            cloudinary.uploader.destroy, public_id, resource_type="image", **self.options
        )

    def url(
        self,
        public_id: str,
        image_format: str,
        *,
        width: int | None = None,
        height: int | None = None,
        crop: Crop | None = None,
    ) -> str:
        transformation = {
            key: value
            for key, value in (("width", width), ("height", height), ("crop", crop))
            if value
        }
        url, _ = cloudinary.utils.cloudinary_url(
            public_id,
            format=_CLOUDINARY_FORMATS.get(image_format, image_format),
            resource_type="image",
            **transformation,
            **self.options,
        )
        return str(url)

    def thumbnail_url(self, public_id: str, image_format: str) -> str:
        return self.url(
            public_id, image_format, width=THUMBNAIL_SIZE, height=THUMBNAIL_SIZE, crop="fill"
        )

    def sign_upload(self, folder: str, expires_in: int) -> SignedUpload:
        """Signed params for POST <upload_url>; the backdated timestamp makes them expire early."""
        expires_in = max(1, min(expires_in, SIGNATURE_MAX_AGE_SECONDS))
        now = int(time.time())
        params: dict[str, Any] = {
            "timestamp": now - (SIGNATURE_MAX_AGE_SECONDS - expires_in),
            "folder": folder.strip("/"),
            "allowed_formats": ",".join(_CLOUDINARY_FORMATS.values()),
        }
        params["signature"] = cloudinary.utils.api_sign_request(params, self._secret)
        params["api_key"] = self.options["api_key"]
        upload_url = cloudinary.utils.cloudinary_api_url("upload", **self.options)
        return SignedUpload(
            upload_url=str(upload_url),
            fields={key: str(value) for key, value in params.items()},
            expires_at=datetime.fromtimestamp(now + expires_in, UTC),
        )

    def verify_upload_signature(self, public_id: str, version: int, signature: str) -> bool:
        """Cloudinary signs its upload response over public_id and version with the API secret."""
        expected = cloudinary.utils.api_sign_request(
            {"public_id": public_id, "version": version}, self._secret, signature_version=1
        )
        return hmac.compare_digest(str(expected), signature)

    async def describe(self, public_id: str) -> StoredPhoto | None:
        try:
            result = await asyncio.to_thread(
                cloudinary.api.resource, public_id, resource_type="image", **self.options
            )
        except cloudinary.exceptions.NotFound:
            return None
        return _stored(result)


def _stored(result: dict[str, Any]) -> StoredPhoto:
    fmt = str(result["format"])
    return StoredPhoto(
        public_id=str(result["public_id"]),
        format=_FORMATS_FROM_CLOUDINARY.get(fmt, fmt),
        width=int(result["width"]),
        height=int(result["height"]),
        bytes=int(result["bytes"]),
        version=int(result["version"]) if result.get("version") is not None else None,
    )
