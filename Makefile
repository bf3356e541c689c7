# Uptake: the two commands a newcomer needs are `make demo` and `make test`.
# Only Python 3.11+ is required: the first run creates .venv, installs uv into it
# and installs the locked dependencies (uv.lock) with `uv sync --frozen`.
# The first of these that is Python 3.11 or newer; override with `make PYTHON=/path/to/python ...`.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; \
	done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced
PYTEST_ARGS ?=

.PHONY: demo test test-unit test-integration test-e2e lint format bench faults install clean help
.PHONY: teams-app teams-vendor charts-vendor asyncapi-vendor insights-rebuild

help:
	@echo "make demo    run the whole system locally (gateway on http://127.0.0.1:8000)"
	@echo "make test    run the whole test suite (unit, integration, e2e)"
	@echo "make lint    ruff check, ruff format --check, mypy"
	@echo "make bench   run the benchmarks, write bench/results.json and bench/README.md"
	@echo "make faults  the fault suite: kills, restarts, outages and a 1M backlog (FAULTS_SCALE=small: minutes)"
	@echo "make install create .venv and install the locked dependencies"
	@echo "make teams-app  the Teams app package (API_PUBLIC_URL=https://... API_AUTH_CLIENT_ID=<guid>)"

$(STAMP): pyproject.toml uv.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed: install it, or make PYTHON=/path/to/python3.11 ..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv sync --frozen --python $(BIN)/python
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m devtools.demo

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

test-integration: $(STAMP)
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

test-e2e: $(STAMP)
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

# Kill -9 of each service, NATS and Redis restarts, PostgreSQL stopped for 30 s and a backlog,
# each while signals stream in; a table of what was sent, kept, lost and doubled.
FAULTS_SCALE ?= full
faults: $(STAMP)
	$(BIN)/python -m devtools.faults --scale $(FAULTS_SCALE)

# The Teams app package (var/teams/uptake-teams-app.zip); settings from the environment or
# the command line: API_PUBLIC_URL, API_AUTH_CLIENT_ID, TEAMS_APP_ID, TEAMS_APP_VERSION.
teams-app: $(STAMP)
	$(BIN)/python -m devtools.teams_app

# Fetch the Teams JavaScript library and the manifest schemas again (npm pack; versions in
# devtools/teams_vendor.py).
teams-vendor: $(STAMP)
	$(BIN)/python -m devtools.teams_vendor

# Rebuild the adoption insights' rollups from the stored signals (an installation that
# predates them); shows progress, and Ctrl-C keeps what is done.
insights-rebuild: $(STAMP)
	$(BIN)/python -m services.scoring.insights rebuild

# uPlot, the cockpit's chart library, from the npm registry into static/vendor/uplot.
charts-vendor: $(STAMP)
	$(BIN)/python -m devtools.charts_vendor

# The AsyncAPI 3.0.0 JSON Schema the event-contract test validates against (tests/unit/schemas/).
asyncapi-vendor: $(STAMP)
	$(BIN)/python -m devtools.asyncapi_schema

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
