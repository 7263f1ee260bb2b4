"""Fixtures for the attack tests: the subgraphs on each test backend, reused from their suites."""

from __future__ import annotations

from tests.users_subgraph.conftest import users

__all__ = ["users"]
