"""Executor tests for @fromContext: values read from ancestors, one _entities per value set."""

from __future__ import annotations

from typing import Any

from graphql import SelectionSetNode, parse

from supergraph.execution import execute_plan
from supergraph.execution.context import aliased_operation
from supergraph.plan import ContextRewrite, Fetch, Flatten, QueryPlan, Sequence
from tests.supergraph.fake_transport import FakeTransport


def selection(text: str) -> SelectionSetNode:
    return parse(text).definitions[0].selection_set  # type: ignore[attr-defined]


TOTAL_OP = (
    "query($representations: [_Any!]!, $contextualArgument_1_0: String) {"
    " _entities(representations: $representations) {"
    " ... on Order { total(currency: $contextualArgument_1_0) } } }"
)


def accounts_then_totals() -> QueryPlan:
    return QueryPlan(
        Sequence(
            (
                Fetch(service="accounts", operation="{ accounts { cur: currency orders { id } } }"),
                Flatten(
                    ("accounts", "@", "orders", "@"),
                    Fetch(
                        service="orders",
                        operation=TOTAL_OP,
                        requires=selection("{ ... on Order { __typename id } }"),
                        context_rewrites=(
                            ContextRewrite(
                                "contextualArgument_1_0",
                                1,
                                "Account",
                                selection("{ cur: currency }"),
                            ),
                        ),
                    ),
                ),
            )
        )
    )


def accounts(*currencies: str) -> dict[str, Any]:
    return {
        "data": {
            "accounts": [
                {
                    "__typename": "Account",
                    "cur": currency,
                    "orders": [{"__typename": "Order", "id": f"o{i}"}, None],
                }
                for i, currency in enumerate(currencies)
            ]
        }
    }


def totals(body: dict[str, Any]) -> dict[str, Any]:
    variables = body["variables"]
    data: dict[str, Any] = {}
    for key in ("", "_0", "_1"):
        reps = variables.get(f"representations{key}")
        if reps is not None:
            currency = variables[f"contextualArgument_1_0{key}"]
            data[key or "_entities"] = [{"total": f"{r['id']} {currency}"} for r in reps]
    errors = [{"message": "late", "path": ["_1", 0, "total"]}] if "_1" in data else []
    return {"data": data, "errors": errors}


async def test_objects_with_different_context_values_get_one_aliased_entities_each() -> None:
    transport = FakeTransport({"accounts": accounts("EUR", "JPY"), "orders": totals})
    data, errors = await execute_plan(accounts_then_totals(), variables={}, transport=transport)
    assert [a["orders"][0]["total"] for a in data["accounts"]] == ["o0 EUR", "o1 JPY"]
    (body,) = transport.bodies("orders")
    assert body["variables"] == {
        "contextualArgument_1_0_0": "EUR",
        "representations_0": [{"__typename": "Order", "id": "o0"}],
        "contextualArgument_1_0_1": "JPY",
        "representations_1": [{"__typename": "Order", "id": "o1"}],
    }
    assert "_0: _entities(representations: $representations_0)" in body["query"]
    assert "total(currency: $contextualArgument_1_0_1)" in body["query"]
    assert errors == [
        {
            "message": "late",
            "path": ["accounts", 1, "orders", 0, "total"],
            "extensions": {"serviceName": "orders"},
        }
    ]


async def test_equal_context_values_send_the_plain_operation() -> None:
    transport = FakeTransport({"accounts": accounts("EUR", "EUR"), "orders": totals})
    data, errors = await execute_plan(accounts_then_totals(), variables={}, transport=transport)
    assert errors == []
    assert [a["orders"][0]["total"] for a in data["accounts"]] == ["o0 EUR", "o1 EUR"]
    (body,) = transport.bodies("orders")
    assert body["query"] == TOTAL_OP
    assert body["variables"]["contextualArgument_1_0"] == "EUR"
    assert len(body["variables"]["representations"]) == 2


async def test_missing_context_value_is_sent_as_null() -> None:
    answer = accounts("EUR")
    del answer["data"]["accounts"][0]["cur"]
    transport = FakeTransport({"accounts": answer, "orders": totals})
    await execute_plan(accounts_then_totals(), variables={}, transport=transport)
    (body,) = transport.bodies("orders")
    assert body["variables"]["contextualArgument_1_0"] is None


def test_aliased_operation_suffixes_representations_and_contextual_variables_only() -> None:
    operation = (
        "query($representations: [_Any!]!, $a: Int, $contextualArgument_1_0: String) {"
        " _entities(representations: $representations)"
        " { ... on T { f(x: $contextualArgument_1_0, y: $a) } } }"
    )
    printed = aliased_operation(operation, ("contextualArgument_1_0",), 2)
    assert " ".join(printed.split()) == (
        "query ($representations_0: [_Any!]!, $representations_1: [_Any!]!, $a: Int,"
        " $contextualArgument_1_0_0: String, $contextualArgument_1_0_1: String) {"
        " _0: _entities(representations: $representations_0)"
        " { ... on T { f(x: $contextualArgument_1_0_0, y: $a) } }"
        " _1: _entities(representations: $representations_1)"
        " { ... on T { f(x: $contextualArgument_1_0_1, y: $a) } } }"
    )


async def test_one_variable_filled_by_whichever_rewrite_the_ancestor_type_meets() -> None:
    operation = (
        "query($representations: [_Any!]!, $contextualArgument_1_0: String) {"
        " _entities(representations: $representations)"
        " { ... on Pet { greeting(lang: $contextualArgument_1_0) } } }"
    )
    plan = QueryPlan(
        Sequence(
            (
                Fetch(service="a", operation="{ owners { __typename } }"),
                Flatten(
                    ("owners", "@", "pets", "@"),
                    Fetch(
                        service="b",
                        operation=operation,
                        requires=selection("{ ... on Pet { __typename id } }"),
                        context_rewrites=(
                            ContextRewrite(
                                "contextualArgument_1_0", 1, "Person", selection("{ language }")
                            ),
                            ContextRewrite(
                                "contextualArgument_1_0", 1, "Shelter", selection("{ country }")
                            ),
                        ),
                    ),
                ),
            )
        )
    )
    owners = {
        "data": {
            "owners": [
                {
                    "__typename": "Shelter",
                    "country": "fr",
                    "pets": [{"__typename": "Pet", "id": "1"}],
                },
                {
                    "__typename": "Person",
                    "language": "nl",
                    "pets": [{"__typename": "Pet", "id": "2"}],
                },
            ]
        }
    }

    def greetings(body: dict[str, Any]) -> dict[str, Any]:
        variables = body["variables"]
        return {
            "data": {
                f"_{i}": [{"greeting": variables[f"contextualArgument_1_0_{i}"]}] for i in (0, 1)
            }
        }

    transport = FakeTransport({"a": owners, "b": greetings})
    data, errors = await execute_plan(plan, variables={}, transport=transport)
    assert errors == []
    assert [o["pets"][0]["greeting"] for o in data["owners"]] == ["fr", "nl"]
