# cookiecutter-spark-kafka: the template's own commands. `make help` lists them.
SHELL := /bin/bash
PYTHON3 ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest

.DEFAULT_GOAL := help
.PHONY: help venv lint test-fast test-fuzz test test-network test-stress demo bench bench-cluster clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.ready: tests/requirements.txt
	@test -x $(PY) || { echo "setup: creating $(VENV)"; $(PYTHON3) -m venv $(VENV); }
	@echo "setup: installing the template's test tools (tests/requirements.txt)"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	@touch $@

venv: $(VENV)/.ready ## create the venv with cookiecutter, pytest and ruff

lint: venv ## ruff on the hooks, tests, bench, scripts and kappa-local (the projects' local/)
	@$(PY) -m ruff check hooks tests scripts bench
	@cd '{{cookiecutter.project_slug}}/local' && $(abspath $(PY)) -m ruff check .

test-fast: venv ## rendering, hooks, validation, property tests, updates, CI lint: no Spark (about two minutes)
	@$(PYTEST) -q -m "not slow and not e2e and not network"
	@$(PYTEST) -q bench/tests  # the bench harness's pure parts

test-fuzz: venv ## every text input under Hypothesis with a larger budget (FUZZ_EXAMPLES=n each)
	@HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),400) \
		$(PYTEST) -q tests/test_input_properties.py

# Two pytest-xdist workers: the end-to-end tests mostly wait (JVM start-ups, brokers, records
# crossing them), so two streams of them share 2 cores well. Each takes one half of the slow
# tests (tests/conftest.py: FIRST_HALF, SECOND_HALF) and its own pyspark venvs.
test: lint ## the full suite: fast tier, registries, rendered projects' own tests, end-to-end
	@$(PYTEST) -q bench/tests  # the bench harness's pure parts
	@$(PYTEST) -v --durations=15 -n 2 --dist loadgroup

test-network: venv ## only the registry checks (PyPI, Maven Central)
	@$(PYTEST) -q -m network

test-stress: ## CI (.ci/run) on a clean clone of HEAD next to one CPU hog per core (HOGS=n)
	@bash scripts/test-under-load.sh

demo: venv ## render the default project, start Kafka, run the app and show messages flowing
	@$(PY) scripts/demo.py

bench: venv ## benchmarks into bench-results/ (QUICK=1 smoke run, LEVERS=1 settings, PROFILE=1 JFR)
	@$(PY) -m bench.run $(if $(filter-out 0,$(QUICK)),--quick) \
		$(if $(filter-out 0,$(LEVERS)),--mode levers) $(if $(filter-out 0,$(PROFILE)),--parts profile)

bench-cluster: venv ## the Python app draining a backlog: local[2] vs a local standalone cluster, 3 Kafka nodes
	@$(PY) -m bench.cluster_mode $(if $(filter-out 0,$(QUICK)),--quick)

clean: ## remove rendered demo output and cached test venvs
	rm -rf demo .cache
