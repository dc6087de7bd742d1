# tanglehub developer commands. The first use of any target creates .venv and installs the project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint types unit run bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

test: lint types
	$(BIN)/pytest -q -n 2 --dist loadfile

run: $(STAMP)
	$(BIN)/tanglehub demo

bench: $(STAMP)
	$(BIN)/python bench/addresses.py
	$(BIN)/python bench/pow.py
	$(BIN)/python bench/devnet.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/select_inputs.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
