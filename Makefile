# Set-up, build and test of the book. `make book` and `make test` are all a fresh machine needs
# (Python 3.11 and make); both create .venv and install the pinned dependencies on first use.

# One BLAS thread for every command below: the chapters call BLAS on many small matrices, where a
# multithreaded OpenBLAS on 2 cores spends 5 to 15 times the arithmetic on synchronisation; a
# fixed thread count also keeps floating-point reductions, and so the printed digits, the same.
export OPENBLAS_NUM_THREADS := 1

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BUILD := _build
EXECUTED := $(BUILD)/jupyter_execute
SOURCES := _config.yml _toc.yml $(wildcard book/*.md book/*.bib) $(shell find src -name '*.py')

.PHONY: help install book book-force test lint unit nbval lab clean

help:
	@echo "make book   build the executed HTML book into $(BUILD)/html"
	@echo "make test   ruff, pytest, then nbval on the executed chapters"
	@echo "make lab    Jupyter Lab with jupytext (chapters' .md files open as notebooks)"
	@echo "make clean  remove the build and the virtual environment"

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[book,test]"
	touch $@

install: $(INSTALLED)

# Authors' build: execution cache (only changed chapters re-run).
book: $(INSTALLED)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(CURDIR)/$(BUILD)/html/index.html"

# nbval needs notebooks from a forced execution: a chapter taken from the execution cache is
# written to $(EXECUTED) without outputs (and nbval would then compare nothing). The stamp
# records a forced build newer than every source.
$(BUILD)/.forced: $(INSTALLED) $(SOURCES)
	mkdir -p $(BUILD)
	sed 's/execute_notebooks: cache/execute_notebooks: force/' _config.yml > $(BUILD)/_config_force.yml
	$(BIN)/jupyter-book build . --config $(BUILD)/_config_force.yml -W -n --keep-going
	touch $@
	@echo "The book is at $(CURDIR)/$(BUILD)/html/index.html"

book-force: $(BUILD)/.forced

lint: $(INSTALLED)
	$(BIN)/ruff check src tests

unit: $(INSTALLED)
	$(BIN)/pytest tests

nbval: $(BUILD)/.forced
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-p tests.nbval_outputs $(EXECUTED) -o testpaths= -o addopts=

test: lint unit nbval

lab: $(INSTALLED)
	$(BIN)/jupyter lab --ServerApp.open_browser=False

clean:
	rm -rf $(BUILD) $(VENV) src/*.egg-info
