# tanglehub developer commands. The first use of any target creates .venv and installs the project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint types unit run demo-wallet faults bench clean

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
	$(BIN)/tanglehub hub demo

demo-wallet: $(STAMP)
	$(BIN)/tanglehub demo

# Full-size fault drills (make test runs CI-sized ones): SIGKILL drills of the hub, webhooks, payouts and the
# signer (>= 200 kills each), the flaky-node send loop (50 sends), the flaky-node wallet run (20 + 20) and the
# payout scenario (50 users, 500 withdrawals).
faults: $(STAMP)
	TANGLEHUB_FAULTS_FULL=1 TANGLEHUB_FLAKY_SENDS=50 TANGLEHUB_FAULT_ROUNDS=20 \
		$(BIN)/pytest -q -p no:cacheprovider tests/faults tests/hub \
		-k "crash or kill or flaky or fault or withdrawals_paid_exactly_once"

bench: $(STAMP)
	$(BIN)/python bench/addresses.py
	$(BIN)/python bench/pow.py
	$(BIN)/python bench/devnet.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/node_transport.py
	$(BIN)/python bench/decode.py
	$(BIN)/python bench/select_inputs.py
	$(BIN)/python bench/signer.py
	$(BIN)/python bench/hub.py
	$(BIN)/python bench/hub_events.py
	$(BIN)/python bench/hub_withdrawals.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
