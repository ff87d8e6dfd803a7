# Everything runs from a local virtual environment made from the machine's python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: install install-test demo test clean-out

# The demo needs dedupe alone; the tests also need their tools (pytest, hypothesis, playwright, dask, moto...).
$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## demo: install, clean samples/ into out/, score against the samples' labels
demo: install
	rm -rf out
	$(BIN)/dedupe clean samples/ out/ || test $$? -eq 1
	$(BIN)/python tests/data/score_lines.py samples/ out/ tests/data/gold.json
	@echo "review: open out/_report/index.html in a browser, or read out/_report/changes.diff"

## test: install and run the whole test suite
test: install-test
	$(BIN)/python -m pytest -q

clean-out:
	rm -rf out
