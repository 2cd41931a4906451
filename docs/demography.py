"""The electorate's demography, derived from the reference data (docs/ODD.md, section 7.3.6).

    python docs/demography.py            # the fit and its checks
    python docs/demography.py --write    # also rewrite python/acsa/data/demography.csv

1. A Gompertz mortality law mu(a) = A e^(B a), fitted to Statistics Korea's 2017 life table
   (life expectancy at 40 and at 60, both sexes), with the table's other figures as checks.
2. Cohort sizes: the number of people of each birth year who reach 18. From 1970 on they are
   Statistics Korea's registered births; before 1970 they come from the July 2023 resident
   registration (the 1958, 1961 and 1969 cohorts) carried back to 18 by the law, and from
   three anchors (1925, 1950, 1954) chosen so that the model's population matches the
   December 2023 counts aged 65-69 and 70+ and the January 2013 share aged 65+.
3. The checks: the other registration figures of population.csv against the same numbers
   computed from the cohort sizes and the law.

The core reads the results from python/acsa/data/demography.csv (src/demography.rs embeds
it); `tests/test_demography.py` runs this derivation and checks that the file holds them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.integrate import quad
from scipy.optimize import fsolve

DATA = Path(__file__).resolve().parents[1] / "python" / "acsa" / "data" / "population.csv"
RESULTS = DATA.with_name("demography.csv")
ADULT = 18
OLDEST = 110


def data() -> pd.DataFrame:
    return pd.read_csv(DATA, dtype={"date": str})


def value(metric: str, date: str | None = None) -> float:
    d = data()
    rows = d[(d["metric"] == metric) & ((d["date"] == date) if date else True)]
    if len(rows) != 1:
        raise KeyError(f"{metric} {date}: {len(rows)} rows")
    return float(rows["value"].iloc[0])


def survival(a, A: float, B: float):
    """Survival from birth to age a under mu(a) = A e^(B a)."""
    return np.exp(-A / B * (np.exp(B * np.asarray(a, float)) - 1.0))


def life_expectancy(x: float, A: float, B: float) -> float:
    return quad(lambda t: survival(t, A, B), x, 150)[0] / survival(x, A, B)


def fit_gompertz() -> tuple[float, float]:
    """A and B such that e(40) and e(60) match the 2017 life table."""
    e40, e60 = value("life_expectancy_at_40"), value("life_expectancy_at_60")

    def gap(p):
        A, B = np.exp(p[0]), p[1]
        return [life_expectancy(40, A, B) - e40, life_expectancy(60, A, B) - e60]

    log_a, b = fsolve(gap, [np.log(3e-5), 0.09])
    return float(np.exp(log_a)), float(b)


def births() -> dict[int, float]:
    d = data()
    rows = d[d["metric"] == "births"]
    return {int(y): float(v) for y, v in zip(rows["date"], rows["value"]) if int(y) >= 1970}


def cohort_anchors(A: float, B: float) -> dict[int, float]:
    """Birth year -> thousands reaching 18 (linear in between; flat before 1925)."""
    registered = {1958: "cohort_born_1958", 1961: "largest_single_year_cohort_born_1961", 1969: "cohort_born_1969"}
    july_2023 = 2023.54

    def anchors(p):
        a = {1925: p[0], 1950: p[1], 1954: p[2]}
        for year, metric in registered.items():
            alive = 1000 * value(metric, "2023-07")
            a[year] = alive * survival(ADULT, A, B) / survival(july_2023 - year - 0.5, A, B)
        a.update(births())
        return dict(sorted(a.items()))

    def gap(p):
        c = anchors(p)
        return [
            population(2023.96, c, A, B, 65, 70) - 1000 * (value("population_aged_65_plus", "2023-12") - value("population_aged_70_plus", "2023-12")),
            population(2023.96, c, A, B, 70, OLDEST + 1) - 1000 * value("population_aged_70_plus", "2023-12"),
            population(2013.0, c, A, B, 65, OLDEST + 1) / population(2013.0, c, A, B, 0, OLDEST + 1)
            - value("population_aged_65_plus_share", "2013-01") / 100,
        ]

    p = fsolve(gap, [300.0, 500.0, 650.0])
    return {year: round(size, 1) for year, size in anchors(p).items()}


def cohort_size(year, anchors: dict[int, float]):
    return np.interp(year, list(anchors), list(anchors.values()))


def population(date: float, anchors, A: float, B: float, lo: int = ADULT, hi: int = OLDEST + 1) -> float:
    """Thousands aged lo..hi-1 at `date` (children counted at their births: no child deaths)."""
    age = np.arange(lo, hi) + 0.5
    alive = np.where(age < ADULT, 1.0, survival(age, A, B) / survival(ADULT, A, B))
    return float(np.sum(cohort_size(np.floor(date - age), anchors) * alive))


def results() -> pd.DataFrame:
    """The rows of demography.csv: the law's two coefficients, then the cohort sizes."""
    A, B = fit_gompertz()
    source = "docs/demography.py: fit to Statistics Korea life table 2017, e(40) and e(60)"
    rows = [("gompertz_a", "", float(f"{A:.4g}"), "per year", source),
            ("gompertz_b", "", float(f"{B:.4g}"), "per year of age", source)]
    for year, size in cohort_anchors(A, B).items():
        how = "registered births" if year >= 1970 else "resident registration 2023 carried back" if year in (1958, 1961, 1969) else "anchor fitted to the 65-69, 70+ and 65+ counts"
        rows.append(("cohort_reaching_18", str(year), size, "thousand", f"docs/demography.py: {how}"))
    return pd.DataFrame(rows, columns=["quantity", "birth_year", "value", "unit", "source"])


def main() -> None:
    A, B = fit_gompertz()
    print(f"Gompertz law: A = {A:.4g} per year, B = {B:.4g} per year of age (doubling every {np.log(2) / B:.1f} years)")
    for label, model, record in [
        ("e(0)", life_expectancy(0, A, B), value("life_expectancy_at_birth")),
        ("survival to 65", 100 * survival(65, A, B), (value("survival_to_65_men") + value("survival_to_65_women")) / 2),
        ("survival to 80", 100 * survival(80, A, B), (value("survival_to_80_men") + value("survival_to_80_women")) / 2),
    ]:
        print(f"  {label}: {model:.1f} (life table {record:.1f}, mean of men and women)")
    anchors = cohort_anchors(A, B)
    print("Cohort sizes (thousands reaching 18):", ", ".join(f"{y}: {v:g}" for y, v in anchors.items()))
    print("Checks against the resident registration:")
    for label, model, record in [
        ("20-29, Dec 2023 (thousands)", population(2023.96, anchors, A, B, 20, 30), 1000 * value("population_aged_20_29", "2023-12")),
        ("total, Dec 2023 (thousands)", population(2023.96, anchors, A, B, 0), 1000 * value("population_total", "2023-12")),
        ("1971 cohort, Jul 2023 (thousands)", population(2023.54, anchors, A, B, 52, 53), 1000 * value("cohort_born_1971", "2023-07")),
    ]:
        print(f"  {label}: {model:.0f} (registration {record:.0f})")
    for date, when in [("2017-01", 2017.0), ("2019-12", 2019.96), ("2022-04", 2022.3), ("2024-07", 2024.52)]:
        share = 100 * population(when, anchors, A, B, 65) / population(when, anchors, A, B, 0)
        print(f"  65+ share, {date}: {share:.2f}% (registration {value('population_aged_65_plus_share', date):.2f}%)")


if __name__ == "__main__":
    import sys

    main()
    if "--write" in sys.argv[1:]:
        results().to_csv(RESULTS, index=False)
        print(f"wrote {RESULTS}")
