# ducha's one task runner. `make dashboard` serves the dashboard on the embedded
# PostgreSQL with the demo data; `make test` runs the whole suite.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# The machine's PostgreSQL 15 service: the suite runs on it too, so ducha holds
# on two major versions (the embedded server is PostgreSQL 18).
PG15_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
# Each run in a temporary folder of its own: pytest resets the shared
# /tmp/pytest-of-$USER to mode 700 when it starts, which locks a running
# suite's embedded PostgreSQL (another system user) out of its data.
PYTEST := $(PY) -m pytest -n 2 --durations=25 --basetemp="$$(mktemp -d /tmp/ducha-test-XXXXXX)"

.PHONY: install system-deps dashboard test test-embedded test-pg15 lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Debian's Chromium and a CJK font for the browser test and the bulletins (with Pango for
# WeasyPrint and poppler-utils for reading PDFs back), and docker-compose to check the
# compose file offline; installed when missing and we are root (CI and fresh
# machines), otherwise the test says what to do.
DEBIAN_PACKAGES := chromium fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 poppler-utils docker-compose
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wenquanyi \
	    || ! command -v pdftotext >/dev/null 2>&1 || ! ldconfig -p | grep -q libpangoft2 \
	    || ! command -v docker-compose >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	  else echo "note: install $(DEBIAN_PACKAGES) for the browser test, the bulletins and the compose check"; fi; \
	fi

dashboard: install
	$(VENV)/bin/ducha dashboard --demo-if-empty

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# Types, strict on etl/ ([tool.mypy] in pyproject.toml).
	$(VENV)/bin/mypy
	@# The deployment's compose file, validated offline (no container engine needed).
	@if command -v docker-compose >/dev/null 2>&1; then \
	  POSTGRES_PASSWORD=check docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml: valid"; \
	elif [ -n "$$CI" ]; then echo "docker-compose is missing: cannot check docker-compose.yml" >&2; exit 1; \
	else echo "note: install docker-compose to check docker-compose.yml"; fi

test-embedded: install
	$(PYTEST) $(PYTEST_ARGS)

test-pg15: install
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG15_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== the suite again on PostgreSQL 15 ($(PG15_URL))"; \
	  TEST_DATABASE_URL='$(PG15_URL)' $(PYTEST) $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then echo "PostgreSQL 15 at $(PG15_URL) is not reachable" >&2; exit 1; \
	else echo "note: no PostgreSQL at $(PG15_URL); ran the suite on the embedded server only"; fi

test: system-deps lint test-embedded test-pg15
