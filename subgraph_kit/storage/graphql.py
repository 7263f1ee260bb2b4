"""The GraphQL `Photo` fields every subgraph with photos shares (a @shareable value type)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from subgraph_kit.errors import BadUserInput
from subgraph_kit.storage.base import PhotoStorage

__all__ = ["MAX_VARIANT_SIZE", "PhotoCrop", "PhotoFields"]

MAX_VARIANT_SIZE = 4000


@strawberry.enum(description="How a resized photo fits the requested box.")
class PhotoCrop(Enum):
    FILL = "fill"
    FIT = "fit"
    LIMIT = "limit"
    PAD = "pad"
    SCALE = "scale"
    THUMB = "thumb"


def _check_size(name: str, value: int | None) -> None:
    if value is not None and not 1 <= value <= MAX_VARIANT_SIZE:
        raise BadUserInput(f"{name} must be between 1 and {MAX_VARIANT_SIZE}", argument=name)


@strawberry.type
class PhotoFields:
    """Base of each subgraph's `Photo`; subclasses add `uploadedBy` with their own User type."""

    id: strawberry.ID
    width: int
    height: int
    format: str = strawberry.field(description="jpeg, png, webp or gif")
    bytes: int
    caption: str | None
    created_at: datetime
    public_id: strawberry.Private[str]
    storage: strawberry.Private[PhotoStorage]

    @strawberry.field(description="The photo, resized and cropped when sizes are given.")
    def url(
        self, width: int | None = None, height: int | None = None, crop: PhotoCrop | None = None
    ) -> str:
        _check_size("width", width)
        _check_size("height", height)
        return self.storage.url(
            self.public_id,
            self.format,
            width=width,
            height=height,
            crop=crop.value if crop else None,
        )

    @strawberry.field(description="A small square variant for lists.")
    def thumbnail(self) -> str:
        return self.storage.thumbnail_url(self.public_id, self.format)
