"""The book's own machinery: what builds, checks and publishes the book, not what its chapters use.

Readers' Colab runtimes install ``dlbook`` (``src/dlbook``), the helpers the
notebooks import. This package is not installed anywhere: it is run from the
repository's root (``python -m booktools.execute``, ``make`` does that) and
imported by the tests (``pythonpath`` in ``pyproject.toml``).

* :mod:`booktools.freshness` - which source a notebook's stored outputs come
  from (its code cells and the ``dlbook`` modules it runs), and whether they
  still do;
* :mod:`booktools.execute` - ``make execute`` / ``make timings``;
* :mod:`booktools.overview` - the landing page's generated chapter cards;
* :mod:`booktools.links` - the badges and setup-cell pip sources derived from
  ``_config.yml``;
* :mod:`booktools.pdf` and :mod:`booktools.browser` - ``make pdf`` and the
  headless Chromium the website tests share with it.
"""
