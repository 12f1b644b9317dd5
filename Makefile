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
# Settings live in settings.json so the tests use exactly the same ones.
SETTINGS = $(shell $(PYTHON) -c 'import json;print(" ".join(f"--setting {k} {v}" for k,v in json.load(open("settings.json")).items()))')
SERVE_DIR = .serve/$(PORT)

.PHONY: install build serve test sample check clean bench serve-prod messages audit fetch serve-lmvw

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

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
	mkdir -p "$(dir $(abspath $(DB)))downloads"  # GeoJSON downloads written by the build
	$(VENV)/bin/datasette inspect $(SERVE_DIR)/woningbouwplannen.db --inspect-file $(SERVE_DIR)/inspect.json
	WONINGBOUWPLANNEN_BASE_URL=http://$(HOST):$(PORT) $(VENV)/bin/datasette serve -i $(SERVE_DIR)/woningbouwplannen.db --inspect-file $(SERVE_DIR)/inspect.json \
		-m metadata.yml --plugins-dir plugins --template-dir templates --static static:static \
		--static downloads:"$(dir $(abspath $(DB)))downloads" \
		--cors -h $(HOST) -p $(PORT) $(SETTINGS)

# axe-core for the accessibility checks in the browser tests and vnu-jar (the W3C Nu HTML checker,
# tests/test_html_valid.py; runs on Debian's Java, which .ci/run installs): npm, nothing from it is served.
# --ignore-scripts: vnu-jar's install script would download a Java runtime from outside the registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent --ignore-scripts
	touch $@

test: install node_modules/.installed
	$(VENV)/bin/pytest -q

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
# Results: bench/out/results.json and a markdown table on stdout.
bench: install
	bash deploy/need-packages.sh nginx wrk
	$(PY) -m bench $(BENCH_ARGS)
	# the API against /openapi.json, deeper than make test: coverage on every operation, 100 fuzzed examples each
	OPENAPI_EXAMPLES=100 $(VENV)/bin/pytest -q tests/test_openapi.py

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
