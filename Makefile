# gongkai — two commands do all the set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= gongkai.db
PORT ?= 8001

.PHONY: install test db serve bench notebook clean browser-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

test: install
	$(PY) -m pytest -q

db: install
	$(PY) -m ingest build data/reports --db $(DB)

serve: db
	$(PY) -m ingest serve --db $(DB) --port $(PORT)

bench: install
	$(PY) bench/parse.py
	$(PY) bench/build.py

clean:
	rm -rf $(VENV) $(DB) build .pytest_cache
