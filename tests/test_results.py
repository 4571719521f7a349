import json

import numpy as np
import pytest

from dlbook import results


@pytest.fixture(autouse=True)
def fresh():
    results.clear()
    yield
    results.clear()


def test_results_are_written_where_the_executor_asks(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    monkeypatch.setenv(results.RESULTS_FILE_VAR, str(target))
    results.record_results(scan_accuracy=np.float32(0.8), folds=np.int64(5))
    assert results.record_results(scan_auc=0.9) == pytest.approx({"scan_accuracy": 0.8, "folds": 5, "scan_auc": 0.9})
    assert json.loads(target.read_text()) == pytest.approx({"scan_accuracy": 0.8, "folds": 5.0, "scan_auc": 0.9})


def test_without_the_executor_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv(results.RESULTS_FILE_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert results.record_results(test_accuracy=0.7) == {"test_accuracy": 0.7}
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.8", True, None])
def test_only_finite_numbers_are_results(bad):
    with pytest.raises(ValueError, match="finite number"):
        results.record_results(test_accuracy=bad)
