"""acsa sweep with designs, shards and --resume; acsa merge."""

from pathlib import Path

import pandas as pd
import pytest

from acsa.cli import main, spec_sweep_args

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


@pytest.mark.parametrize("spec", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_spec_is_valid(spec, tmp_path, capsys):
    assert main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "runs" in out and "<acsa.Design" in out
    assert not (tmp_path / "s").exists()


def test_example_kinds():
    kinds = {p.stem: spec_sweep_args(p)["design"].kind for p in EXAMPLES}
    assert kinds == {"latin_hypercube": "latin_hypercube", "morris": "morris", "sobol": "sobol",
                     "sweep": "grid", "table": "table"}
    sobol = spec_sweep_args(ROOT / "examples" / "sobol.toml")
    assert sobol["record"] == ["approval", "support_mean"] and sobol["every"] == 4
    assert sobol["design"].n_points == 64 * 5


def write_spec(tmp_path, design):
    spec = tmp_path / "spec.toml"
    spec.write_text("seed = 1\nreplicates = 2\n[scenario]\nhorizon_weeks = 26\nvoters.n = 300\n" + design)
    return spec


def test_table_design_from_csv(tmp_path, capsys):
    (tmp_path / "pts.csv").write_text("shocks.intensity,ladder.drills\n0.5,true\n2.0,false\n")
    spec = write_spec(tmp_path, '[design]\nkind = "table"\nfile = "pts.csv"\n')
    assert main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--no-progress"]) == 0
    runs = pd.read_csv(tmp_path / "s" / "runs.csv")
    assert runs["ladder.drills"].tolist() == [True, True, False, False]
    assert "P(viable" in capsys.readouterr().out


def test_shard_then_merge_reports_missing_runs(tmp_path, capsys):
    spec = write_spec(tmp_path, '[design]\nkind = "latin_hypercube"\nn = 3\n[design.bounds]\n"shocks.intensity" = [0.5, 3.0]\n')
    out = tmp_path / "s"
    assert main(["sweep", str(spec), "--out", str(out), "--shard", "0/2", "--no-progress"]) == 0
    assert "its 3 runs are in" in capsys.readouterr().out
    assert main(["merge", str(out)]) == 1
    assert "3 of 6 runs are not done yet" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--out", str(out), "--shard", "1/2", "--no-progress"]) == 0
    assert "acsa merge" in capsys.readouterr().out
    assert main(["merge", str(out)]) == 0
    assert len(pd.read_csv(out / "runs.csv")) == 6


@pytest.mark.parametrize(
    "design, match",
    [
        ('[design]\nkind = "sobl"\n', "design.kind must be"),
        ('[design]\nkind = "sobol"\nn = 4\n', "needs n and a"),
        ('[design]\nkind = "sobol"\nn = 4\nbound = 1\n', "unknown key 'design.bound'"),
        ('[grid]\n"shocks.intensity" = [1.0]\n[design]\nkind = "sobol"\n', "either"),
        ('[record]\ncolumns = ["aproval"]\n', "no series column"),
    ],
)
def test_bad_specs_exit_2(tmp_path, capsys, design, match):
    spec = write_spec(tmp_path, design)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "s")]) == 2
    assert match in capsys.readouterr().err


def test_bad_shard_and_missing_store(tmp_path, capsys):
    spec = write_spec(tmp_path, "")
    assert main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--shard", "2/2"]) == 2
    assert "shard" in capsys.readouterr().err
    assert main(["merge", str(tmp_path / "nope")]) == 2


def test_slurm_array_script_is_valid_bash():
    import subprocess

    script = ROOT / "examples" / "slurm_array.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    assert "--shard \"${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}\" --resume" in text
