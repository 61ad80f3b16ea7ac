# The compendium's commands. On a fresh machine with Python 3.11, `make book` and `make test` do all the
# set-up themselves (a virtual environment in .venv with the pinned packages, installed by uv).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
INSTALLED := $(VENV)/.installed

.PHONY: book book-force pdf test validate notebooks lock bench clean

# DATA=path points every patient-level notebook at another data folder in the documented schema
# (data/ipd_schema.md) instead of the shipped synthetic reconstruction; it is never written to. The path may
# hold spaces (make book DATA="/data/Centre A"); a relative one is taken from this folder. INTERNAL=1 shows
# real data patient by patient for the data holder's own checking, every page marked not for publication.
ifdef DATA
export COMPENDIUM_DATA := $(if $(filter /%,$(firstword $(DATA))),$(DATA),$(CURDIR)/$(DATA))
endif
ifeq ($(INTERNAL),1)
export COMPENDIUM_INTERNAL := 1
endif
# What the notebooks write; a failed build leaves none of it (nor the HTML) to pass for a fresh result.
BUILD_OUTPUTS := _build/html _build/results _build/audit _build/reconstruction

$(INSTALLED): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' \
	  || { echo "Set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	# Byte-compiled at install: with PYTHONDONTWRITEBYTECODE set (as on this machine) nothing else would
	# write .pyc files, and every kernel would compile pandas, scipy and matplotlib from source (about 3x
	# slower imports).
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $@

# The PDF and the browser test drive Debian's Chromium (Playwright's own browser download is not used).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	$$( [ "$$(id -u)" = 0 ] || echo sudo ) sh -c 'apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium > /dev/null'

# Everything a build reads: when none of it changed since the last good build, `make book` does nothing.
BOOK_INPUTS := $(shell find book notebooks lib/crs_compendium data _static -type f -not -path '*/__pycache__/*' \
  -not -name '*.ipynb') _config.yml _toc.yml requirements.txt
BOOK_STAMP := _build/.book-built

## book: build the HTML book into _build/html. Notebooks run two at a time into the execution cache
## (only those whose code, or whose lib/ and data/ inputs, changed); any notebook error or Sphinx warning
## fails the build. With DATA=path the book is built on that folder's patient data.
ifdef DATA
book: book-force
else
book: $(BOOK_STAMP)
endif

$(BOOK_STAMP): $(INSTALLED) $(CHROMIUM) $(BOOK_INPUTS)
	$(BIN)/python -m crs_compendium.build.execution
	$(BIN)/jupyter-book build . -W -n --keep-going || { rm -rf $(BUILD_OUTPUTS); exit 1; }
	$(BIN)/python -m crs_compendium.build.pdf || { rm -rf $(BUILD_OUTPUTS); exit 1; }
	touch $@

## book-force: the same with every notebook executed again (what the test command builds).
book-force: $(INSTALLED) $(CHROMIUM)
	$(BIN)/python -m crs_compendium.build.execution --force
	$(BIN)/jupyter-book build . -W -n --keep-going || { rm -rf $(BUILD_OUTPUTS); exit 1; }
	$(BIN)/python -m crs_compendium.build.pdf || { rm -rf $(BUILD_OUTPUTS); exit 1; }
	$(if $(DATA),rm -f,touch) $(BOOK_STAMP)

## pdf: the whole book as one PDF, _build/html/compendium.pdf (the single-page build printed by Chromium;
## notebooks come from the execution cache). `make book` writes it too.
pdf: $(INSTALLED) $(CHROMIUM)
	$(BIN)/python -m crs_compendium.build.pdf

## test: every test. First unit, environment and pairing tests and nbval over every notebook (each
## notebook executes once, and what nbval verified goes into the execution cache); then the -W book
## build from exactly those outputs and every page in headless Chromium.
# The tests run on the shipped synthetic cohort whatever DATA or INTERNAL say (nbval compares its outputs).
test: $(INSTALLED) $(CHROMIUM)
	env -u COMPENDIUM_DATA -u COMPENDIUM_INTERNAL $(BIN)/python -m pytest --ignore=tests/book/test_book.py
	env -u COMPENDIUM_DATA -u COMPENDIUM_INTERNAL COMPENDIUM_REQUIRE_CACHED=1 $(BIN)/python -m pytest -n 0 \
	  tests/book/test_book.py

## validate: check a patient-data folder against the schema and report every violation (DATA=path;
## default: the shipped synthetic reconstruction).
validate: $(INSTALLED)
	$(BIN)/python -m crs_compendium validate "$(or $(COMPENDIUM_DATA),data/synthetic_reconstruction)"

## notebooks: regenerate each .ipynb from its .md and execute it in place, refreshing the committed outputs
## (always from the synthetic cohort: the committed files are published, real data never go into them).
notebooks: $(INSTALLED)
	@$(if $(DATA),echo "make notebooks: the committed outputs come from the synthetic cohort; drop DATA=" >&2; exit 2,:)
	for md in notebooks/*.md; do \
	  $(BIN)/jupytext --quiet --to ipynb --update "$$md" && \
	  env -u COMPENDIUM_DATA -u COMPENDIUM_INTERNAL $(BIN)/jupyter execute --inplace "$${md%.md}.ipynb" || exit 1; \
	done
	$(BIN)/python tools/drop_execution_times.py notebooks/*.ipynb

## bench: cold build, no-op rebuild, serial raw execution, test command and site size, in one run.
bench: $(INSTALLED) $(CHROMIUM)
	$(BIN)/python tools/bench.py

## lock: re-resolve requirements.in into requirements.txt and environment.yml.
lock: $(INSTALLED)
	$(BIN)/uv pip compile requirements.in -o requirements.txt --python-version 3.11 --no-header --no-annotate
	$(BIN)/python tools/write_environment_yml.py

clean:
	rm -rf _build
