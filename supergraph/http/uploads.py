"""The GraphQL multipart request spec at the router: files spooled, limited, put into variables."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Receive

from supergraph.edge.settings import RouterSettings

__all__ = ["UploadRefused", "read_multipart"]


class UploadRefused(Exception):
    """A multipart request the router will not accept."""

    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def _too_large(what: str, limit: int) -> UploadRefused:
    return UploadRefused(f"{what} exceeds {limit} bytes", 413, "PAYLOAD_TOO_LARGE")


async def read_multipart(
    request: Request, settings: RouterSettings
) -> tuple[dict[str, Any], FormData]:
    """The operation with each mapped file in its variables, and the form to close afterwards."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.upload_max_total_bytes:
        raise _too_large("the request body", settings.upload_max_total_bytes)
    limit = settings.upload_max_total_bytes + settings.max_body_bytes
    limited = Request(request.scope, _limited_receive(request.receive, limit))
    try:
        form = await limited.form(
            max_files=settings.upload_max_files,
            max_fields=10,
            max_part_size=settings.max_body_bytes,
        )
    except MultiPartException as error:
        raise UploadRefused(error.message) from None
    try:
        return _operation(form, settings), form
    except UploadRefused:
        await form.close()
        raise


def _limited_receive(receive: Receive, limit: int) -> Receive:
    """``receive`` that refuses a body growing past ``limit`` while it streams in (chunked)."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _too_large("the request body", limit)
        return message

    return limited


def _operation(form: FormData, settings: RouterSettings) -> dict[str, Any]:
    operations = _json_field(form, "operations")
    mapping = _json_field(form, "map")
    if not isinstance(operations, dict):
        raise UploadRefused(
            "'operations' must be a JSON object (batched uploads are not supported)"
        )
    if not isinstance(mapping, dict):
        raise UploadRefused("'map' must be a JSON object")
    total = 0
    for key, paths in mapping.items():
        upload = form.get(key)
        if not isinstance(upload, UploadFile):
            raise UploadRefused(f"'map' names file {key!r} but no such file part was sent")
        size = upload.size or 0
        if size > settings.upload_max_file_bytes:
            raise _too_large(f"file {upload.filename!r}", settings.upload_max_file_bytes)
        total += size
        if not isinstance(paths, list) or not paths:
            raise UploadRefused(f"'map' entry {key!r} must be a non-empty list of paths")
        for path in paths:
            _place(operations, str(path), upload)
    if total > settings.upload_max_total_bytes:
        raise _too_large("the uploaded files", settings.upload_max_total_bytes)
    return operations


def _json_field(form: FormData, name: str) -> Any:
    raw = form.get(name)
    if not isinstance(raw, str):
        raise UploadRefused(f"the multipart request has no '{name}' field")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise UploadRefused(f"'{name}' is not valid JSON") from None


def _place(operations: dict[str, Any], path: str, upload: UploadFile) -> None:
    """Put ``upload`` at a ``variables.a.0.b`` path, where the client sent null."""
    segments = path.split(".")
    if segments[0] != "variables" or len(segments) < 2:
        raise UploadRefused(f"file path {path!r} must point into 'variables'")
    container: Any = operations
    for segment in segments[:-1]:
        container = _child(container, segment, path)
    last = segments[-1]
    if isinstance(container, list) and last.isdigit() and int(last) < len(container):
        container[int(last)] = upload
    elif isinstance(container, dict):
        container[last] = upload
    else:
        raise UploadRefused(f"file path {path!r} does not match the variables")


def _child(container: Any, segment: str, path: str) -> Any:
    if isinstance(container, dict) and isinstance(container.get(segment), dict | list):
        return container[segment]
    if isinstance(container, list) and segment.isdigit() and int(segment) < len(container):
        return container[int(segment)]
    raise UploadRefused(f"file path {path!r} does not match the variables")
