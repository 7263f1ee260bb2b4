"""Secrets have no usable defaults: services refuse to start without them; only the
single-process development mode makes its own (the JWT secret once per data directory)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from subgraph_kit.settings import CommonSettings
from supergraph.edge.tokens import SYMMETRIC_ALGORITHMS

__all__ = [
    "MissingSecret",
    "development_settings",
    "require_service_secrets",
    "with_subgraph_secret",
]

_JWT_SECRET_FILE = "jwt-secret"


class MissingSecret(Exception):
    """A service was asked to start without a secret it must not guess."""


def _has_jwt_key(common: CommonSettings) -> bool:
    if common.jwt_algorithm in SYMMETRIC_ALGORITHMS:
        return bool(common.jwt_secret)
    return bool(common.jwt_public_key)


def require_service_secrets(common: CommonSettings, *, subgraph_secret: bool = True) -> None:
    """Refuse services mode without a JWT key (and the router-to-subgraph secret)."""
    if not _has_jwt_key(common):
        needed = (
            "TASKFORGE_JWT_SECRET"
            if common.jwt_algorithm in SYMMETRIC_ALGORITHMS
            else "TASKFORGE_JWT_PUBLIC_KEY (and TASKFORGE_JWT_PRIVATE_KEY for users)"
        )
        raise MissingSecret(
            f"{needed} is not set: services mode needs the key that signs and verifies access "
            "tokens (e.g. TASKFORGE_JWT_SECRET=$(openssl rand -hex 32)); only `taskforge run` "
            "makes its own"
        )
    if subgraph_secret and not common.subgraph_secret:
        raise MissingSecret(
            "TASKFORGE_SUBGRAPH_SECRET is not set: the router and every subgraph share it so "
            "that subgraphs answer only the router (e.g. TASKFORGE_SUBGRAPH_SECRET="
            "$(openssl rand -hex 32)); `taskforge up` makes one for its own processes"
        )


def _development_jwt_secret(data_dir: Path) -> str:
    """The data directory's own random JWT secret, made on first use (mode 0600)."""
    path = data_dir / _JWT_SECRET_FILE
    if path.is_file():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")
    return secret


def development_settings(common: CommonSettings) -> CommonSettings:
    """Single-process settings: the configured JWT key, else the data directory's own."""
    if _has_jwt_key(common) or common.jwt_algorithm not in SYMMETRIC_ALGORITHMS:
        return common
    return common.model_copy(update={"jwt_secret": _development_jwt_secret(common.data_dir)})


def with_subgraph_secret(common: CommonSettings) -> CommonSettings:
    """The configured router-to-subgraph secret, else a fresh one for this process only."""
    if common.subgraph_secret:
        return common
    return common.model_copy(update={"subgraph_secret": secrets.token_urlsafe(32)})
