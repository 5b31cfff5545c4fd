# Everyday commands. Each target installs what it needs into .venv first.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-stamp

.PHONY: help demo test test-faults lint format schemas bench bench-entities bench-pipeline clean

help:  ## List the everyday commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

$(STAMP): pyproject.toml setup.py newsflow/extraction/_lexwalk.pyx newsflow/extraction/_markup.pyx newsflow/entities/_viterbi.pyx newsflow/entities/_textscan.pyx
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## Run the whole pipeline on the sample pages (newsflow demo)
	$(VENV)/bin/newsflow demo

test: $(STAMP)  ## Lint, then every test against real Kafka and PostgreSQL started here
	bash dev/test.sh

test-faults: $(STAMP)  ## The long fault tests: 2,000 pages, 10 kill -9, 20-30 s outages
	NEWSFLOW_TEST_TIER=long NEWSFLOW_TEST_GATES=0 bash dev/test.sh tests/integration/test_faults.py -s

lint: $(STAMP)  ## ruff and mypy on code, tests, examples and scripts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)  ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

schemas: $(STAMP)  ## Re-export the JSON Schemas after a record changed
	$(VENV)/bin/newsflow schemas export

bench: $(STAMP)  ## Extraction benchmark: newsflow vs trafilatura, ratios in one run
	$(PY) bench/extract.py --json var/bench.json

bench-entities: $(STAMP)  ## Entity benchmark: dev-split F1 per layer, enrich throughput
	$(PY) bench/entities.py --rounds 7 --json var/entities.json

bench-pipeline: $(STAMP)  ## End to end: pages through Kafka and the worker into SQLite and PostgreSQL
	$(PY) bench/pipeline.py --json var/bench-pipeline.json

clean:  ## Remove local state (database, broker data, logs); keeps .venv
	rm -rf var
