# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# A local trial runs with DEBUG on unless told otherwise (production sets DEBUG=false).
export DEBUG ?= true

.PHONY: run test install install-dev chromium lint migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's chromium; Playwright never downloads a browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Install Debian's chromium package (sudo apt-get install chromium), then run make test again." >&2; exit 1; fi; }

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_ishr_demo
	$(MANAGE) ensure_demo_admin

run: demo
	@echo "Open http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/). Ctrl-C stops web, worker and beat."
	$(BIN)/honcho start -f Procfile

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install-dev chromium lint
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest

clean:
	rm -rf var/ $(VENV)

# The performance benchmark (README "Performance"). Needs wrk and PostgreSQL in DATABASE_URL:
# it creates <name>_bench and <name>_bench_tenth next to that database and drops them after.
bench: install
	$(MANAGE) run_bench
