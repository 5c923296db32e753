# Glassbox: `make run` starts the dashboard, `make test` runs ruff, mypy and every test.
# Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT   ?= 8501

.PHONY: setup run test lint unit e2e bench serve clean messages

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

# Refresh the translation template from the code and merge it into every catalogue
# (locales/*/LC_MESSAGES/glassbox.po); catalogues are compiled from the .po when the app starts.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k msg -k tr --no-location --sort-output -w 100 \
		--project Glassbox -o locales/glassbox.pot .
	$(BIN)/pybabel update -i locales/glassbox.pot -d locales -D glassbox -w 100 --no-fuzzy-matching \
		--ignore-pot-creation-date --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
