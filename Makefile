# Everything runs from a local virtual environment made from the machine's python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
# The compiled core's sources: a change to any of them rebuilds dedupe._core on the next make.
CORE_SOURCES := Cargo.toml Cargo.lock $(wildcard crates/*/Cargo.toml crates/*/src/*.rs crates/*/src/*/*.rs)

.PHONY: install install-test demo test test-rust clean-out

# The demo needs dedupe alone; the tests also need their tools (pytest, hypothesis, playwright, dask, moto...).
# `pip install -e .` compiles the core (setuptools-rust, release profile) into dedupe/_core*.so; a stale one
# is removed first so that a failed build can never leave the old core in use.
$(VENV)/.installed: setup.cfg setup.py pyproject.toml $(CORE_SOURCES)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	rm -f dedupe/_core*.so
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# Order-only on the plain install: a core rebuild does not install the test tools again.
$(VENV)/.installed-test: setup.cfg | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Python's bytecode for the package, written beside it as a wheel install writes it (pip compiles every module at
# install time; an editable install does not): where PYTHONDONTWRITEBYTECODE is set, as in this sandbox, every run
# compiled dedupe's modules again before its first file (importing the CLI: 0.365 -> 0.280 s, 10 runs each, medians).
# A module edited since is compiled in memory as before (its bytecode's recorded mtime no longer matches): never stale.
PY_SOURCES := $(shell find dedupe -name '*.py')
$(VENV)/.compiled: $(PY_SOURCES) | $(VENV)/.installed
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m compileall -q dedupe
	touch $@

install: $(VENV)/.installed $(VENV)/.compiled

install-test: $(VENV)/.installed-test

## demo: install, clean samples/ into out/, score against the samples' labels
# Exit status 1 is a finished run with some unreadable inputs; 2, 3, 130 and 143 (usage, failed, interrupted) stop
# the demo (dedupe/status.py).
demo: install
	rm -rf out
	$(BIN)/dedupe clean samples/ out/ || test $$? -eq 1
	$(BIN)/python tests/data/score_lines.py samples/ out/ tests/data/gold.json
	@echo "review: open out/_report/index.html in a browser, or read out/_report/changes.diff"

## test-rust: the core's own unit tests, then formatting and lints (each skipped, and said so, without its tool)
test-rust:
	cargo test --quiet --locked -p dedupe-core
	@if cargo fmt --version >/dev/null 2>&1; then cargo fmt --all --check; \
	else echo "SKIPPED cargo fmt --check: rustfmt is not installed (rustup component add rustfmt)"; fi
	@if cargo clippy --version >/dev/null 2>&1; then cargo clippy --quiet --locked --workspace --all-targets -- -D warnings; \
	else echo "SKIPPED cargo clippy: clippy is not installed (rustup component add clippy)"; fi

## test: install and run the whole test suite (the core's Rust tests, then the Python tests)
test: install-test test-rust
	$(BIN)/python -m pytest -q

clean-out:
	rm -rf out
