# gongkai — two commands do all the set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= gongkai.db
PORT ?= 8001

PUBLISH_DIR ?= build/publish

.PHONY: install test db serve publish bench notebook clean browser-deps collect

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

test: install
	$(PY) -m pytest -q

db: install
	$(PY) -m ingest.site.metadata
	$(PY) -m ingest build data/reports --db $(DB)

serve: db
	$(PY) -m ingest serve --db $(DB) --port $(PORT)

# A deployable directory (Dockerfile, database, inspect file, serve.sh): README "Publishing".
publish: db
	$(PY) -m ingest publish $(PUBLISH_DIR) --db $(DB)

bench: install
	$(PY) bench/parse.py
	$(PY) bench/split.py
	$(PY) bench/build.py
	$(PY) bench/dup.py 10000

# Download reports into $(OUT): make collect URLS="https://…/zfxxgknb/index.htm" [LIST=urls.txt] [OUT=dir];
# then `$(PY) -m ingest build $(OUT) --db $(DB)` builds them (README "Collecting reports").
OUT ?= collected
collect: install
	$(PY) -m ingest collect $(URLS) $(if $(LIST),--from-file $(LIST)) --out $(OUT)

# Execute the analysis notebook from a clean kernel against gongkai.db and keep an HTML copy in build/.
notebook: db
	GONGKAI_DB=$(abspath $(DB)) $(VENV)/bin/jupyter nbconvert --to html --execute \
	  --ExecutePreprocessor.kernel_name=python3 --output-dir build notebooks/analysis.ipynb

clean:
	rm -rf $(VENV) $(DB) build .pytest_cache
