"""The one (timestamp, id) cursor codec: round-trips; any malformed cursor is BAD_USER_INPUT."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from subgraph_kit.errors import BadUserInput
from subgraph_kit.pagination import decode_position, encode_cursor, position_values


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


MALFORMED = {
    "not base64": "%%%not-a-cursor%%%",
    "not json": _b64("{oops"),
    "not utf-8": base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    "an object": _b64('{"a": 1}'),
    "one value": _b64('["2026-01-01T00:00:00+00:00"]'),
    "three values": _b64('["2026-01-01T00:00:00+00:00", "a", "b"]'),
    "a number for the time": _b64('[12, "a"]'),
    "a number for the id": _b64('["2026-01-01T00:00:00+00:00", 5]'),
    "not a time": _b64('["yesterday", "a"]'),
    "a naive time": _b64('["2026-01-01T00:00:00", "a"]'),
    "an out-of-range time": _b64('["2026-13-45T00:00:00+00:00", "a"]'),
    "a time that overflows in UTC": _b64('["9999-12-31T23:59:59-23:59", "a"]'),
    "deeply nested json": _b64("[" * 10000 + "]" * 10000),
}


@pytest.mark.parametrize("cursor", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_cursor_is_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        decode_position(cursor)
    assert raised.value.extensions == {"code": "BAD_USER_INPUT", "argument": "after"}


def test_a_position_round_trips_as_aware_utc() -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=timezone(timedelta(hours=2)))
    decoded = decode_position(encode_cursor(position_values(at, "task-1")))
    assert decoded == (at, "task-1")
    assert decoded is not None and decoded[0].tzinfo == UTC


def test_no_cursor_is_the_first_page() -> None:
    assert decode_position(None) is None
