# newsroom: one entry point for setting up, serving and testing.
#   make serve   set up everything and serve the site with the seed story at http://127.0.0.1:8000
#   make test    set up everything and run the whole test suite (lint, migrations check, pytest)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# Local development runs with DEBUG on (a throw-away secret key, localhost only); production sets
# DEBUG=0 with SECRET_KEY and ALLOWED_HOSTS in the environment.
export DEBUG ?= 1
# Absolute links (canonical, feeds, sitemaps, share links) point at the served address.
export SITE_URL ?= http://$(HOST)

.PHONY: install serve test test-postgres check html-checker format fixture bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,rq]"
	touch $@

install: $(BIN)/.installed

# make serve's watched folder for agency copy (wire/inbox.py): files dropped in it are queued.
WIRE_INBOX ?= $(CURDIR)/.wire-inbox
# The worker (renditions, edge purges, the watched folder) runs beside the site and stops with it:
# Ctrl+C, or runserver ending any other way, stops it too (the trap). It starts again when the code
# changes, as the site does.
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap_site --address $(HOST)
	@mkdir -p $(WIRE_INBOX)
	@WIRE_INBOX=$(WIRE_INBOX) $(BIN)/python manage.py worker --reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	echo "Background worker running (pid $$worker): pictures' renditions and purges are done beside the site."; \
	echo "Agency files put in $(WIRE_INBOX)/ go into the wire queue (Agency wire in the admin)."; \
	$(BIN)/python manage.py runserver $(HOST)

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

# The Nu HTML checker for tests/checks: vnu.jar from the npm registry's vnu-jar package, pinned, in
# .tools/ (kept out of git), run with the system's Java (--ignore-scripts: the package's own
# install script would otherwise download a Java runtime when none is found). Without npm, or
# with the registry unreachable, nothing is installed and the HTML checks are skipped with a
# line saying why; HTML_CHECK_REQUIRED=1 (set by .ci/run) makes that skip a failure.
VNU_VERSION := 26.9.27
VNU_STAMP := .tools/vnu-jar-$(VNU_VERSION).installed
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_STAMP):
	@if command -v npm >/dev/null; then \
	  npm install --no-save --no-audit --no-fund --ignore-scripts --prefix .tools vnu-jar@$(VNU_VERSION) && touch $@ \
	  || echo "HTML checks (tests/checks): could not install vnu-jar@$(VNU_VERSION) from the npm registry"; \
	else echo "HTML checks (tests/checks): no npm, so no vnu.jar (apt-get install npm default-jre-headless)"; fi

html-checker: $(VNU_STAMP)

# The browser tests (tests/e2e) run when Chromium is found (CHROMIUM_PATH, default Debian's
# /usr/bin/chromium) and are skipped otherwise, with a line saying so; E2E_REQUIRED=1 makes that
# skip a failure (.ci/run sets it).
test: check html-checker
	@chromium="$${CHROMIUM_PATH:-/usr/bin/chromium}"; \
	if command -v "$$chromium" >/dev/null; then echo "Browser tests (tests/e2e): Chromium at $$chromium"; \
	else echo "Browser tests (tests/e2e) will be SKIPPED: no Chromium at $$chromium (apt-get install chromium, or set CHROMIUM_PATH)$${E2E_REQUIRED:+; E2E_REQUIRED is set, so that is a failure}"; fi
	@if [ -f $(VNU_JAR) ] && command -v java >/dev/null; then echo "HTML checks (tests/checks): vnu.jar $(VNU_VERSION), Java at $$(command -v java)"; \
	else echo "HTML checks (tests/checks) will be SKIPPED: no vnu.jar or no java$${HTML_CHECK_REQUIRED:+; HTML_CHECK_REQUIRED is set, so that is a failure}"; fi
	$(BIN)/pytest

# The same suite on PostgreSQL (server on 127.0.0.1:5432, user postgres); pytest-django creates and
# drops its own test database.
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (not tests): pages at 1,000 and 100,000 stories on SQLite and PostgreSQL, under
# gunicorn with wrk; see bench/README.md. BENCH_ARGS="--sizes 1000 --databases sqlite" for a quick run.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Regenerate the seed fixture after editing the seed story in the admin (see fixtures/README.md).
fixture: install
	$(BIN)/python manage.py export_content fixtures/qianhai-forum.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles .test-media .tools
