# Taskforge: `make run` starts everything in one process; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install lock run test check lint format schema benchmark clean

LOCK := requirements.lock

# Installs exactly what the lock file pins, each download checked against its hash.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@echo "installed from $(LOCK) ($$(grep -c '^[a-z].*==' $(LOCK)) pinned packages, hashes checked)"
	touch $(STAMP)

install: $(STAMP)

# Re-resolve the lock file from pyproject.toml (uv: a well-kept resolver that writes hashes).
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml requirements-build.in --extra dev --generate-hashes \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o $(LOCK) -q

HOST ?= 127.0.0.1
PORT ?= 4000

run: $(STAMP)
	$(BIN)/taskforge run --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/mypy --strict supergraph
	$(BIN)/lint-imports

check: lint test

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP)
	$(BIN)/taskforge export-schema

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
