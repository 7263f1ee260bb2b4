"""Finding 13: naive and year-0001 DateTime inputs are BAD_USER_INPUT in every subgraph."""

from __future__ import annotations

from datetime import datetime

import pytest
import strawberry

from subgraph_kit.app import error_code_for
from subgraph_kit.graphql import federation_schema


@strawberry.type
class Query:
    @strawberry.field
    def echo(self, at: datetime) -> datetime:
        return at


SCHEMA = federation_schema(query=Query)
ECHO = "query($at: DateTime!) { echo(at: $at) }"


@pytest.mark.parametrize("value", ["2030-01-01T09:00:00", "0001-01-01T00:00:00+01:00"])
async def test_naive_or_out_of_range_datetimes_are_bad_user_input(value: str) -> None:
    result = await SCHEMA.execute(ECHO, variable_values={"at": value})
    assert result.errors, result.data
    assert [error_code_for(error) for error in result.errors] == ["BAD_USER_INPUT"]


async def test_an_aware_datetime_is_accepted_as_utc() -> None:
    result = await SCHEMA.execute(ECHO, variable_values={"at": "2030-01-01T10:00:00+01:00"})
    assert result.errors is None
    assert result.data == {"echo": "2030-01-01T09:00:00+00:00"}
