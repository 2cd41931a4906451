"""The project's version is one number, wherever it is written."""

import re
import sys
from pathlib import Path

import acsa

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_versions_agree():
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text(encoding="utf-8"))["package"]["version"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    citation = re.search(r'^version:\s*"?([^"\s]+)"?\s*$', (ROOT / "CITATION.cff").read_text(encoding="utf-8"), re.M)
    odd = re.search(r"model version (\d+\.\d+\.\d+)", (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8"))
    assert citation and odd
    versions = {"Cargo.toml": cargo, "pyproject.toml": pyproject, "CITATION.cff": citation[1], "docs/ODD.md": odd[1]}
    assert len(set(versions.values())) == 1, versions
    assert acsa.MODEL_VERSION.startswith(cargo + "+")
    assert acsa.__version__ == pyproject
