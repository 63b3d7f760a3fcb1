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

# Instants (TIME_ZONE@KOBAN_TEST_NOW) at which `make test` re-runs the tests marked `dates`: a month's
# last minutes, the year end, a leap day before the 08:30 handover, and the night Chile's clocks
# skip midnight (an 8-hour post abroad). Empty TEST_DATES skips these runs.
TEST_DATES ?= Asia/Tokyo@2026-11-30T23:50:00+09:00 \
	Asia/Tokyo@2026-12-31T23:30:00+09:00 \
	Asia/Tokyo@2028-02-29T08:00:00+09:00 \
	America/Santiago@2026-09-06T01:30:00-03:00

## Run the whole test suite (what CI runs), then the date-sensitive tests at each of TEST_DATES
test: install
	@# pytest exits 5 when it collected no tests: treat that as a failure, not a pass (in every run).
	@# The dates runs collect only the files with marked tests; the first makes the test database,
	@# the others reuse it.
	$(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; \
	if [ $$status -ne 0 ]; then exit $$status; fi; \
	files=$$(grep -rlE 'mark\.dates' tests | sort); db=--create-db; \
	for when in $(TEST_DATES); do \
		zone=$${when%%@*}; instant=$${when#*@}; \
		echo "== tests marked dates at $$instant in $$zone"; \
		TIME_ZONE=$$zone KOBAN_TEST_NOW=$$instant $(VENV)/bin/pytest -q -m dates --reuse-db $$db $$files; \
		status=$$?; db=; \
		if [ $$status -eq 5 ]; then echo "pytest collected no tests marked dates" >&2; exit 1; fi; \
		if [ $$status -ne 0 ]; then exit $$status; fi; \
	done

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
