"""The benchmark scripts run end to end (in the quick profile, on generated data)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_inception_benchmark_prints_both_accuracies_and_their_ratio():
    env = {**os.environ, "DLBOOK_PROFILE": "quick"}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "inception.py"), "--seconds", "30"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.strip().startswith("ours:") and "test accuracy" in line for line in lines)
    assert any(line.strip().startswith("write-up:") and "test accuracy" in line for line in lines)
    assert any(line.startswith("ratio ours / write-up:") for line in lines)
