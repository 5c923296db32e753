# Glassbox: `make run` starts the dashboard, `make test` runs ruff, mypy and every test.
# Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT   ?= 8501

.PHONY: setup run test lint unit e2e bench serve clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e"

e2e: $(STAMP)
	$(BIN)/python -m pytest -m e2e

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

serve: $(STAMP)
	$(BIN)/python -m mllib.serve $(MODEL)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
