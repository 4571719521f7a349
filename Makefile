# The two commands: `make book` builds the website, `make test` runs every test.
# Both create .venv and install the pinned requirements first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?= notebooks/*.ipynb

.PHONY: setup book test execute bench-inception clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $(STAMP)

setup: $(STAMP)

book: setup
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The website is in _build/html/index.html"

test: setup
	DLBOOK_PROFILE=quick $(BIN)/python -m pytest

# Re-execute notebooks in a real profile (DLBOOK_PROFILE=cpu|gpu, default by hardware)
# and store their outputs and provenance: `make execute NB=notebooks/conv-backprop.ipynb`.
execute: setup
	$(BIN)/python -m dlbook.execute $(NB)

# Benchmark (not a test): our Inception net vs the write-ups' model at equal wall time
# on the real CIFAR-10, in the cpu profile unless DLBOOK_PROFILE says otherwise.
bench-inception: setup
	DLBOOK_PROFILE=$${DLBOOK_PROFILE:-cpu} $(BIN)/python benchmarks/inception.py

clean:
	rm -rf _build
