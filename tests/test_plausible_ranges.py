"""docs/ODD.md section 9.3 lists the unsourced parameters that docs/validation.py moves one
at a time: each row must name a parameter of the model, inside its valid range; every
parameter that section 9.1 marks as unsourced has a row, and no other; and the sensitivity
table of docs/VALIDATION.md has the same parameters at the same ends."""

import importlib.util
import math
import re
from pathlib import Path

import pytest

import acsa

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
REPORT = ROOT / "docs" / "VALIDATION.md"
# The markings that open the "source or reason" of a default no data source pins down (ODD 9.1).
UNSOURCED = ("Calibration choice", "Calibrated on 2012–2017")
ROW = re.compile(r"^\| `([\w.]+)` \|(.*)\|$", re.M)


@pytest.fixture(scope="module")
def validation():
    spec = importlib.util.spec_from_file_location("validation", ROOT / "docs" / "validation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ranges(validation):
    return validation.plausible_ranges()


def unsourced(text: str) -> set[str]:
    """The parameters of section 9.1 (Japan's voters, full mode only, apart) whose source or
    reason, the last cell of the row, opens with one of the `UNSOURCED` markings."""
    body = text[text.index("\n### 9.1") : text.index("**Japan's voters**")]
    return {m[1] for m in ROW.finditer(body) if m[2].split("|")[-1].strip().startswith(UNSOURCED)}


def block(marker: str) -> str:
    text = REPORT.read_text(encoding="utf-8")
    m = re.search(rf"<!-- {marker}:start -->\n(.*?)<!-- {marker}:end -->", text, flags=re.S)
    assert m, f"docs/VALIDATION.md has no {marker} markers"
    return m[1]


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


def test_every_unsourced_parameter_has_a_range_and_only_those(ranges):
    marked = unsourced(ODD.read_text(encoding="utf-8"))
    assert {"executive.hurdle", "voters.stubbornness"} <= marked  # one of each marking
    without = sorted(marked - set(ranges.index))
    assert not without, f"docs/ODD.md 9.1 marks these unsourced but 9.3 gives no plausible range: {without}"
    unmarked = sorted(set(ranges.index) - marked)
    assert not unmarked, f"docs/ODD.md 9.3 bounds parameters 9.1 does not mark as unsourced: {unmarked}"


def test_the_marking_is_read_from_the_reason_cell():
    text = (
        "\n### 9.1 Parameters\n| path | default | source or reason |\n|---|---|---|\n"
        "| `a.b` | 1 | Calibration choice: a judgement. |\n"
        "| `c.d` | 2 | Calibrated on 2012–2017 alone. |\n"
        "| `e.f` | 3 | Gallup Korea 2024; not a calibration choice. |\n"
        "| `g.h` | 4 | Calibrated so that the survey level is met. |\n"
        "**Japan's voters**\n| `i.j` | 5 | Calibration choice. |\n"
    )
    assert unsourced(text) == {"a.b", "c.d"}


def test_the_sensitivity_table_moves_each_range_to_its_ends(ranges):
    rows = {m[1]: [c.strip() for c in m[2].split("|")] for m in ROW.finditer(block("sensitivity"))}
    assert sorted(rows) == sorted(ranges.index), "rerun python docs/validation.py --only sensitivity"
    for path, r in ranges.iterrows():
        _, lo, _, hi, _, _ = rows[path]
        assert math.isclose(float(lo), r["lo"]) and math.isclose(float(hi), r["hi"]), (
            f"{path}: the table moves it to {lo} and {hi}, docs/ODD.md 9.3 to {r['lo']:g} and {r['hi']:g}; "
            "rerun python docs/validation.py --only sensitivity"
        )


def test_the_pressure_table_has_each_level(validation):
    levels = [float(m[1]) for m in re.finditer(r"^\| ([\d.]+) \|", block("pressure"), re.M)]
    assert levels == list(validation.PRESSURE_LEVELS), "rerun python docs/validation.py --only sensitivity"
