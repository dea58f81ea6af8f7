# Two commands do the whole set-up on a machine with only Python 3.11+:
#   make run    install, migrate, load demo data, start web + worker + beat
#   make test   install what the tests need and run them
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
SITE_URL ?= http://$(HOST):$(PORT)
export PORT HOST SITE_URL
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install install-test install-markup run setup test test-browser test-faults test-markup test-all lint format check-migrations ci clean bench

help:
	@echo "make run           start the site (web, Celery worker, Celery beat) on http://$(HOST):$(PORT)/"
	@echo "make test          run the test suite (browser tests: make test-browser)"
	@echo "make test-faults   stop Redis and kill workers on purpose (needs redis-server)"
	@echo "make test-markup   every page through the Nu Html Checker (needs Java and npm)"
	@echo "make lint          ruff, djLint and mypy (installs only what linting needs)"
	@echo "make ci            what .ci/run does on this machine"
	@echo "make bench         the benchmark (QUICK=1 for a small program); report in bench/results/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	@touch $@

$(VENV)/.installed-test: requirements/base.txt requirements/test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt -r requirements/test.txt
	@touch $@

# Linting needs the app's requirements (mypy reads the app with them) and its own
# tools, none of the test stack.
$(VENV)/.installed-lint: requirements/base.txt requirements/lint.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt -r requirements/lint.txt
	@touch $@

install: $(VENV)/.installed-base
install-test: $(VENV)/.installed-test
install-lint: $(VENV)/.installed-lint

# The Nu Html Checker, pinned in requirements/package-lock.json. --ignore-scripts:
# the package's install script would download a Java runtime; the machine's is used.
VNU_JAR := requirements/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): requirements/package.json requirements/package-lock.json
	npm ci --prefix requirements --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@
install-markup: install-test $(VNU_JAR)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_library
	$(BIN)/python manage.py demo_setup

run: setup
	@echo
	@echo "  The site is starting at  http://$(HOST):$(PORT)/"
	@echo "  Sign in with one of the demo logins above. Press Ctrl-C to stop everything."
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev

test: install-test
	$(BIN)/pytest -m "not browser and not faults and not markup" $(PYTEST_ARGS)

test-browser: install-test
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

# Starts its own Redis on port 6390 (FAULTS_REDIS_PORT), a worker, beat and gunicorn.
test-faults: install-test
	$(BIN)/pytest -m faults tests/faults $(PYTEST_ARGS)

# Renders every page for every role and checks them all in one run of vnu.jar.
test-markup: install-markup
	$(BIN)/pytest -m markup tests/markup $(PYTEST_ARGS)

test-all: install-markup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/mypy

format: install-lint
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint templates --reformat --quiet || true

check-migrations: install-test
	$(BIN)/python manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

# The benchmark: a synthetic program served by gunicorn on 127.0.0.1, load from a
# separate process; writes bench/results/latest.json and latest.md (git-ignored).
bench: install
	$(BIN)/python -m bench.run $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .hypothesis
