# Koban: the two commands a new user needs are `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
KOBAN := $(VENV)/bin/koban
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test check lint format bench messages db-start db-stop clean-db

install: $(VENV)/.installed messages

$(VENV)/.installed: pyproject.toml scripts/install-system-packages.sh
	./scripts/install-system-packages.sh
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@

messages: $(VENV)/.installed
	cd koban && ../$(KOBAN) compilemessages -v 0

## Install everything, load the demo prefecture and serve it on http://$(HOST):$(PORT)
demo: install
	$(KOBAN) migrate --no-input -v 0
	$(KOBAN) collectstatic --no-input -v 0
	$(KOBAN) load_demo
	@# A task worker beside the server runs the imports, derivations and checks started in the admin.
	$(KOBAN) procrastinate worker --concurrency 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(KOBAN) runserver $(HOST):$(PORT)

## Run the whole test suite (what CI runs)
test: install
	@# pytest exits 5 when it collected no tests: treat that as a failure, not a pass.
	$(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

## Lint, types and migration checks (CI runs these before the tests)
check: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(KOBAN) makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Run the benchmarks and write JSON results to bench/results/ (BENCH_ARGS="--quick" for a smoke run)
bench: install
	$(KOBAN) migrate --no-input -v 0
	$(KOBAN) bench $(BENCH_ARGS)

db-start: install
	$(KOBAN) db start

db-stop:
	$(KOBAN) db stop
