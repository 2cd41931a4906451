"""A live view in the notebook: a slider for each main lever; moving one re-runs and redraws.

    from acsa.explorer import Explorer
    Explorer()                         # in a Jupyter cell: sliders, and P(viable by date) below them

Each change of a slider runs `replicates` runs of the scenario with the
levers' values (a small sweep, all cores) and redraws P(viable ACSA by
date) with its 95% band, and P(viable within the horizon) with its Wilson
interval in the title. The levers and their ranges are those of the
viability study (`acsa.study.LEVERS`) unless given. Needs ipywidgets
(``pip install 'acsa[analysis]'``).
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping

from ._core import ConfigError
from .scenario import Scenario, as_scenario

__all__ = ["Explorer"]


class Explorer:
    """Sliders for the main levers, re-running a small sweep and redrawing on every change.

    scenario: the starting point (default: the 2026 baseline with `voters` voters).
    levers: {path: (low, high)} (default: `acsa.study.LEVERS`).
    replicates: runs per redraw; seed: the root seed of every redraw (so moving a slider
        back gives the same picture).
    Attributes: `sliders` ({path: FloatSlider}), `sweep` (the last sweep), `figure` (the
    last figure), `widget` (the whole view).
    """

    def __init__(
        self,
        scenario: Scenario | Mapping[str, Any] | None = None,
        levers: Mapping[str, tuple[float, float]] | None = None,
        replicates: int = 16,
        voters: int | None = 2000,
        seed: int = 0,
    ):
        try:
            import ipywidgets as w
        except ImportError:
            raise ImportError("the explorer needs ipywidgets: pip install 'acsa[analysis]'") from None
        from . import designs, plots, study

        sc = as_scenario(scenario)
        if voters is not None:
            sc = sc.replace({"voters.n": voters})
        self.scenario = sc
        problem = designs.as_problem(dict(levers if levers is not None else study.LEVERS))
        self.replicates = int(replicates)
        self.seed = int(seed)
        self.sweep: Any = None
        self.figure: Any = None
        self.sliders: dict[str, Any] = {}
        for name, (lo, hi) in zip(problem["names"], problem["bounds"]):
            value = min(max(float(sc[name]), lo), hi)
            slider = w.FloatSlider(value=value, min=lo, max=hi, step=(hi - lo) / 100, description=plots.label(name),
                                   continuous_update=False, readout_format=".3g",
                                   style={"description_width": "initial"}, layout=w.Layout(width="520px"))
            slider.observe(self._changed, names="value")
            self.sliders[name] = slider
        self.output = w.Output()
        self.status = w.HTML()
        self.widget = w.VBox([*self.sliders.values(), self.status, self.output])
        self.run()

    @property
    def values(self) -> dict[str, float]:
        """The levers' values as the sliders stand."""
        return {name: float(s.value) for name, s in self.sliders.items()}

    def run(self) -> Any:
        """Run the scenario at the sliders' values and redraw; returns the sweep."""
        import matplotlib.pyplot as plt

        from . import plots
        from .sweep import sweep

        sc = self.scenario.replace(self.values)
        self.status.value = "<i>running...</i>"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            self.sweep = sweep(sc, None, replicates=self.replicates, seed=self.seed, progress=False)
        table = self.sweep.probability().iloc[0]
        title = (f"P(viable within {sc['horizon_weeks']} weeks) = {table.p:.2f} [{table.lo:.2f}, {table.hi:.2f}], "
                 f"{self.replicates} runs")
        if self.figure is not None:
            plt.close(self.figure)
        self.figure = plots.viable_by_date(self.sweep, title=title)
        self.status.value = ""
        self.output.clear_output(wait=True)
        with self.output:
            from IPython.display import display

            display(self.figure)
        return self.sweep

    def _changed(self, change: Any) -> None:
        try:
            self.run()
        except ConfigError as e:
            self.status.value = f"<b>acsa.ConfigError</b>: {e}"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
