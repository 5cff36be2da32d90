# katsudo: `make build` and `make test` set everything up on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.katsudo-installed

.PHONY: build serve test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(PY) -m generator build -s . -o public

serve: $(STAMP)
	$(PY) -m generator serve -s .

test: $(STAMP)
	$(PY) -m pytest -q

clean: $(STAMP)
	$(PY) -m generator clean -s . -o public
