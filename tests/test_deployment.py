"""docker-compose.yml and the Dockerfile agree with the code (no Docker engine here to run them)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic_settings import BaseSettings

from notifications_subgraph.settings import NotificationSettings
from subgraph_kit.settings import CommonSettings, ServiceSettings
from subgraph_kit.storage.photos import PhotoSettings
from supergraph.edge.settings import RouterSettings
from taskforge.cli import build_parser
from taskforge.registry import SUBGRAPHS

ROOT = Path(__file__).parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_subgraph_and_the_router_is_a_compose_service() -> None:
    services = _compose()["services"]
    assert set(SUBGRAPHS) | {"router", "postgres", "redis"} == set(services)


def test_compose_commands_are_valid_taskforge_commands() -> None:
    parser = build_parser()
    for name, service in _compose()["services"].items():
        command = service.get("command")
        if not command or command[0] != "taskforge":
            continue
        args = parser.parse_args(command[1:])
        assert args.command == "serve"
        assert args.service == name


def _env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config.get("env_prefix", "")
    return {f"{prefix}{field}".upper() for field in settings.model_fields}


def test_compose_environment_names_real_settings() -> None:
    common = _env_names(CommonSettings) | _env_names(PhotoSettings) | _env_names(RouterSettings)
    common |= _env_names(NotificationSettings)
    common |= {"TASKFORGE_LOG_LEVEL", "CLOUDINARY_URL", "TASKFORGE_ROUTER_SUBGRAPH_URLS"}
    for name, service in _compose()["services"].items():
        if name in {"postgres", "redis"}:
            continue
        per_service = {
            f"TASKFORGE_{name.upper()}_{field.upper()}" for field in ServiceSettings.model_fields
        }
        unknown = set(service.get("environment", {})) - common - per_service
        assert not unknown, f"{name}: unknown settings {unknown}"


def test_each_subgraph_has_its_own_database() -> None:
    services = _compose()["services"]
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    for name in SUBGRAPHS:
        url = services[name]["environment"][f"TASKFORGE_{name.upper()}_DATABASE_URL"]
        database = url.rsplit("/", 1)[-1]
        assert database == f"taskforge_{name}"
        assert f"CREATE DATABASE {database};" in init


def test_the_image_contains_every_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) ", dockerfile, flags=re.MULTILINE))
    packages = ["supergraph", "taskforge", "subgraph_kit", "schema"]
    for package in [*packages, *(f"{n}_subgraph" for n in SUBGRAPHS)]:
        assert package in copied, package
