# The MASH platform. `make run` and `make test` work on a fresh machine: they install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv comes from PyPI: use the one on PATH, else bootstrap a private copy.
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
PY := $(CURDIR)/.venv/bin/python
PYTEST_ARGS ?=

.PHONY: help install run test test-unit test-integration test-e2e screenshots bench lint format schemas topics broker console-assets clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

install: | $(UV) ## install every package into .venv (uv workspace)
	$(UV) sync --all-packages --locked

run: install ## start the broker, every service and the console, load demo data (Ctrl-C stops)
	$(PY) -m mash_common.devstack run $(if $(FRESH),--fresh) $(if $(SIM),--simulate-agencies)

test: install ## unit, integration (embedded broker, SQLite and Postgres) and end-to-end tests
	MASH_TEST_POSTGRES=required $(PY) -m pytest $(PYTEST_ARGS)

test-unit: install ## only the fast unit and contract tests
	$(PY) -m pytest -m "not integration and not e2e" $(PYTEST_ARGS)

test-e2e: install ## only the end-to-end journey tests
	MASH_TEST_POSTGRES=required $(PY) -m pytest tests/e2e $(PYTEST_ARGS)

screenshots: install ## the console in headless Chromium: rewrite docs/screenshots/*.png (installs chromium if missing)
	MASH_SCREENSHOTS=1 MASH_TEST_POSTGRES=required $(PY) -m pytest tests/e2e -k browser $(PYTEST_ARGS)

bench: install ## raw broker vs end-to-end journey throughput, printed with their ratio
	$(PY) bench/run.py

lint: install ## ruff, formatting and mypy
	$(PY) -m ruff check .
	$(PY) -m mypy schemas/src services/*/src tools

format: install ## apply ruff's fixes
	$(PY) -m ruff check --fix .

schemas: install ## regenerate JSON Schema, AsyncAPI, examples, docs/topics.md and docs/openapi/
	$(PY) -m mash_schemas.generate generate
	$(PY) -m mash_schemas.docs write
	$(PY) tools/openapi_docs.py write

topics: install ## create every declared topic on MASH_KAFKA_BOOTSTRAP (default 127.0.0.1:9092)
	$(PY) -m mash_common.topics_admin create

broker: install ## run only the embedded broker on 127.0.0.1:9092
	$(PY) -m mash_common.broker

console-assets: ## rebuild the console's GOV.UK Frontend CSS/JS (needs Node.js; output is committed)
	cd services/console/assets && npm ci --no-audit --no-fund && node build.mjs

clean: ## remove local data, virtualenvs and caches
	rm -rf .data .venv .tools .pytest_cache .ruff_cache .mypy_cache
