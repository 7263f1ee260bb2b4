"""`taskforge serve router`: the worker factory, the --workers option and GC tuning."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from starlette.applications import Starlette

from subgraph_kit.settings import common_settings
from supergraph.server import tune_gc
from taskforge.cli import build_parser, router_app_from_env

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


def test_workers_option_defaults_to_one() -> None:
    parser = build_parser()
    assert parser.parse_args(["serve", "router"]).workers == 1
    assert parser.parse_args(["serve", "router", "--workers", "2"]).workers == 2


def test_each_worker_builds_its_router_from_the_supergraph_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    thresholds = gc.get_threshold()
    monkeypatch.setenv("TASKFORGE_ROUTER_SUPERGRAPH_FILE", str(SUPERGRAPH))
    monkeypatch.setenv("TASKFORGE_SUBGRAPH_SECRET", "router-channel-secret-for-this-test")
    common_settings.cache_clear()
    try:
        assert isinstance(router_app_from_env(), Starlette)
        monkeypatch.setenv("TASKFORGE_ROUTER_SUPERGRAPH_FILE", str(SUPERGRAPH) + ".missing")
        with pytest.raises(RuntimeError, match="cannot load supergraph"):
            router_app_from_env()
    finally:
        common_settings.cache_clear()
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_tune_gc_raises_the_young_generation_threshold() -> None:
    thresholds = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold()[0] >= 10_000
        assert gc.get_freeze_count() > 0
    finally:
        common_settings.cache_clear()
        gc.unfreeze()
        gc.set_threshold(*thresholds)
