"""JWT access tokens: issuing (users subgraph) and verifying (every service and the router)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import jwt

from subgraph_kit.db import utcnow
from subgraph_kit.errors import Unauthenticated
from subgraph_kit.settings import CommonSettings
from supergraph.edge.tokens import (
    SYMMETRIC_ALGORITHMS,
    Claims,
    JwtSettings,
    TokenRejected,
    TokenVerifier,
)
from supergraph.edge.tokens import bearer_token as edge_bearer_token

__all__ = ["Claims", "TokenService", "bearer_token", "jwt_settings"]


def jwt_settings(settings: CommonSettings) -> JwtSettings:
    """The router's verifier settings for the keys every Taskforge service shares."""
    return JwtSettings(
        algorithm=settings.jwt_algorithm,
        secret=settings.jwt_secret,
        public_key=settings.jwt_public_key,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
    )


class TokenService:
    """Issue and verify access tokens with one pinned algorithm, issuer and audience."""

    def __init__(self, settings: CommonSettings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway_seconds
        self.ttl = settings.access_token_ttl_seconds
        self._verifier = TokenVerifier(jwt_settings(settings))
        if self.algorithm in SYMMETRIC_ALGORITHMS:
            self._signing_key: Any = settings.jwt_secret
        else:
            self._signing_key = settings.jwt_private_key

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
            return self._verifier.verify(token)
        except TokenRejected as rejected:
            raise Unauthenticated(rejected.message, reason=rejected.reason) from rejected


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when absent."""
    try:
        return edge_bearer_token(authorization)
    except TokenRejected as rejected:
        raise Unauthenticated(rejected.message, reason=rejected.reason) from rejected
