"""Layer tables: formulas with their numbers, checked against what Keras builds."""

from __future__ import annotations

import keras
import pytest

from dlbook.layer_tables import FormulaMismatch, describe, layer_table, length_formula
from dlbook.layers import LocallyConnected2D


def test_length_formula_text():
    assert length_formula(500, 3, 1, "valid", 498) == "⌊(500−3)/1⌋+1 = 498"
    assert length_formula(500, 3, 3, "same", 167) == "⌈500/3⌉ = 167"


def test_table_of_a_model_with_every_supported_kind():
    model = keras.Sequential([
        keras.Input((12, 12, 3)), keras.layers.Conv2D(4, 3, strides=2, padding="same"),
        keras.layers.AveragePooling2D(2), LocallyConnected2D(2, 2), keras.layers.Flatten(),
        keras.layers.Dense(5)])
    rows = layer_table(model, (12, 12, 3))
    assert [row[0] for row in rows] == ["Conv2D", "AveragePooling2D", "LocallyConnected2D",
                                        "Flatten", "Dense"]
    assert [row[1] for row in rows] == [(6, 6, 4), (3, 3, 4), (2, 2, 2), (8,), (5,)]
    assert [row[3] for row in rows] == [112, 0, 4 * (2 * 2 * 4 * 2 + 2), 0, 45]
    assert rows[0][4] == "⌈12/2⌉ = 6, ⌈12/2⌉ = 6" and rows[0][5] == "(3·3·3 + 1)·4"
    assert rows[2][5] == "4·(2·2·4·2 + 2)"


def test_a_layer_without_a_formula_is_refused():
    with pytest.raises(ValueError, match="no formula for GlobalAveragePooling2D"):
        describe(keras.layers.GlobalAveragePooling2D(), (4, 4, 3))
    with pytest.raises(ValueError, match="dilated"):
        describe(keras.layers.Conv1D(2, 3, dilation_rate=2), (20, 1))


def test_a_disagreement_with_keras_is_reported():
    class Wider(keras.layers.Dense):  # builds one unit more than it declares
        def build(self, input_shape):
            self.units += 1
            super().build(input_shape)
            self.units -= 1
    model = keras.Sequential([keras.Input((3,)), Wider(2)])
    with pytest.raises(FormulaMismatch, match="Keras built"):
        layer_table(model, (3,))
