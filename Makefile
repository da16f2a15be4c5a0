# Set-up, build and test of the book. `make book` and `make test` are all a fresh machine needs
# (Python 3.11, Node.js with npm, and make); both create .venv and install the pinned Python
# dependencies, and node_modules/ with the site's JavaScript (MathJax, widgets), on first use.
# `make test` also needs Chromium for the browser test: when /usr/bin/chromium is missing it is
# installed with apt-get (as root, like CI on a fresh machine).

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
SOURCES := _config.yml _toc.yml $(wildcard book/*.md book/*.bib book/_ext/*.py book/_static/*) \
	$(shell find src -name '*.py')
# npm packages the site serves itself (package.json, pinned in package-lock.json).
ASSETS := node_modules/.installed
CHROMIUM ?= /usr/bin/chromium
SCREENSHOTS := $(BUILD)/screenshots

.PHONY: help install assets book book-force test lint unit nbval browser reader lab lab-check \
	bench pdf clean mutants

help:
	@echo "make book   build the executed HTML book into $(BUILD)/html"
	@echo "make test   ruff, pytest, nbval on the executed chapters, then the browser test"
	@echo "make browser  every page of the built site in headless Chromium (screenshots in $(SCREENSHOTS))"
	@echo "make reader a downloaded chapter notebook in a fresh venv with only pip install ."
	@echo "make pdf    the book and its problem sheets as PDFs (LaTeX; installs Debian's TeX if missing)"
	@echo "make lab    Jupyter Lab with jupytext (chapters' .md files open as notebooks)"
	@echo "make bench  the structured solver against cvxpy + Clarabel, side by side (bench/RESULTS.md)"
	@echo "make clean  remove the build and the virtual environment"

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[book,test]"
	touch $@

install: $(INSTALLED)

# `npm ci` installs exactly package-lock.json; the book's Sphinx extension (book/_ext) copies the
# files the pages load into _build/html/_static/npm.
$(ASSETS): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

assets: $(ASSETS)

$(CHROMIUM):
	@echo "Chromium for the browser test is missing: installing Debian's package (needs root)."
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# Authors' build: execution cache (only changed chapters re-run). BOOK_JOBS: the pages are read,
# and so executed, in $(WORKERS) processes (book/_ext/execution_mode.py).
book: $(INSTALLED) $(ASSETS)
	BOOK_JOBS=$(WORKERS) $(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(CURDIR)/$(BUILD)/html/index.html"

# nbval needs notebooks from a forced execution: a chapter taken from the execution cache is
# written to $(EXECUTED) without outputs (and nbval would then compare nothing). The stamp
# records a forced build newer than every source.
$(BUILD)/.forced: $(INSTALLED) $(ASSETS) $(SOURCES)
	# BOOK_EXECUTE overrides execute_notebooks of _config.yml (book/_ext/execution_mode.py).
	# --all: Sphinx re-reads (so re-executes) only the pages whose source changed, not those
	# whose library code or extension (book/_ext) changed.
	BOOK_EXECUTE=force BOOK_JOBS=$(WORKERS) $(BIN)/jupyter-book build . -W -n --keep-going --all
	touch $@
	@echo "The book is at $(CURDIR)/$(BUILD)/html/index.html"

book-force: $(BUILD)/.forced

lint: $(INSTALLED)
	$(BIN)/ruff check src tests book/_ext

# pytest-xdist workers of the unit tests, nbval and the browser test: the machine's 2 cores. A
# worker runs whole files (--dist loadfile), so a notebook's cells stay in order in one kernel.
WORKERS ?= 2
XDIST := -n $(WORKERS) --dist loadfile

unit: $(INSTALLED)
	$(BIN)/pytest tests --ignore=tests/browser $(XDIST)

# --durations lists the slowest cells, to keep each under the 10 s budget in view.
nbval: $(BUILD)/.forced
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-p tests.nbval_outputs $(EXECUTED) -o testpaths= -o addopts= --durations=8 $(XDIST)

# Serves $(BUILD)/html on 127.0.0.1 and opens every page at a desktop and a phone width.
browser: $(BUILD)/.forced $(CHROMIUM)
	rm -rf $(SCREENSHOTS)
	$(BIN)/python -m pytest tests/browser --site $(BUILD)/html --chromium $(CHROMIUM) \
		--screenshots $(SCREENSHOTS) -o testpaths= -n $(WORKERS)

# The notebook reader: a fresh venv with only `pip install .` (and ipykernel, the kernel the
# reader's Jupyter starts), then the chapter's executed notebook as the site offers it for
# download, run in a fresh kernel of that venv without this Makefile's OPENBLAS_NUM_THREADS;
# every text output must equal the page's. pip builds from its local cache in about a minute.
READER_VENV := $(BUILD)/reader-venv
READER_NOTEBOOK ?= book/01_nonconvex
reader: $(BUILD)/.forced
	rm -rf $(READER_VENV) build
	env -u OPENBLAS_NUM_THREADS $(PYTHON) -m venv $(READER_VENV)
	$(READER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt . ipykernel
	rm -rf build
	env -u OPENBLAS_NUM_THREADS $(BIN)/python tests/notebook_reader.py \
		--python $(READER_VENV)/bin/python $(BUILD)/html/_sources/$(READER_NOTEBOOK).ipynb

test: lint unit nbval browser reader lab-check

# lab/overrides.json, installed as a namespaced JupyterLab override of the venv: a chapter's .md
# opens as a notebook (jupytext's viewer) on double-click. Root (CI, containers) needs
# --allow-root.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/twolayer.json
LAB_FLAGS := --ServerApp.open_browser=False $(if $(filter 0,$(shell id -u)),--allow-root)
$(LAB_OVERRIDES): lab/overrides.json $(INSTALLED)
	mkdir -p $(@D)
	cp $< $@

lab: $(INSTALLED) $(LAB_OVERRIDES)
	$(BIN)/jupyter lab $(LAB_FLAGS)

# Starts `make lab`'s server headless on a free port and asks it what a double-click on a
# chapter's .md opens, and whether jupytext serves that file as a notebook.
lab-check: $(INSTALLED) $(LAB_OVERRIDES)
	$(BIN)/python tests/lab_check.py --jupyter $(BIN)/jupyter -- $(LAB_FLAGS)

# Solver speed (never timed in the book or the tests): the structured interior-point method and
# cvxpy + Clarabel side by side, medians of 3; the output is committed as bench/RESULTS.md.
bench: $(INSTALLED)
	$(BIN)/python bench/convex_solvers.py

# Mutation testing of one module or package of src/twolayer with mutmut (tests/mutants.py; the
# tests of each module are listed in pyproject's [tool.twolayer.mutants]); the score goes into
# tests/MUTATION.md. Not part of `make test`: it runs the module's tests once per mutant. One
# worker by default (MUTANTS_WORKERS=2 on an idle machine); the copy it tests is mutants/.
# SURVIVORS=1 re-runs only the mutants that the last run of the same module did not kill.
MUTANTS_WORKERS ?= 1
mutants: $(INSTALLED)
	@test -n "$(MODULE)" || { echo "usage: make mutants MODULE=duality [SURVIVORS=1]"; exit 2; }
	$(BIN)/python tests/mutants.py $(MODULE) --max-children $(MUTANTS_WORKERS) \
		$(if $(SURVIVORS),--survivors)

# The book as a PDF through Jupyter Book's LaTeX builder (execution cache, as `make book`), and the
# problem sheets as a document of their own (book/_ext/course_material.py). Not part of `make
# test`: Debian's TeX takes minutes to install, which this target does itself (as root) when a
# package is missing. Explorers appear as their first frame (the image/png of their output).
TEX_PACKAGES := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	texlive-xetex latexmk texlive-fonts-extra
pdf: $(INSTALLED)
	@missing=$$(for p in $(TEX_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "TeX packages missing: $$missing; installing Debian's packages (needs root)."; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi
	$(BIN)/jupyter-book build . --builder pdflatex -n --keep-going
	test -s $(BUILD)/latex/twolayer.pdf && test -s $(BUILD)/latex/problem_sheets.pdf
	if [ -d $(BUILD)/html ]; then cp $(BUILD)/latex/twolayer.pdf $(BUILD)/latex/problem_sheets.pdf \
		$(BUILD)/html/; fi
	@echo "The PDFs are $(CURDIR)/$(BUILD)/latex/twolayer.pdf and problem_sheets.pdf; the next" \
		"book build links them from the course page."

clean:
	rm -rf $(BUILD) $(VENV) node_modules src/*.egg-info build
