"""GraphQL error codes and the exceptions resolvers raise to produce them."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BadUserInput",
    "ErrorCode",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "TaskforgeError",
    "Unauthenticated",
    "graphql_error_body",
]


class ErrorCode:
    """The stable `extensions.code` values clients can rely on."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    BAD_REQUEST = "BAD_REQUEST"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class TaskforgeError(Exception):
    """An error a client caused; its message and code are safe to show."""

    code: str = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": code or self.code, **details}


class BadUserInput(TaskforgeError):
    code = ErrorCode.BAD_USER_INPUT


class Unauthenticated(TaskforgeError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(TaskforgeError):
    code = ErrorCode.FORBIDDEN


class NotFound(TaskforgeError):
    code = ErrorCode.NOT_FOUND


class RateLimited(TaskforgeError):
    code = ErrorCode.RATE_LIMITED


def graphql_error_body(message: str, code: str) -> dict[str, Any]:
    """A GraphQL response carrying one request-level error."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
