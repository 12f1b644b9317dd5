# Woningbouwplannen: `make serve` (install, build, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEFAULT_DB := data/woningbouwplannen.db
DB ?= $(DEFAULT_DB)
PORT ?= 8001
HOST ?= 127.0.0.1
SOURCES ?= data/sources.yml
RELEASES ?= data/releases
SERVE_DIR = .serve/$(PORT)

.PHONY: install build serve test test-fast lint sample check clean bench serve-prod messages audit fetch serve-lmvw lock bench-lighthouse

# Installs exactly the locked set (constraints.txt): what was tested is what a fresh clone and CI run.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Rewrite constraints.txt: resolve pyproject.toml's requirements afresh in a throwaway venv and freeze every
# package at the version it got (the project itself left out). Then make test, and commit both files.
LOCK_VENV := .serve/lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install -q -e '.[test]'
	{ sed -n '/^#/p' constraints.txt; $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

build: install
	$(PY) -m ingest build --sources $(SOURCES) --db $(DEFAULT_DB)

# Serve under the name "woningbouwplannen" whatever the file is called, so URLs and
# metadata stay the same for another built database (make serve DB=... PORT=...).
serve: install
ifeq ($(DB),$(DEFAULT_DB))
	$(MAKE) build
endif
	@test -f "$(DB)" || { echo "FOUT: database $(DB) bestaat niet; draai eerst make build"; exit 2; }
	mkdir -p $(SERVE_DIR)
	ln -sfn "$(abspath $(DB))" $(SERVE_DIR)/woningbouwplannen.db
	$(VENV)/bin/datasette inspect $(SERVE_DIR)/woningbouwplannen.db --inspect-file $(SERVE_DIR)/inspect.json
	# the command line itself lives in portal/serve.py (the tests, serve-prod and bench start it the same way);
	# it serves the downloads the build published beside the database (ingest/downloads.py published_dir)
	WONINGBOUWPLANNEN_BASE_URL=http://$(HOST):$(PORT) $(PY) -m portal.serve --db $(SERVE_DIR)/woningbouwplannen.db \
		--inspect-file $(SERVE_DIR)/inspect.json --host $(HOST) --port $(PORT)

# axe-core for the accessibility checks in the browser tests and vnu-jar (the W3C Nu HTML checker,
# tests/test_html_valid.py; runs on Debian's Java, which .ci/run installs): npm, nothing from it is served.
# --ignore-scripts: vnu-jar's install script would download a Java runtime from outside the registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent --ignore-scripts
	touch $@

test: install node_modules/.installed
	$(VENV)/bin/pytest -q

# Without the browser and the slow modules (tests/conftest.py SLOW_MODULES): under a minute, for every edit.
test-fast: install
	$(VENV)/bin/pytest -q -m "not browser and not slow"

# ruff (lint and format; pyproject.toml) over the project and mypy over ingest/; .ci/run runs it before the tests.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Merge new template strings into the English catalogue; lists what still needs translating.
messages: install
	$(PY) scripts/update_messages.py

# Production on one machine: REPLICAS Datasette processes behind nginx (proxy cache, gzip,
# ?sql= rate limit) on LISTEN; everything under .serve/prod. See deploy/.
REPLICAS ?= 2
LISTEN ?= 127.0.0.1:8080
serve-prod: install
ifeq ($(DB),$(DEFAULT_DB))
	$(MAKE) build
endif
	bash deploy/need-packages.sh nginx
	$(PY) deploy/serve_prod.py --db $(DB) --replicas $(REPLICAS) --listen $(LISTEN) --dir .serve/prod

# National-scale benchmark (not part of make test): generates, builds and measures; ~25 min.
# Results: bench/out/results.json and docs/benchmarks.md (Lighthouse on the national data included).
bench: install bench/node_modules/.installed
	bash deploy/need-packages.sh nginx wrk
	$(PY) -m bench $(BENCH_ARGS)
	# the API against /openapi.json, deeper than make test: coverage on every operation, 100 fuzzed examples each
	OPENAPI_EXAMPLES=100 $(VENV)/bin/pytest -q tests/test_openapi.py

# Lighthouse (npm, pinned in bench/package.json) on a simulated phone: every public page and the main
# Datasette pages, Dutch and English, on the sample data served like make serve (~15 min). A table of
# score, LCP, TBT, CLS and transfer per page; fails when a page misses a target (bench/lighthouse.py).
LIGHTHOUSE_DB := bench/out/lighthouse/sample/woningbouwplannen.db
bench/node_modules/.installed: bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund --silent
	touch $@

bench-lighthouse: install bench/node_modules/.installed
	$(PY) -m ingest build --sources $(SOURCES) --db $(LIGHTHOUSE_DB)
	$(PY) -m bench.lighthouse --db $(LIGHTHOUSE_DB)

sample: install
	$(PY) scripts/generate_sample.py
	$(PY) scripts/generate_sample_geo.py
	$(PY) scripts/generate_sample_release.py

# Known vulnerabilities in the installed packages (pip-audit; scripts/audit.py says so plainly when
# no vulnerability service is reachable). Run by .ci/run after the tests.
audit: install
	$(PY) scripts/audit.py

# Download the public LMVW release (URL and file names: data/woningbouwkaart.yml) into
# $(RELEASES)/<peildatum>/; stored only when every file checks out. Exit 3: host unreachable.
fetch: install
	$(PY) -m ingest fetch --dest $(RELEASES)

# The real data: fetch the newest public LMVW release when online (offline: one line, and the releases
# fetched before are used), build every release fetched so far into its own database, serve it.
LMVW_DB := data/lmvw/woningbouwplannen.db
serve-lmvw: install
	$(PY) -m ingest fetch --dest $(RELEASES) --keep-going
	$(PY) -m ingest build --sources data/lmvw.yml --db $(LMVW_DB)
	$(MAKE) serve DB=$(LMVW_DB)

# Validate one source and print its report, writing nothing: make check FILE=export.csv, or a
# release folder: make check FILE=data/releases/2025-10-01 KIND=woningbouwkaart
KIND ?= plannen
check: install
	$(PY) -m ingest check $(FILE) --kind $(KIND)

clean:
	rm -rf .serve $(DEFAULT_DB) .pytest_cache
