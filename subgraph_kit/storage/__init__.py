"""Photo storage shared by the subgraphs: a local directory or Cloudinary, and upload checks."""

from subgraph_kit.storage.base import PhotoStorage, SignedUpload, StoredPhoto
from subgraph_kit.storage.cloudinary_storage import CloudinaryStorage
from subgraph_kit.storage.images import (
    ALLOWED_FORMATS,
    DEFAULT_MAX_PHOTO_BYTES,
    ImageInfo,
    sniff_image,
    validate_photo,
)
from subgraph_kit.storage.local import LocalStorage
from subgraph_kit.storage.photos import (
    PHOTOS_EXTRA,
    PhotoInUse,
    PhotoService,
    PhotoSettings,
    create_photo_service,
    install_photo_service,
    photo_routes,
)

__all__ = [
    "ALLOWED_FORMATS",
    "DEFAULT_MAX_PHOTO_BYTES",
    "PHOTOS_EXTRA",
    "CloudinaryStorage",
    "ImageInfo",
    "LocalStorage",
    "PhotoInUse",
    "PhotoService",
    "PhotoSettings",
    "PhotoStorage",
    "SignedUpload",
    "StoredPhoto",
    "create_photo_service",
    "install_photo_service",
    "photo_routes",
    "sniff_image",
    "validate_photo",
]
