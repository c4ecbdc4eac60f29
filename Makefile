# Kinga — the two commands of the README are the contract: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KINGA := $(BIN)/kinga
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= auto

.PHONY: run test test-all check bench load venv messages format clean-venv serve setup static

$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet --require-hashes -r requirements/lock.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# Fresh clone → working app on the embedded database. Safe to re-run: never overwrites what users changed.
setup: venv
	$(BIN)/python tools/i18n.py compile
	$(KINGA) migrate --noinput -v0
	$(KINGA) createcachetable
	$(KINGA) load-reference
	$(KINGA) synth --scale demo --if-empty
	$(KINGA) demo-accounts
	$(MAKE) --no-print-directory static

# Collected (hashed, compressed) static files for whitenoise; redone only when a static file changed.
STATIC_MANIFEST := var/static/staticfiles.json
$(STATIC_MANIFEST): $(STAMP) $(shell find kinga -path '*/static/*' -type f 2>/dev/null)
	$(KINGA) collectstatic --noinput -v0

static: $(STATIC_MANIFEST)

run: setup
	@echo "Kinga: http://127.0.0.1:8000"
	$(BIN)/gunicorn kinga.wsgi:application --config gunicorn.conf.py --bind 127.0.0.1:8000 --workers 2 --threads 4 \
		--access-logfile -

# The whole test suite. Browser tests run when /usr/bin/chromium is present (and say so when skipped). The tests of
# one file run on one worker (loadfile), so that a file's crawl of every page (test_language) is rendered once.
test: venv
	$(BIN)/python tools/i18n.py compile
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -q $(PYTEST_ARGS)

# Lint, format, migrations, French catalogue, the layers between apps (pyproject [tool.importlinter]), no use of
# another module's private names (tools/private_imports_allowlist.txt only shrinks).
check: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=kinga.settings.test $(KINGA) makemigrations --check --dry-run -v0
	$(BIN)/python tools/i18n.py check
	PYTHONPATH=$(CURDIR) $(BIN)/lint-imports --no-cache
	$(BIN)/python tools/private_imports.py

messages: venv
	$(BIN)/python tools/i18n.py update

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks against PostgreSQL (BENCH_DATABASE_URL); benchmark-only tools come from requirements/lock-bench.txt.
bench: venv
	$(BIN)/pip install --quiet --require-hashes -r requirements/lock-bench.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Load test (bench/load/run.sh): LOAD_USERS people for LOAD_TIME against the benchmark database of LOAD_SCALE
# (built by `make bench` first); fails if p95 is over 300 ms or a request failed.
LOAD_USERS ?= 50
LOAD_TIME ?= 5m
LOAD_SCALE ?= national
load: venv
	$(BIN)/pip install --quiet --require-hashes -r requirements/lock-bench.txt
	DATABASE_URL=$$($(BIN)/python bench/run.py --scale $(LOAD_SCALE) --print-url) bench/load/run.sh $(LOAD_USERS) $(LOAD_TIME)
