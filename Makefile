# The two commands: `make book` builds the website, `make test` runs every test.
# Both create .venv and install the pinned requirements first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COLAB_VENV ?= .venv-colab
COLAB_STAMP := $(COLAB_VENV)/.installed
COLAB_KERNEL := dlbook-colab
NB ?= notebooks/*.ipynb

.PHONY: setup colab-env browser book pdf test execute timings bench-inception clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $(STAMP)

setup: $(STAMP)

# The notebook tests run in a Colab-like kernel: Colab's preinstalled packages, without
# dlbook and keras-tuner (tests/colab-requirements.txt), registered in .venv as a kernel.
$(COLAB_STAMP): tests/colab-requirements.txt constraints.txt $(STAMP)
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/colab-requirements.txt -c constraints.txt
	$(COLAB_VENV)/bin/python -m ipykernel install --prefix $(VENV) --name $(COLAB_KERNEL) --display-name "Python 3 (Colab-like)" >/dev/null 2>&1
	touch $(COLAB_STAMP)

colab-env: $(COLAB_STAMP)

book: setup
	$(BIN)/python -m dlbook.overview
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The website is in _build/html/index.html"

# The whole book as one PDF, offline: a single-page HTML build printed by headless Chromium
# once every figure has loaded and MathJax has typeset every formula (src/dlbook/pdf.py).
pdf: setup browser
	$(BIN)/python -m dlbook.overview
	$(BIN)/jupyter-book build . --builder singlehtml -W -n --keep-going
	@# The single page is written to book/intro.html but its links are relative to the build's root.
	cp _build/singlehtml/book/intro.html _build/singlehtml/book.html
	$(BIN)/python -m dlbook.pdf --site _build/singlehtml --page book.html --out _build/book.pdf

# Headless Chromium for the website tests (tests/test_website.py), from Debian's archive.
# Where it cannot be installed (not root, no apt-get), those tests are skipped and say why.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium and chromium-driver for the website tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium chromium-driver >/dev/null) \
	  || echo "could not install Chromium: the website tests will be skipped"; \
	else echo "no Chromium, and no root/apt-get to install it: the website tests will be skipped"; fi

# Notebooks run under nbval in the Colab-like kernel; their setup cells install dlbook from
# this checkout (DLBOOK_PIP_SOURCE) instead of GitHub. tests/conftest.py uninstalls it from
# that kernel before each notebook, so every notebook starts as in a fresh Colab runtime.
test: setup colab-env browser
	DLBOOK_PROFILE=quick DLBOOK_PIP_SOURCE=$(CURDIR) $(BIN)/python -m pytest --nbval-kernel-name $(COLAB_KERNEL)

# Re-execute notebooks in a real profile (DLBOOK_PROFILE=cpu|gpu, default by hardware)
# and store their outputs and provenance: `make execute NB=notebooks/conv-backprop.ipynb`.
execute: setup
	$(BIN)/python -m dlbook.execute $(NB)

# Time every notebook in the quick profile (what CI runs) without touching its stored
# outputs; the landing page shows these times next to the stored profile's.
timings: setup
	DLBOOK_PROFILE=quick $(BIN)/python -m dlbook.execute --time-only $(NB)

# Benchmark (not a test): our Inception net vs the write-ups' model at equal wall time
# on the real CIFAR-10, in the cpu profile unless DLBOOK_PROFILE says otherwise.
bench-inception: setup
	DLBOOK_PROFILE=$${DLBOOK_PROFILE:-cpu} $(BIN)/python benchmarks/inception.py

clean:
	rm -rf _build build book/_generated
