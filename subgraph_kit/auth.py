"""JWT access tokens: issuing (users subgraph) and verifying (every service and the router)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from subgraph_kit.db import utcnow
from subgraph_kit.errors import Unauthenticated
from subgraph_kit.settings import CommonSettings

__all__ = ["Claims", "TokenService", "bearer_token"]

_SYMMETRIC = {"HS256", "HS384", "HS512"}


@dataclass(frozen=True, slots=True)
class Claims:
    """The verified identity of a request."""

    user_id: str
    role: str
    token_id: str
    scopes: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "ADMIN"


class TokenService:
    """Issue and verify access tokens with one pinned algorithm, issuer and audience."""

    def __init__(self, settings: CommonSettings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway_seconds
        self.ttl = settings.access_token_ttl_seconds
        if self.algorithm in _SYMMETRIC:
            self._signing_key: Any = settings.jwt_secret
            self._verifying_key: Any = settings.jwt_secret
        else:
            if not settings.jwt_public_key:
                raise ValueError(f"{self.algorithm} needs TASKFORGE_JWT_PUBLIC_KEY")
            self._signing_key = settings.jwt_private_key
            self._verifying_key = settings.jwt_public_key

    def issue(self, *, user_id: str, role: str, scopes: tuple[str, ...] = ()) -> str:
        if self._signing_key is None:
            raise ValueError("this service has no private key to sign tokens")
        now = utcnow()
        payload: dict[str, Any] = {
            "sub": user_id,
            "role": role,
            "iat": now,
            "exp": now + timedelta(seconds=self.ttl),
            "iss": self.issuer,
            "aud": self.audience,
            "jti": uuid.uuid4().hex,
        }
        if scopes:
            payload["scope"] = " ".join(scopes)
        return jwt.encode(payload, self._signing_key, algorithm=self.algorithm)

    def verify(self, token: str) -> Claims:
        """Verify signature, algorithm, issuer, audience and expiry; raise Unauthenticated."""
        try:
            payload = jwt.decode(
                token,
                self._verifying_key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["sub", "exp", "iat", "iss", "aud", "jti"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthenticated("access token expired", reason="TOKEN_EXPIRED") from error
        except jwt.PyJWTError as error:
            raise Unauthenticated("invalid access token", reason="TOKEN_INVALID") from error
        role = payload.get("role")
        if not isinstance(payload["sub"], str) or role not in {"ADMIN", "USER"}:
            raise Unauthenticated("invalid access token", reason="TOKEN_INVALID")
        scopes = tuple(str(payload.get("scope", "")).split())
        return Claims(user_id=payload["sub"], role=role, token_id=payload["jti"], scopes=scopes)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when absent."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "Authorization header must be 'Bearer <token>'", reason="TOKEN_INVALID"
        )
    return token.strip()
