"""Shared fixtures for the federation corpus tests."""

from __future__ import annotations

import pytest

from tests.federation.corpus import Case, load_cases

__all__ = ["corpus_cases"]


@pytest.fixture(scope="session")
def corpus_cases() -> dict[str, Case]:
    """Every corpus case by name, loaded once per session."""
    return {case.name: case for case in load_cases()}
