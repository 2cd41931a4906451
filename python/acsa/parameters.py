"""The table of model parameters: path, default, unit, range, description."""

from __future__ import annotations

import pandas as pd

from . import _core

__all__ = ["parameters"]

_COLUMNS = ["path", "default", "unit", "min", "max", "description"]


def parameters() -> pd.DataFrame:
    """Every scenario parameter with its default, unit and valid range.

    Indexed by dotted path, the name used by `Scenario.replace`, sweep grids
    and ``acsa run --set``.
    """
    rows = _core.parameters()
    extra = [k for row in rows for k in row if k not in _COLUMNS]
    columns = _COLUMNS + list(dict.fromkeys(extra))
    df = pd.DataFrame(rows, columns=columns)
    return df.set_index("path")
