"""The acsa command line."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from acsa.cli import main
from acsa.sweep import open_sweep

ROOT = Path(__file__).resolve().parents[1]


def test_viability_quick(tmp_path, capsys):
    from acsa import study

    out = tmp_path / "viab"
    assert main(["viability", "--quick", "--no-progress", "--out", str(out)]) == 0
    for stem in ("viability_heatmap", "survival", "sensitivity"):
        for ext in ("png", "pdf", "svg"):
            assert (out / f"{stem}.{ext}").stat().st_size > 0, stem
    assert (out / "summary.pdf").read_bytes()[:4] == b"%PDF"
    table = pd.read_csv(out / "viability.csv")
    (y, ys), (x, xs) = study.AXES.items()
    assert list(table.columns) == [y, x, "n", "viable", "p", "lo", "hi"]
    assert len(table) == len(ys) * len(xs) and (table["n"] == 3).all()
    ranking = pd.read_csv(out / "sensitivity.csv")
    assert sorted(ranking["parameter"]) == sorted(study.LEVERS)
    assert ranking["mu_star"].is_monotonic_decreasing
    printed = capsys.readouterr().out
    assert "P(viable" in printed and "[" in printed
    # The findings quote the table: the highest cell is named with its value.
    best = table.loc[table["p"].idxmax()]
    assert f"It is highest, {best.p:.2f} [{best.lo:.2f}, {best.hi:.2f}]" in printed


def test_sweep_spec_with_set_overrides(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('seed = 1\nreplicates = 1\n[scenario]\nhorizon_weeks = 520\nvoters.n = 2000\n'
                    '[grid]\n"shocks.intensity" = [1.0]\n')
    out = tmp_path / "store"
    assert main(["sweep", str(spec), "--out", str(out), "--no-progress", "--set", "voters.n=500",
                 "--set", "network.kind=sbm"]) == 0
    sw = open_sweep(out)
    assert sw.scenario["voters.n"] == 500 and sw.scenario["network.kind"] == "sbm"
    assert main(["sweep", str(spec), "--out", str(tmp_path / "bad"), "--set", "voters.n=1.5"]) == 2
    assert "voters.n" in capsys.readouterr().err


def test_params_as_csv(capsys):
    assert main(["params", "--csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col="path")
    assert list(table.columns[:4]) == ["default", "unit", "min", "max"]
    assert table.loc["shocks.intensity", "unit"] == "multiplier"


def test_a_closed_pipe_ends_quietly():
    import os

    read, write = os.pipe()
    os.close(read)
    proc = subprocess.run([sys.executable, "-m", "acsa", "params"], stdout=write, stderr=subprocess.PIPE, text=True)
    os.close(write)
    assert proc.returncode == 141
    assert proc.stderr == ""


def test_history_checks_replays_against_the_record(tmp_path, capsys):
    out = tmp_path / "hist"
    assert main(["history", "--replicates", "3", "--voters", "2000", "--out", str(out)]) == 0
    summary = pd.read_csv(out / "summary.csv", index_col=["fact", "sample"])
    assert {"claim", "cases", "share", "tolerance", "verdict"} <= set(summary.columns)
    assert ("no_acsa", "in") in summary.index and ("no_acsa", "out") in summary.index
    facts = pd.read_csv(out / "facts.csv")
    assert set(facts["seed"]) == {0, 1, 2} and set(facts["sample"]) == {"in", "out"}
    assert "gsomia_signed_2016" in capsys.readouterr().out


def test_run_from_the_replay(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--history", "--set", "voters.n=2000", "--out", str(out)]) == 0
    series = pd.read_csv(out / "series.csv")
    assert series["date"].iloc[0].startswith("2012-01")
    assert main(["run", "--history", "--scenario", "x.toml", "--out", str(out)]) == 2


def test_run_writes_outputs(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["run", "--seed", "3", "--set", "voters.n=2000", "--set", "horizon_weeks=104",
                 "--set", "network.kind=sbm", "--out", str(out)])
    assert code == 0
    series = pd.read_csv(out / "series.csv")
    assert len(series) == 104
    events = pd.read_csv(out / "events.csv")
    assert list(events.columns) == ["week", "date", "kind", "magnitude", "rung", "outcome"]
    outcome = json.loads((out / "outcome.json").read_text())
    assert "viable" in outcome
    assert "viable" in capsys.readouterr().out


def test_run_from_scenario_file(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("horizon_weeks = 60\n[voters]\nn = 1000\n")
    assert main(["run", "--scenario", str(f), "--out", str(tmp_path / "o")]) == 0
    assert len(pd.read_csv(tmp_path / "o" / "series.csv")) == 60


@pytest.mark.parametrize(
    "bad",
    [["--set", "voters.nn=5"], ["--set", "voters.n"], ["--set", "voters.stubbornness=2"], ["--set", "voters.n=nan"]],
)
def test_bad_set_exits_2(tmp_path, capsys, bad):
    assert main(["run", *bad, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("acsa: error:") and "Traceback" not in err


def test_missing_scenario_file_exits_2(tmp_path, capsys):
    assert main(["run", "--scenario", str(tmp_path / "nope.toml"), "--out", str(tmp_path)]) == 2


def test_sweep_example_spec(tmp_path, capsys):
    out = tmp_path / "sw"
    assert main(["sweep", str(ROOT / "examples" / "sweep.toml"), "--no-progress", "--out", str(out)]) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert {"ladder.allow_conditional", "executive.risk_tolerance", "viable"} <= set(runs.columns)
    assert len(runs) == 2 * 3 * 4
    assert "P(viable" in capsys.readouterr().out


def test_sweep_spec_with_nested_grid_and_bad_key(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text("seed = 1\nreplicates = 2\n[scenario]\nhorizon_weeks = 52\nvoters.n = 1000\n[grid.shocks]\nintensity = [0.5, 2.0]\n")
    assert main(["sweep", str(spec), "--no-progress", "--out", str(tmp_path / "a")]) == 0
    assert pd.read_csv(tmp_path / "a" / "runs.csv")["shocks.intensity"].tolist() == [0.5, 0.5, 2.0, 2.0]
    spec.write_text("seed = 1\n[grid]\n\"shocks.intensty\" = [1.0]\n")
    assert main(["sweep", str(spec), "--out", str(tmp_path / "b")]) == 2
    assert "did you mean 'shocks.intensity'" in capsys.readouterr().err


def test_params_lists_parameters(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "voters.cohort_shift" in out and "shocks.intensity" in out


def test_console_script_runs():
    # The installed entry point, as a user would call it.
    res = subprocess.run([sys.executable, "-m", "acsa", "params"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "voters.n" in res.stdout
    res = subprocess.run([sys.executable, "-m", "acsa", "run", "--set", "bogus=1", "--out", "x"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "unknown parameter 'bogus'" in res.stderr and "Traceback" not in res.stderr


def test_sweep_spec_with_scenario_file(tmp_path):
    (tmp_path / "base.toml").write_text("horizon_weeks = 52\n[voters]\nn = 1000\n")
    spec = tmp_path / "spec.toml"
    spec.write_text('seed = 3\nreplicates = 2\nscenario_file = "base.toml"\n[grid]\n"ladder.drills" = [true, false]\n')
    assert main(["sweep", str(spec), "--no-progress", "--out", str(tmp_path / "o")]) == 0
    runs = pd.read_csv(tmp_path / "o" / "runs.csv")
    assert (runs["weeks"] == 52).all()
    assert runs["ladder.drills"].tolist() == [True, True, False, False]
