# Two entry points that work on a fresh machine with Python 3.11+: `make demo` and `make test`.
# Each creates the virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean rules-doc

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The demo estate has findings by design; --fail-on never keeps the exit code 0 here.
demo: $(BIN)/.installed
	$(BIN)/egress-audit --demo --fail-on never

# The rule reference docs/rules.md is generated; tests/test_reference.py fails when it is stale.
rules-doc: $(BIN)/.installed
	$(BIN)/egress-audit rules --format markdown --output docs/rules.md

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest
	bash ci/validate-sarif.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
