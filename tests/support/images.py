"""Tiny but real image files built in code: a baseline JPEG encoder, PNG, GIF and WebP bytes."""

from __future__ import annotations

import base64
import struct
import zlib

__all__ = ["gif_bytes", "jpeg_bytes", "png_bytes", "webp_bytes"]

# The standard luminance DC Huffman table (ITU T.81 Annex K.3): code lengths per category.
_DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
_DC_VALUES = list(range(12))
# AC table with a single 1-bit code for end-of-block: every block is flat.
_AC_BITS = [1] + [0] * 15
_AC_VALUES = [0x00]


def _huffman_codes(bits: list[int], values: list[int]) -> dict[int, tuple[int, int]]:
    codes: dict[int, tuple[int, int]] = {}
    code, index = 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[values[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.buffer = 0
        self.count = 0

    def write(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self.buffer = (self.buffer << 1) | ((value >> shift) & 1)
            self.count += 1
            if self.count == 8:
                self._emit()

    def _emit(self) -> None:
        self.out.append(self.buffer)
        if self.buffer == 0xFF:
            self.out.append(0x00)
        self.buffer, self.count = 0, 0

    def flush(self) -> bytes:
        if self.count:
            self.write((1 << (8 - self.count)) - 1, 8 - self.count)
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg_bytes(width: int = 16, height: int = 8, grey: int = 200) -> bytes:
    """A baseline greyscale JPEG of one flat colour that any decoder reads."""
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALUES)
    ac_codes = _huffman_codes(_AC_BITS, _AC_VALUES)
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    writer = _BitWriter()
    previous = 0
    for _ in range(blocks):
        dc = (grey - 128) * 8
        diff, previous = dc - previous, dc
        category = abs(diff).bit_length()
        writer.write(*dc_codes[category])
        if category:
            writer.write(diff if diff > 0 else diff + (1 << category) - 1, category)
        writer.write(*ac_codes[0x00])
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xDB, b"\x00" + b"\x01" * 64),
            _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
            _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALUES)),
            _segment(0xC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALUES)),
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            writer.flush(),
            b"\xff\xd9",
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int = 3, height: int = 2) -> bytes:
    """An RGB PNG of a red gradient."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 80 % 256, 0, 0)) for x in range(width)) for _ in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows)),
            _png_chunk(b"IEND", b""),
        ]
    )


def gif_bytes() -> bytes:
    """A 1x1 transparent GIF89a."""
    return base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def webp_bytes() -> bytes:
    """A 1x1 lossless WebP."""
    return base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
