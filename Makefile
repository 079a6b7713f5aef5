# Two commands do all the set-up on a fresh machine (Python 3.11 + the package index):
#   make demo   install into .venv, train the default model if none exists, code the example file
#   make test   install into .venv, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/python cli.py predict examples/kommuneundersokelsen_2020.csv --text-column svar \
		--id-column respondent_id --out out/kommuneundersokelsen_2020_coded.csv

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python bench/review_latency.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf out .pytest_cache
