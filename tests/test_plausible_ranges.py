"""docs/ODD.md section 9.3 lists the unsourced parameters that docs/validation.py moves one
at a time: each row must name a parameter of the model, inside its valid range."""

import importlib.util
from pathlib import Path

import pytest

import acsa

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ranges():
    spec = importlib.util.spec_from_file_location("validation", ROOT / "docs" / "validation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.plausible_ranges()


def test_every_row_is_a_parameter_and_its_ends_are_valid(ranges):
    assert len(ranges) > 20
    known = acsa.parameters()
    missing = sorted(set(ranges.index) - set(known.index))
    assert not missing, f"docs/ODD.md 9.3 lists parameters the model does not have: {missing}"
    base = acsa.Scenario.default()
    for path, r in ranges.iterrows():
        assert r["lo"] < r["hi"], path
        for end in (r["lo"], r["hi"]):
            base.replace({path: int(round(end)) if isinstance(base[path], int) else end})
