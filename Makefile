# Delivery Hub. The two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := static/vendor

.PHONY: help install run test serve lint format clean audit backup restore bench scan

help:
	@echo "make run    install everything, migrate SQLite in var/, load the demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   the whole test suite (PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set, SQLite otherwise)"
	@echo "make serve  the production stack (gunicorn, Celery worker and beat) against DATABASE_URL and REDIS_URL"
	@echo "make lint   ruff check and format check, the import contract (lint-imports) and the type checker"
	@echo "make audit  pip-audit (requirements.lock) and bandit; fails on findings not in .audit-allowlist.toml"
	@echo "make scan   the outside test: wapiti (as PMO) and sqlmap against the app on loopback with demo data; fails on findings not in scan-allowlist.toml"
	@echo "make bench  measure the roll-up, hot pages and throughput at 50/500/5,000 programmes (QUICK=1: 50/500); needs DATABASE_URL and REDIS_URL"
	@echo "make backup pg_dump of DATABASE_URL into var/backups/ (prints the path)"
	@echo "make restore FILE=var/backups/....dump  pg_restore into DATABASE_URL (asks first unless CONFIRM=yes)"

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	touch $@

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	bin/build-static

install: $(VENV)/.installed $(VENDOR)/.installed
	@mkdir -p var/staticfiles

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Serving Delivery Hub on http://127.0.0.1:$(PORT)/ (Celery tasks run eagerly; email goes to this console)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# --durations=15: the slowest tests, printed at the end of every run, so a slow one is seen.
# -n $(TEST_WORKERS): pytest-xdist processes (one per core here); --dist loadgroup keeps the
# live-server tests together in one of them (tests/support/workers.py). TEST_WORKERS=0: one process.
# The suite starts dozens of Python processes (the workers, manage.py, Celery, gunicorn): they
# keep compiled bytecode in var/pycache, as make bench's do, even where the machine sets
# PYTHONDONTWRITEBYTECODE (else each one compiles every module it imports, about 2 s a start).
TEST_WORKERS ?= 2
test: install
	env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/var/pycache \
		$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15 $(PYTEST_ARGS)

serve: install
	bin/serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

audit:
	bin/audit

scan: install
	$(PY) bin/scan

bench: install
	@QUICK=$(QUICK) $(PY) bin/bench

backup:
	@bin/backup

restore:
	@bin/restore "$(FILE)"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache .ruff_cache
