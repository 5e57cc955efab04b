# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and the local payment stand-in follow the address served (make run PORT=…).
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run worker test lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Development server with demo data and a worker beside it, as deployed (the database task
# queue; one Ctrl-C stops both); DEBUG is on only here.
run: install
	@test -s var/intake-dev.key || (umask 077 && mkdir -p var && $(PY) -c \
		"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" \
		> var/intake-dev.key && echo "Made a development intake key: var/intake-dev.key")
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py createcachetable
	SITE_URL=$(SITE_URL) DJANGO_DEBUG=1 $(PY) manage.py seed_demo --print-login
	SITE_URL=$(SITE_URL) DJANGO_DEBUG=1 $(PY) manage.py serve $(HOST):$(PORT)

# One more worker alone (the queue and the schedule), beside `make run` or instead of its own.
worker: install
	SITE_URL=$(SITE_URL) DJANGO_DEBUG=1 TASKS_BACKEND=database $(PY) manage.py worker

# Tests in one process per core (pytest-xdist): each has its own test database, and every
# server a test starts listens on a free port. TEST_WORKERS=0 runs them in this process.
# The tests marked serial (real worker processes killed mid-send, a mail server down for a
# minute) run first and alone: their timing must not share the cores with the rest.
TEST_WORKERS ?= auto
test: install
	$(VENV)/bin/pytest --serial=only $(PYTEST_ARGS); serial=$$?; \
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --serial=skip $(PYTEST_ARGS); rest=$$?; \
	exit $$((serial || rest))

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Figures, not tests: the slot engine, GET /api/v1/slots in-process on SQLite and
# PostgreSQL, gunicorn on PostgreSQL under load from 127.0.0.1, payments, intake, the
# console, her calendar feed read in and her own feed served, and two workers sending
# emails (bench/README.md).
bench: install
	$(PY) bench/slots.py --database sqlite
	$(PY) bench/slots.py --database postgres --api-only
	$(PY) bench/request_profile.py --database sqlite
	$(PY) bench/request_profile.py --database postgres
	$(PY) bench/load.py
	$(PY) bench/payments.py
	$(PY) bench/intake.py
	$(PY) bench/console.py --database sqlite
	$(PY) bench/console.py --database postgres
	$(PY) bench/calendars.py --database sqlite
	$(PY) bench/calendars.py --database postgres
	$(PY) bench/feed.py --database sqlite
	$(PY) bench/feed.py --database postgres
	$(PY) bench/effects.py

clean:
	rm -rf $(VENV) .pytest_cache
