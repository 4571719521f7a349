# The two commands: `make book` builds the website, `make test` runs every test.
# Both create .venv and install the pinned requirements first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?= notebooks/*.ipynb notebooks/exercises/*.ipynb

.PHONY: setup dlbook-wheel colab-env colab-requirements browser book pdf test test-unit test-unit-1 test-unit-2 test-notebooks test-notebooks-1 test-notebooks-2 test-colab test-colab-1 test-colab-2 test-numerics test-numerics-1 test-numerics-2 execute timings test-jax bench-inception bench-brain publish-config release student exercise-key clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $(STAMP)

setup: $(STAMP)

# The notebook tests run in a Colab-like kernel: the versions Colab publishes for its runtime
# (tests/colab-requirements.txt, made from tests/colab-pip-freeze.txt by tests/colab_requirements.py),
# without dlbook and keras-tuner, registered in .venv as a kernel. Colab runs Python 3.13, so the
# kernel uses a 3.13 interpreter where one runs (on PATH, or installed by pyenv), else $(PYTHON).
# There are two identical ones, .venv-colab-1 and .venv-colab-2 (kernels dlbook-colab-1 and -2), one
# per half of the notebooks: before each notebook the tests uninstall dlbook from its kernel's venv and
# its setup cell installs it again, so two halves running at once cannot share one venv.
COLAB_PYTHON ?= $(shell for p in python3.13 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13; do \
  "$$p" -c 'import sys, venv; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1 && { command -v "$$p"; break; }; done)
COLAB_VENVS := .venv-colab-1 .venv-colab-2
# The Colab-like venvs do not need .venv, so `make test` builds them while it builds .venv (-j); only
# each kernel's registration in .venv waits for both. The second is a copy of the first with its
# paths rewritten (seconds, where pip takes a minute).
.venv-colab-1/.packages: tests/colab-requirements.txt
	@[ -n "$(COLAB_PYTHON)" ] || echo "no Python 3.13 here: the Colab-like kernel uses $(PYTHON); Colab runs 3.13"
	rm -rf $(@D)
	$(or $(COLAB_PYTHON),$(PYTHON)) -m venv $(@D)
	$(@D)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(@D)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/colab-requirements.txt
	touch $@

.venv-colab-2/.packages: .venv-colab-1/.packages
	rm -rf $(@D)
	cp -a $(<D) $(@D)
	rm -f $(@D)/.installed
	grep -rlF "$(CURDIR)/$(<D)" $(@D)/bin $(@D)/pyvenv.cfg | xargs -r sed -i "s#$(CURDIR)/$(<D)#$(CURDIR)/$(@D)#g"
	touch $@

.venv-colab-%/.installed: .venv-colab-%/.packages $(STAMP)
	$(@D)/bin/python -m ipykernel install --prefix $(VENV) --name dlbook-colab-$* --display-name "Python 3 (Colab-like, $*)" >/dev/null 2>&1
	touch $@

# (kept: make would otherwise delete these stamps as intermediate files of the pattern rules)
.SECONDARY: $(COLAB_VENVS:%=%/.packages) $(COLAB_VENVS:%=%/.installed)

colab-env: $(COLAB_VENVS:%=%/.installed)

# Refresh tests/colab-requirements.txt from the copy of Colab's published list in tests/ (it says what
# moved); DOWNLOAD=1 first replaces that copy with the current one (needs GitHub). Then `make test`.
colab-requirements:
	$(PYTHON) tests/colab_requirements.py $(if $(DOWNLOAD),--download) --python $(or $(COLAB_PYTHON),$(PYTHON))

# Both editions: the English site in _build/html, the Persian edition (fa/) in _build/html/fa.
book: setup
	$(BIN)/python -m booktools.overview
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python -m booktools.overview --book-root fa
	$(BIN)/jupyter-book build fa -W -n --keep-going
	rm -rf _build/html/fa && cp -r fa/_build/html _build/html/fa
	@echo "The website is in _build/html/index.html, its Persian edition in _build/html/fa/index.html"

# The whole book as one PDF, offline: a single-page HTML build printed by headless Chromium
# once every figure has loaded and MathJax has typeset every formula (booktools/pdf.py); the
# Persian edition (fa/) likewise, right to left, as _build/book-fa.pdf.
pdf: setup browser
	$(BIN)/python -m booktools.overview
	$(BIN)/jupyter-book build . --builder singlehtml -W -n --keep-going
	@# The single page is written to book/intro.html but its links are relative to the build's root.
	cp _build/singlehtml/book/intro.html _build/singlehtml/book.html
	$(BIN)/python -m booktools.pdf --site _build/singlehtml --page book.html --out _build/book.pdf
	$(BIN)/python -m booktools.overview --book-root fa
	$(BIN)/jupyter-book build fa --builder singlehtml -W -n --keep-going
	cp fa/_build/singlehtml/book/intro.html fa/_build/singlehtml/book.html
	$(BIN)/python -m booktools.pdf --site fa/_build/singlehtml --page book.html --out _build/book-fa.pdf

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

# `make test` runs two passes, each printing when it is done:
#   test-unit       tests/: dlbook's unit tests, notebook hygiene and freshness, the book build,
#                   the website in Chromium;
#   test-notebooks  the setup-cell version check, then every notebook under nbval in the `quick`
#                   profile, in a Colab-like kernel (Colab's versions and Python), with other numerics
#                   than the stored outputs' (oneDNN off, one thread) and other training seeds
#                   (DLBOOK_SEED_OFFSET=1). Setup cells install dlbook from a wheel of this
#                   checkout (DLBOOK_PIP_SOURCE); tests/conftest.py uninstalls it before each notebook, so every
#                   notebook starts as in a fresh Colab runtime. The stored outputs come from .venv (the
#                   book's own pins) with oneDNN on, two threads and the written seeds, so every output
#                   nbval compares exactly must survive other versions, numerics and seeds at once, and
#                   what a chapter concludes from training must hold for other seeds.
# Each pass runs in two parts (-1, -2) of about equal time, and `make test` runs the four parts two at
# a time (-j2), the longest first, so that both cores stay busy to the end: the notebook halves by
# the running page's quick-profile times (a new notebook goes to the second half; move one across
# if the halves drift apart), the unit tests as the tests that train networks (and a few more, to even
# the halves) and the rest, which builds the website and opens it in Chromium.
# Two narrower passes run one kind of difference alone (not part of `make test`): test-colab, Colab's
# versions with TensorFlow's default numerics and the written seeds (the weekly colab-drift workflow
# runs it), and test-numerics, the other numerics and seeds in .venv.
# Each part ends its report with its slowest tests (notebook cells, under nbval): where the time goes.
DURATIONS ?= 12
NBVAL := DLBOOK_PROFILE=quick $(BIN)/python -m pytest --durations=$(DURATIONS)
OTHER_NUMERICS := TF_ENABLE_ONEDNN_OPTS=0 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=1 DLBOOK_SEED_OFFSET=1
NOTEBOOKS_1_CHAPTERS := learning-rate keras-tuner inception one-by-one-convolutions conv-backprop parameter-counts
# Each chapter's exercises (notebooks/exercises/) run in its half, after the chapters.
NOTEBOOKS_1 := $(NOTEBOOKS_1_CHAPTERS:%=notebooks/%.ipynb) $(NOTEBOOKS_1_CHAPTERS:%=notebooks/exercises/%.ipynb)
NOTEBOOKS_2 := $(filter-out $(NOTEBOOKS_1),$(sort $(wildcard notebooks/*.ipynb)) \
  $(sort $(wildcard notebooks/exercises/*.ipynb)))
UNIT_1 := tests/test_benchmarks.py tests/test_jax_backend.py tests/test_tuning.py tests/test_provenance.py \
  tests/test_inception.py tests/test_gpu_profile.py tests/test_trained_models.py tests/test_evaluation.py \
  tests/test_keypoints.py tests/test_exercises.py tests/test_overview.py tests/test_profiles.py tests/test_data.py \
  tests/test_translation.py
UNIT_2 := $(filter-out $(UNIT_1),$(sort $(wildcard tests/test_*.py)))
# The setup cells in the Colab-like kernels install dlbook from a wheel of this checkout, built once:
# two halves building it from the source tree at once would collide in its build/ folder.
DLBOOK_WHEEL_DIR := build/dlbook-wheel
DLBOOK_WHEEL := $(DLBOOK_WHEEL_DIR)/.built
COLAB_NBVAL = DLBOOK_PIP_SOURCE=$(wildcard $(CURDIR)/$(DLBOOK_WHEEL_DIR)/dlbook-*.whl) $(NBVAL)

test:
	$(MAKE) --no-print-directory -j3 --output-sync=target setup colab-env browser dlbook-wheel
	$(MAKE) --no-print-directory -k -j2 --output-sync=target test-notebooks-2 test-notebooks-1 \
	  test-unit-1 test-unit-2

test-unit: test-unit-1 test-unit-2

$(DLBOOK_WHEEL): $(STAMP) pyproject.toml $(shell find src/dlbook -type f -not -path '*/__pycache__/*')
	rm -rf $(DLBOOK_WHEEL_DIR)
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps -w $(DLBOOK_WHEEL_DIR) .
	touch $@

dlbook-wheel: $(DLBOOK_WHEEL)

test-unit-1: setup
	$(NBVAL) $(UNIT_1)

test-unit-2: setup browser
	$(NBVAL) $(UNIT_2)

test-notebooks: test-notebooks-1 test-notebooks-2

test-notebooks-1: setup colab-env dlbook-wheel
	$(OTHER_NUMERICS) $(COLAB_NBVAL) tests/test_colab_kernel.py $(NOTEBOOKS_1) --nbval-kernel-name dlbook-colab-1

test-notebooks-2: setup colab-env dlbook-wheel
	$(OTHER_NUMERICS) $(COLAB_NBVAL) $(NOTEBOOKS_2) --nbval-kernel-name dlbook-colab-2

test-colab: test-colab-1 test-colab-2

test-colab-1: setup colab-env dlbook-wheel
	$(COLAB_NBVAL) tests/test_colab_kernel.py $(NOTEBOOKS_1) --nbval-kernel-name dlbook-colab-1

test-colab-2: setup colab-env dlbook-wheel
	$(COLAB_NBVAL) $(NOTEBOOKS_2) --nbval-kernel-name dlbook-colab-2

test-numerics: test-numerics-1 test-numerics-2

test-numerics-1: setup
	$(OTHER_NUMERICS) $(NBVAL) $(NOTEBOOKS_1) --nbval-current-env

test-numerics-2: setup
	$(OTHER_NUMERICS) $(NBVAL) $(NOTEBOOKS_2) --nbval-current-env

# The chapters that also run on Keras' JAX backend, under nbval in .venv (not part of `make test`:
# XLA compiles each training step for minutes on a 2-core CPU; tests/test_jax_backend.py covers the
# dlbook code they use in `make test`).
JAX_NOTEBOOKS := notebooks/brain-tumor-classifier.ipynb notebooks/inception.ipynb notebooks/keras-tuner.ipynb
test-jax: setup
	KERAS_BACKEND=jax $(NBVAL) $(JAX_NOTEBOOKS) --nbval-current-env

# Re-execute notebooks in a real profile (DLBOOK_PROFILE=cpu|gpu, default by hardware)
# and store their outputs and provenance: `make execute NB=notebooks/conv-backprop.ipynb`.
execute: setup
	$(BIN)/python -m booktools.execute $(NB)

# Time every notebook in the quick profile (what CI runs) without touching its stored
# outputs; the landing page shows these times next to the stored profile's.
timings: setup
	DLBOOK_PROFILE=quick $(BIN)/python -m booktools.execute --time-only $(NB)

# Benchmark (not a test): our Inception net vs the write-ups' model at equal wall time
# on the real CIFAR-10, in the cpu profile unless DLBOOK_PROFILE says otherwise.
bench-inception: setup
	DLBOOK_PROFILE=$${DLBOOK_PROFILE:-cpu} $(BIN)/python benchmarks/inception.py $(ARGS)

# Benchmark (not a test): levers the brain chapter does not train (128 px, MRI shading),
# cross-validated with the chapter's own code against its network.
bench-brain: setup
	DLBOOK_PROFILE=$${DLBOOK_PROFILE:-cpu} $(BIN)/python benchmarks/brain.py $(ARGS)

# Point the book at its public home: `make publish-config REPO=owner/name` sets repository.url in
# _config.yml and rewrites every notebook's Colab badge and setup-cell pip source from it (the
# website's buttons derive from _config.yml). The publish workflow refuses to run until it is done.
publish-config: setup
	@[ -n "$(REPO)" ] || { echo "usage: make publish-config REPO=owner/name"; exit 2; }
	$(BIN)/python -m booktools.links --set-repository $(REPO)

# Release the dlbook in src/ (booktools/release.py): `make release VERSION=0.2.0` sets the version,
# opens its CHANGELOG.md section and points the setup cells at tag v0.2.0, which the publish workflow
# creates on main. Every change to src/dlbook needs one; the tests say so until it is made.
release: setup
	@[ -n "$(VERSION)" ] || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	$(BIN)/python -m booktools.release $(VERSION)

# The student edition: every exercise notebook without its solutions, and a zip of them,
# in build/student (booktools.student).
student: setup
	$(BIN)/python -m booktools.student build/student

# After editing notebooks/exercises/answers.toml: write the encoded key dlbook ships.
exercise-key: setup
	$(BIN)/python -m booktools.exercise_key

clean:
	rm -rf _build build book/_generated
