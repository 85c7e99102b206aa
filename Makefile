# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# A local trial runs with DEBUG on unless told otherwise (production sets DEBUG=false).
export DEBUG ?= true

.PHONY: run test install install-dev chromium vnu wrk lint audit migrate demo bench clean

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

# The W3C HTML checker (tests/test_html_validity.py): vnu-jar, pinned in
# package-lock.json, on the system's Java. --ignore-scripts: its postinstall
# would download a JRE of its own.
vnu:
	@[ -f node_modules/vnu-jar/build/dist/vnu.jar ] || { \
		command -v npm >/dev/null 2>&1 || { \
			if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
			else echo "Install Node.js and npm (sudo apt-get install npm), then run make test again." >&2; exit 1; fi; }; \
		npm ci --ignore-scripts --no-audit --no-fund; }
	@command -v java >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
		else echo "Install Debian's default-jre-headless package (sudo apt-get install default-jre-headless), then run make test again." >&2; exit 1; fi; }

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else echo "Install Debian's wrk package (sudo apt-get install wrk), then run make bench again." >&2; exit 1; fi; }

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) setup_schedule
	$(MANAGE) load_un_calendar
	$(MANAGE) load_ishr_demo
	$(MANAGE) ensure_demo_admin
	$(MANAGE) compile_summaries

run: demo
	@echo "Open http://localhost:8000/ (admin: http://localhost:8000/admin/). Ctrl-C stops web, worker and beat."
	@$(MANAGE) shell --no-imports -c "from campaign.demo import CHINA_SLUG; print(f'The demo campaign as the public sees it: http://localhost:8000/p/{CHINA_SLUG}/')"
	$(BIN)/honcho start -f Procfile

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pip-audit asks PyPI's vulnerability data about every pinned package. A known
# vulnerability fails the build; an audit that could not run (no network, PyPI
# unreachable) is reported loudly and does not fail it, but never reads as a pass.
audit: install-dev
	@mkdir -p var && rm -f var/pip-audit.json
	@$(BIN)/pip-audit -r requirements.txt -r requirements-dev.txt --no-deps --disable-pip --progress-spinner off \
		--format json --output var/pip-audit.json 2>var/pip-audit.log; status=$$?; \
	if [ -s var/pip-audit.json ] && grep -q '"vulns": \[{' var/pip-audit.json; then \
		echo "pip-audit: KNOWN VULNERABILITIES in pinned dependencies:" >&2; \
		$(BIN)/python -c 'import json, sys; d = json.load(open(sys.argv[1])); [print("  %s %s: %s (fixed in: %s)" % (p["name"], p["version"], v["id"], ", ".join(v["fix_versions"]) or "no release yet"), file=sys.stderr) for p in d["dependencies"] for v in p.get("vulns", [])]' var/pip-audit.json; \
		exit 1; \
	elif [ $$status -ne 0 ] || [ ! -s var/pip-audit.json ]; then \
		echo "!!!!!! pip-audit could NOT run: dependencies were NOT audited (network down?)." >&2; \
		echo "!!!!!! $$(grep -v '^WARNING' var/pip-audit.log | tail -n 1)" >&2; \
	elif grep -q '"skip_reason"' var/pip-audit.json; then \
		echo "!!!!!! pip-audit could NOT audit $$(grep -o '"skip_reason"' var/pip-audit.json | wc -l) package(s): PyPI's vulnerability data was unreachable. NOT a pass; see var/pip-audit.json." >&2; \
	else \
		echo "pip-audit: no known vulnerabilities in the pinned dependencies."; \
	fi

test: install-dev chromium vnu lint audit
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest

clean:
	rm -rf var/ $(VENV)

# The performance benchmark (docs/performance.md). Needs wrk and PostgreSQL in DATABASE_URL:
# it creates <name>_bench and <name>_bench_tenth next to that database and drops them after.
bench: install wrk
	$(BIN)/python -m bench
