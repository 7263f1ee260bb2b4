"""Upload validation: sniff the image format from its bytes and read its size from the header."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from subgraph_kit.errors import BadUserInput

__all__ = [
    "ALLOWED_FORMATS",
    "DEFAULT_MAX_PHOTO_BYTES",
    "ImageInfo",
    "sniff_image",
    "validate_photo",
]

DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 100_000_000
ALLOWED_FORMATS = ("jpeg", "png", "webp", "gif")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# SOF markers carry the frame size; C4 (DHT), C8 (JPG extension) and CC (DAC) share the range.
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the bytes of an accepted image are: format, pixel size, byte size."""

    format: str
    width: int
    height: int
    bytes: int

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "jpeg" else self.format

    @property
    def mime_type(self) -> str:
        return f"image/{self.format}"


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _JPEG_SOF:
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        if length < 2:
            return None
        position += 2 + length
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _gif_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


def _webp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def _sniff(data: bytes) -> tuple[str, tuple[int, int] | None] | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", _jpeg_size(data)
    if data.startswith(_PNG_SIGNATURE):
        return "png", _png_size(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", _gif_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", _webp_size(data)
    return None


def sniff_image(data: bytes) -> ImageInfo | None:
    """The image the bytes hold (JPEG, PNG, WebP or GIF with a readable size), else None."""
    found = _sniff(data)
    if found is None:
        return None
    image_format, size = found
    if size is None:
        return None
    width, height = size
    if width <= 0 or height <= 0:
        return None
    return ImageInfo(format=image_format, width=width, height=height, bytes=len(data))


def validate_photo(data: bytes, *, max_bytes: int = DEFAULT_MAX_PHOTO_BYTES) -> ImageInfo:
    """Accept a JPEG, PNG, WebP or GIF of at most `max_bytes`; anything else is BAD_USER_INPUT."""
    if len(data) > max_bytes:
        raise BadUserInput(
            f"photo is larger than {max_bytes} bytes", field="file", reason="TOO_LARGE"
        )
    if not data:
        raise BadUserInput("photo is empty", field="file", reason="NOT_AN_IMAGE")
    image = sniff_image(data)
    if image is None:
        raise BadUserInput(
            "photo must be a JPEG, PNG, WebP or GIF image", field="file", reason="NOT_AN_IMAGE"
        )
    if image.width * image.height > MAX_PIXELS:
        raise BadUserInput(
            f"photo has more than {MAX_PIXELS} pixels", field="file", reason="TOO_LARGE"
        )
    return image
