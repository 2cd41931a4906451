"""The electorate's demography: python/acsa/data/demography.csv, which the core embeds,
holds what docs/demography.py derives from the reference data."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def derivation():
    spec = importlib.util.spec_from_file_location("demography", ROOT / "docs" / "demography.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_file_holds_the_derivation(derivation):
    stored = pd.read_csv(ROOT / "python" / "acsa" / "data" / "demography.csv", dtype={"birth_year": str})
    fresh = derivation.results()
    assert list(stored["quantity"]) == list(fresh["quantity"])
    assert list(stored["birth_year"].fillna("")) == list(fresh["birth_year"])
    assert stored["value"].to_numpy() == pytest.approx(fresh["value"].to_numpy(), rel=1e-3)


def test_the_law_reproduces_the_life_table(derivation):
    A, B = derivation.fit_gompertz()
    assert derivation.life_expectancy(40, A, B) == pytest.approx(derivation.value("life_expectancy_at_40"), abs=0.05)
    assert derivation.life_expectancy(60, A, B) == pytest.approx(derivation.value("life_expectancy_at_60"), abs=0.05)
    # Checks the fit did not use: life expectancy at birth and survival to 65.
    assert derivation.life_expectancy(0, A, B) == pytest.approx(derivation.value("life_expectancy_at_birth"), abs=1.0)
    survival_65 = (derivation.value("survival_to_65_men") + derivation.value("survival_to_65_women")) / 2
    assert 100 * derivation.survival(65, A, B) == pytest.approx(survival_65, abs=1.0)
