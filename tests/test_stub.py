"""The hand-kept stub _core.pyi matches the compiled module."""

import subprocess
import sys

import pytest


def test_stub_matches_compiled_module():
    pytest.importorskip("mypy")
    res = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "acsa._core"], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stdout + res.stderr
