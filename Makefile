# katsudo: `make build` and `make test` set everything up on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.katsudo-installed

.PHONY: build serve test clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(PY) -m generator build -s . -o public

serve: $(STAMP)
	$(PY) -m generator serve -s .

# The type check first ([tool.mypy] in pyproject.toml), then the
# suite on every core (pytest-xdist); worksteal: the slow browser and preview tests do not end up
# queued behind each other on one worker.
test: $(STAMP)
	$(PY) -m mypy
	$(PY) -m pytest -q -n auto --dist worksteal

clean: $(STAMP)
	$(PY) -m generator clean -s . -o public

# Benchmarks against Pelican and Hugo (results into BENCHMARKS.md; see benchmarks/bench.py).
# The full run takes a long while; for a quick look: make bench SIZES=1000 RUNS=1
SIZES ?= 1000,5000,10000
RUNS ?= 3
REBUILD_SIZES ?= 1000,10000
SEARCH_SIZE ?= 1000
bench: $(STAMP)
	$(PY) benchmarks/bench.py --sizes $(SIZES) --runs $(RUNS) --rebuild-sizes $(REBUILD_SIZES) \
		--search-size $(SEARCH_SIZE) --out BENCHMARKS.md
