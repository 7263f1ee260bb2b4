"""The edge's JWT verifier: one pinned algorithm, issuer and audience, keys from its settings.

The router only verifies access tokens; whoever issues them (an identity service) signs with
the same algorithm, issuer, audience and key. Environment: TASKFORGE_JWT_ALGORITHM,
TASKFORGE_JWT_SECRET (HS*), TASKFORGE_JWT_PUBLIC_KEY (RS256/ES256/EdDSA), TASKFORGE_JWT_ISSUER,
TASKFORGE_JWT_AUDIENCE, TASKFORGE_JWT_LEEWAY_SECONDS.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from pydantic_settings import BaseSettings, SettingsConfigDict

from supergraph.errors import ErrorCode

__all__ = [
    "Claims",
    "JwtSettings",
    "RevocationCheck",
    "TokenRejected",
    "TokenVerifier",
    "bearer_token",
]

SYMMETRIC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
Algorithm = Literal["HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"]


@dataclass(frozen=True, slots=True)
class Claims:
    """The verified identity of a request."""

    user_id: str
    role: str
    token_id: str
    scopes: tuple[str, ...] = ()
    issued_at: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == "ADMIN"


# Whether a verified token was revoked since it was issued (logout, role change, ...).
RevocationCheck = Callable[[Claims], Awaitable[bool]]


class TokenRejected(Exception):
    """A missing, malformed, forged, expired or revoked token; safe to show the client."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": ErrorCode.UNAUTHENTICATED, "reason": self.reason}


class JwtSettings(BaseSettings):
    """How access tokens are verified. Without a secret or public key nothing is verified."""

    model_config = SettingsConfigDict(env_prefix="TASKFORGE_JWT_", extra="ignore")

    algorithm: Algorithm = "HS256"
    secret: str | None = None
    public_key: str | None = None
    issuer: str = "taskforge"
    audience: str = "taskforge-api"
    leeway_seconds: int = 10

    @property
    def verifying_key(self) -> str | None:
        return self.secret if self.algorithm in SYMMETRIC_ALGORITHMS else self.public_key


class TokenVerifier:
    """Verify signature, algorithm, issuer, audience, expiry and the claims Taskforge needs."""

    def __init__(self, settings: JwtSettings) -> None:
        key = settings.verifying_key
        if not key:
            needed = "SECRET" if settings.algorithm in SYMMETRIC_ALGORITHMS else "PUBLIC_KEY"
            raise ValueError(f"{settings.algorithm} needs TASKFORGE_JWT_{needed}")
        self.algorithm = settings.algorithm
        self.issuer = settings.issuer
        self.audience = settings.audience
        self.leeway = settings.leeway_seconds
        self._key = key

    @classmethod
    def from_environment(cls) -> TokenVerifier | None:
        """A verifier from TASKFORGE_JWT_*, or None when no key is configured."""
        settings = JwtSettings()
        return cls(settings) if settings.verifying_key else None

    def verify(self, token: str) -> Claims:
        """The token's claims; raise :class:`TokenRejected` for anything else."""
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["sub", "exp", "iat", "iss", "aud", "jti"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenRejected("access token expired", "TOKEN_EXPIRED") from error
        except jwt.PyJWTError as error:
            raise TokenRejected("invalid access token", "TOKEN_INVALID") from error
        return _claims(payload)


def _claims(payload: dict[str, Any]) -> Claims:
    subject, role, token_id = payload["sub"], payload.get("role"), payload["jti"]
    issued_at = payload["iat"]
    if (
        not isinstance(subject, str)
        or role not in {"ADMIN", "USER"}
        or not isinstance(token_id, str)
        or not isinstance(issued_at, int | float)
    ):
        raise TokenRejected("invalid access token", "TOKEN_INVALID")
    scopes = tuple(str(payload.get("scope", "")).split())
    return Claims(subject, role, token_id, scopes, int(issued_at))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when absent."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("Authorization header must be 'Bearer <token>'", "TOKEN_INVALID")
    return token.strip()
