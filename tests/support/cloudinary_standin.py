"""A local stand-in for Cloudinary's upload and admin APIs that checks request signatures.

It answers the real `cloudinary` SDK (pointed at it with the `upload_prefix` option) the way
Cloudinary does: POST /v1_1/<cloud>/image/upload and /destroy with signed form fields, and
GET /v1_1/<cloud>/resources/image/upload/<public_id> with HTTP basic auth.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cloudinary.utils

from subgraph_kit.storage.images import sniff_image

__all__ = ["CloudinaryStandIn", "cloudinary_standin"]

_UNSIGNED_FIELDS = {"file", "api_key", "signature", "resource_type", "cloud_name"}
_FORMATS = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}


@dataclass
class CloudinaryStandIn:
    """What the stand-in holds: its credentials and the uploaded assets by public id."""

    cloud_name: str = "taskforge-test"
    api_key: str = "123456789012345"
    api_secret: str = "stand-in-secret"
    port: int = 0
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    @property
    def upload_prefix(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The CLOUDINARY_URL that points the SDK at this stand-in."""
        return (
            f"cloudinary://{self.api_key}:{self.api_secret}@{self.cloud_name}"
            f"?upload_prefix={self.upload_prefix}"
        )

    def check_signature(self, fields: dict[str, str]) -> str | None:
        """Cloudinary's rules: right key, fresh timestamp, signature over the other fields."""
        if fields.get("api_key") != self.api_key:
            return "Invalid api_key"
        timestamp = fields.get("timestamp", "")
        if not timestamp.isdigit() or int(timestamp) < time.time() - 3600:
            return "Stale request - reported time is older than 1 hours"
        to_sign = {key: value for key, value in fields.items() if key not in _UNSIGNED_FIELDS}
        expected = cloudinary.utils.api_sign_request(to_sign, self.api_secret)
        if fields.get("signature") != expected:
            return "Invalid Signature"
        return None

    def upload(self, fields: dict[str, str], data: bytes) -> tuple[int, dict[str, Any]]:
        image = sniff_image(data)
        if image is None:
            return 400, {"error": {"message": "Invalid image file"}}
        extension = _FORMATS[image.format]
        allowed = fields.get("allowed_formats")
        if allowed and extension not in allowed.split(","):
            return 400, {"error": {"message": f"Image file format {extension} not allowed"}}
        name = fields.get("public_id") or uuid.uuid4().hex[:20]
        folder = fields.get("folder", "").strip("/")
        public_id = f"{folder}/{name}" if folder else name
        version = int(time.time())
        asset = {
            "asset_id": uuid.uuid4().hex,
            "public_id": public_id,
            "version": version,
            "signature": cloudinary.utils.api_sign_request(
                {"public_id": public_id, "version": version}, self.api_secret, signature_version=1
            ),
            "width": image.width,
            "height": image.height,
            "format": extension,
            "resource_type": "image",
            "type": "upload",
            "bytes": image.bytes,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "url": f"http://res.cloudinary.com/{self.cloud_name}/image/upload/v{version}/"
            f"{public_id}.{extension}",
            "secure_url": f"https://res.cloudinary.com/{self.cloud_name}/image/upload/"
            f"v{version}/{public_id}.{extension}",
            "data": data,
        }
        self.assets[public_id] = asset
        return 200, _public(asset)


def _public(asset: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in asset.items() if key != "data"}


def _form_fields(content_type: str, body: bytes) -> tuple[dict[str, str], bytes]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, str] = {}
    data = b""
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if name == "file":
            data = payload
        elif isinstance(name, str):
            fields[name] = payload.decode()
    return fields, data


def _handler(standin: CloudinaryStandIn) -> type[BaseHTTPRequestHandler]:
    prefix = f"/v1_1/{standin.cloud_name}/"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            fields, data = _form_fields(self.headers["Content-Type"], self.rfile.read(length))
            problem = standin.check_signature(fields)
            if problem:
                standin.refused.append(problem)
                self._reply(401, {"error": {"message": problem}})
                return
            if self.path == f"{prefix}image/upload":
                self._reply(*standin.upload(fields, data))
            elif self.path == f"{prefix}image/destroy":
                found = standin.assets.pop(fields.get("public_id", ""), None)
                self._reply(200, {"result": "ok" if found else "not found"})
            else:
                self._reply(404, {"error": {"message": "unknown endpoint"}})

        def do_GET(self) -> None:
            expected = base64.b64encode(f"{standin.api_key}:{standin.api_secret}".encode())
            if self.headers.get("Authorization") != f"Basic {expected.decode()}":
                self._reply(401, {"error": {"message": "Invalid credentials"}})
                return
            resources = f"{prefix}resources/image/upload/"
            public_id = self.path.split("?")[0].removeprefix(resources)
            asset = standin.assets.get(public_id) if self.path.startswith(resources) else None
            if asset is None:
                self._reply(404, {"error": {"message": f"Resource not found - {public_id}"}})
                return
            self._reply(200, _public(asset))

    return Handler


@contextmanager
def cloudinary_standin() -> Iterator[CloudinaryStandIn]:
    """Serve a stand-in on an ephemeral 127.0.0.1 port for the duration of the block."""
    standin = CloudinaryStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    standin.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
