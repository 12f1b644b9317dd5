# Woningbouwplannen: `make serve` (install, build, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEFAULT_DB := data/woningbouwplannen.db
DB ?= $(DEFAULT_DB)
PORT ?= 8001
HOST ?= 127.0.0.1
SOURCES ?= data/sources.yml
# Settings live in settings.json so the tests use exactly the same ones.
SETTINGS = $(shell $(PYTHON) -c 'import json;print(" ".join(f"--setting {k} {v}" for k,v in json.load(open("settings.json")).items()))')
SERVE_DIR = .serve/$(PORT)

.PHONY: install build serve test sample check clean

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
	$(VENV)/bin/datasette inspect $(SERVE_DIR)/woningbouwplannen.db --inspect-file $(SERVE_DIR)/inspect.json
	$(VENV)/bin/datasette serve -i $(SERVE_DIR)/woningbouwplannen.db --inspect-file $(SERVE_DIR)/inspect.json \
		-m metadata.yml --plugins-dir plugins --template-dir templates --static static:static \
		--cors -h $(HOST) -p $(PORT) $(SETTINGS)

test: install
	$(VENV)/bin/pytest -q

sample: install
	$(PY) scripts/generate_sample.py

check: install
	$(PY) -m ingest check $(FILE) --kind plannen

clean:
	rm -rf .serve $(DEFAULT_DB) .pytest_cache
