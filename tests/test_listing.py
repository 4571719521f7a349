"""dlbook.listing shows real source, whole, and refuses what has none."""

from __future__ import annotations

import ast

import pytest

from dlbook import inception, listing


def test_source_text_is_the_functions_own_code_and_parses():
    text = listing.source_text(inception.conv_bn_relu, inception.inception_module)
    tree = ast.parse(text)
    assert [node.name for node in tree.body] == ["conv_bn_relu", "inception_module"]
    assert "layers.Concatenate" in text


def test_methods_are_dedented():
    class Example:
        def method(self):
            return 1

    assert listing.source_text(Example.method).startswith("def method(self):")


def test_show_source_prints_a_python_block_outside_jupyter(capsys):
    listing.show_source(inception.augmentation)
    out = capsys.readouterr().out
    assert out.startswith("```python\ndef augmentation(") and out.rstrip().endswith("```")


@pytest.mark.parametrize("bad", [len, 3])
def test_objects_without_source_are_refused(bad):
    with pytest.raises(ValueError, match="no source"):
        listing.source_text(bad)


def test_nothing_to_show_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        listing.source_text()
