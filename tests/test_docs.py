"""docs/ODD.md: the section 9 parameter table matches `acsa.parameters()`.

Every scenario parameter has exactly one row, no row names a parameter that does not
exist, and each row's default is the parameter's default (numbers compared numerically,
booleans, strings and lists by their text).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest

import acsa

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"

# A table row whose first cell is a backticked dotted path: | `voters.n` | ...
PATH_ROW = re.compile(r"^\s*\|\s*`([^`]+)`\s*\|")
# Cell separators: pipes not escaped with a backslash.
CELL_SPLIT = re.compile(r"(?<!\\)\|")
# Characters that may appear inside a number in the doc without changing it.
NUMBER_NOISE = str.maketrans({" ": "", "\u00a0": "", "\u2009": "", "\u202f": "", ",": "", "_": ""})


def section(text: str, number: str) -> str:
    """The body of `## <number>.` up to the next level-2 heading."""
    m = re.search(rf"^##\s+{re.escape(number)}\.?\s.*$", text, flags=re.M)
    assert m, f"docs/ODD.md has no section {number}"
    rest = text[m.end():]
    nxt = re.search(r"^##\s", rest, flags=re.M)
    return rest[: nxt.start()] if nxt else rest


def cells(line: str) -> list[str]:
    """Cells of a markdown table row, without the outer pipes, stripped."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [c.strip().replace("\\|", "|") for c in CELL_SPLIT.split(line)]


def parameter_rows(text: str) -> list[tuple[str, str]]:
    """(path, default text) of every parameter row of section 9's parameter table.

    The default column is found by its header ("default") in the table the rows belong
    to, so added or reordered columns do not break the parsing.
    """
    rows: list[tuple[str, str]] = []
    in_table = False
    default_col: int | None = None  # None: not the parameter table
    for line in section(text, "9").splitlines():
        if not line.strip().startswith("|"):
            in_table = False  # a table ends at the first line that is not a row
            continue
        row = cells(line)
        if not in_table:  # the first row of a table is its header
            in_table = True
            header = [strip_code(c).lower() for c in row]
            is_parameter_table = "path" in header and "default" in header
            default_col = header.index("default") if is_parameter_table else None
            continue
        m = PATH_ROW.match(line)
        if m is None or default_col is None:
            continue
        assert len(row) > default_col, f"parameter row without a default cell: {line!r}"
        rows.append((m.group(1).strip(), row[default_col]))
    return rows


def strip_code(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "`*":
        text = text[1:-1].strip()
    return text


def as_text(value: object) -> str:
    """Canonical text of a non-numeric default: JSON for booleans and lists, else str."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def normalised(text: str) -> str:
    """Text with quotes and whitespace removed and case folded, for textual comparison."""
    return re.sub(r"[\s\"']", "", text).lower()


def default_matches(doc: str, value: object) -> bool:
    doc = strip_code(doc)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if value is None:
            return normalised(doc) in {"", "null", "none", "—", "-"}
        return normalised(doc) == normalised(as_text(value))
    number = doc.translate(NUMBER_NOISE).replace("\u2212", "-").replace("×10^", "e").replace("x10^", "e")
    try:
        parsed = float(number)
    except ValueError:
        return False
    return math.isclose(parsed, float(value), rel_tol=1e-9, abs_tol=1e-12)


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str]]:
    found = parameter_rows(ODD.read_text(encoding="utf-8"))
    assert found, "no parameter rows found in section 9 of docs/ODD.md"
    return found


@pytest.fixture(scope="module")
def table():
    return acsa.parameters()


def test_every_parameter_has_exactly_one_row(rows, table):
    counts = Counter(path for path, _ in rows)
    missing = [p for p in table.index if counts[p] == 0]
    repeated = sorted(p for p, n in counts.items() if n > 1)
    assert not missing and not repeated, (
        f"docs/ODD.md section 9: parameters without a row: {missing}; "
        f"parameters with more than one row: {repeated}"
    )


def test_no_row_names_an_unknown_parameter(rows, table):
    known = set(table.index)
    unknown = [path for path, _ in rows if path not in known]
    assert not unknown, f"docs/ODD.md section 9 documents parameters that do not exist: {unknown}"


def test_row_defaults_match_the_code(rows, table):
    known = set(table.index)
    wrong = [
        f"{path}: doc {doc!r}, code {table.at[path, 'default']!r}"
        for path, doc in rows
        if path in known and not default_matches(doc, table.at[path, "default"])
    ]
    assert not wrong, "defaults in docs/ODD.md section 9 differ from the code:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("doc", "value", "same"),
    [
        ("0.43", 0.43, True),
        ("0.45", 0.43, False),
        ("20000", 20000, True),
        ("20 000", 20000, True),
        ("2e+07", 20_000_000, True),
        ("−0.2", -0.2, True),
        ("`1`", 1.0, True),
        ("true", True, True),
        ("false", True, False),
        ("1", True, False),
        ("watts_strogatz", "watts_strogatz", True),
        ("`sbm`", "watts_strogatz", False),
        ('["sarex", "gsomia"]', ["sarex", "gsomia"], True),
        ('["sarex"]', ["sarex", "gsomia"], False),
        ("n/a", 0.5, False),
    ],
)
def test_default_comparison(doc, value, same):
    assert default_matches(doc, value) is same


def test_parser_reads_reformatted_rows():
    text = (
        "## 9. Parameters\n\n"
        "|  path | unit | default |\n|---|---|---|\n"
        "|`a.b`|share|  0.5 |\n"
        "| `c` | x \\| y | `true` |\n\n"
        "| Constant | Value |\n|---|---|\n| `NOT_A_PATH` | 3 |\n\n"
        "## 10. Next\n| `d` | 1 |\n"
    )
    assert parameter_rows(text) == [("a.b", "0.5"), ("c", "`true`")]
