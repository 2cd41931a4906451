"""The hand-kept stub _core.pyi matches the compiled module.

mypy comes with the test extra; without it this test fails rather than skips.
"""

import subprocess
import sys


def test_stub_matches_compiled_module():
    res = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "acsa._core"], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Success" in res.stdout, res.stdout
