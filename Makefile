# Two set-up-free commands: `make run` and `make test`. Both create or refresh .venv first.
# `make test` runs the tests on every core (pytest-xdist), a test file per work unit; the files
# that share a session's dbt build are one unit (tests/conftest.py).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint venv clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/gjj run

test: venv
	bash tools/ensure_chromium.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

bench: venv
	$(BIN)/python -m tools.bench

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data/build data/warehouse.duckdb .pytest_cache
