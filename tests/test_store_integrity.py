"""Stores that cannot be silently wrong: whole series after merges (F1), no mixing of
sweeps (F2), damaged parts and manifests set aside and redone (F5), `check`."""

import json
import os
import shutil
import warnings

import pandas as pd
import pytest

import acsa
from acsa import store as store_module

KW = dict(replicates=30, seed=1, record=["approval", "rung"], progress=False)


@pytest.fixture(scope="module")
def tiny():
    return acsa.Scenario.default().replace({"voters.n": 253, "horizon_weeks": 52})


@pytest.fixture(scope="module")
def reference(tiny):
    return acsa.sweep(tiny, {}, **KW)


def assert_same(sw, reference):
    pd.testing.assert_frame_equal(sw.runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(sw.series, reference.series, check_exact=True)


def test_f1_merging_keeps_every_series_whole_at_batch_boundaries(tiny, reference, tmp_path, monkeypatch):
    # Folding streams parts in batches; with 100-row batches and 52 weeks a run, most runs
    # straddle a batch boundary. Before, the tail of each such run was dropped.
    monkeypatch.setattr(store_module, "BATCH_ROWS", 100)
    path = tmp_path / "s"
    sw = acsa.sweep(tiny, {}, store=path, batch_size=7, flush_every=0, **KW)  # folds its own parts
    assert len(os.listdir(path / "runs")) == 1
    # Duplicate every part, as overlapping shards or a crash leave them, then merge.
    for kind in ("runs", "series"):
        for p in os.listdir(path / kind):
            shutil.copy(path / kind / p, path / kind / p.replace("part-", "part-9"))
    sw.store.compact()
    assert len(os.listdir(path / "runs")) == len(os.listdir(path / "series")) == 1
    merged = acsa.open_sweep(path)
    assert merged.series.groupby("run_index").size().tolist() == [52] * 30
    assert_same(merged, reference)


def test_f2_a_store_without_its_manifest_is_never_mixed(tiny, reference, tmp_path):
    path = tmp_path / "s"
    acsa.sweep(tiny, {}, store=path, **KW)
    (path / "sweep.json").unlink()
    other = dict(KW, replicates=4)
    with pytest.raises(acsa.ConfigError, match="holds 2 parts of another sweep"):
        acsa.sweep(tiny, {"shocks.intensity": [1.0, 2.0]}, store=path, **other)
    with pytest.raises(acsa.ConfigError, match="sweep.json is missing"):
        acsa.open_sweep(path)
    # The same sweep again rebuilds the manifest and finds every run done.
    with pytest.warns(RuntimeWarning, match="sweep.json was missing; rebuilt"):
        again = acsa.sweep(tiny, {}, store=path, **KW)
    assert_same(again, reference)


def test_f2_every_part_carries_the_sweeps_identity(tiny, tmp_path):
    import pyarrow.parquet as pq

    sw = acsa.sweep(tiny, {}, store=tmp_path / "s", **KW)
    manifest = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert manifest["sweep_id"] == store_module.sweep_id(manifest)
    for kind in ("runs", "series"):
        (part,) = (tmp_path / "s" / kind).iterdir()
        assert pq.read_metadata(part).metadata[b"acsa.sweep_id"] == manifest["sweep_id"].encode()
    # A part of another sweep copied in is set aside, never read as this sweep's runs.
    acsa.sweep(tiny, {}, store=tmp_path / "t", **dict(KW, seed=2))
    for kind in ("runs", "series"):
        for p in (tmp_path / "t" / kind).iterdir():
            shutil.copy(p, tmp_path / "s" / kind / p.name)
    with pytest.warns(RuntimeWarning, match="belongs to another sweep"):
        assert len(acsa.open_sweep(tmp_path / "s").runs) == 30
    assert sw.complete


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_f5_a_damaged_part_is_set_aside_and_its_runs_done_again(tiny, reference, tmp_path, damage):
    path = tmp_path / "s"
    acsa.sweep(tiny, {}, store=path, batch_size=10, flush_every=0, **KW)
    (part,) = (path / "runs").iterdir()
    data = part.read_bytes()
    part.write_bytes(b"not parquet at all" if damage == "garbage" else data[: len(data) // 2])
    with pytest.warns(RuntimeWarning, match="cannot be used"):
        assert len(acsa.open_sweep(path).runs) == 0
    assert sorted(os.listdir(path / "damaged")) == [f"runs-{part.name}", f"series-{part.name}"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left to complain about in the store
        warnings.filterwarnings("ignore", message=".*(P\\(viable\\) = 0 at every point|before the first election)")
        redone = acsa.sweep(tiny, {}, store=path, **KW)
    assert_same(redone, reference)


@pytest.mark.parametrize("kind", ["runs", "series"])
def test_f5_any_changed_byte_is_found(tiny, reference, tmp_path, kind):
    # Parquet's page checksums miss a change in a page header or the footer; the part's
    # own CRC-32 (in its name, and in the runs file for the series file) does not.
    acsa.sweep(tiny, {}, store=tmp_path / "s", **KW)
    (name,) = os.listdir(tmp_path / "s" / kind)
    size = (tmp_path / "s" / kind / name).stat().st_size
    for k, at in enumerate(range(0, size, max(1, size // 12))):
        path = tmp_path / f"copy{k}"
        shutil.copytree(tmp_path / "s", path)
        f = path / kind / name
        data = bytearray(f.read_bytes())
        data[at] ^= 0x10
        f.write_bytes(bytes(data))
        with pytest.warns(RuntimeWarning, match=f"{name} cannot be used"):
            sw = acsa.open_sweep(path)
            runs = sw.runs
            if kind == "series":
                assert len(sw.series) == 0
                runs = sw.runs
        assert len(runs) == 0, f"byte {at} of {size}"
    assert k >= 10


def test_f5_a_deleted_series_folder_is_rebuilt(tiny, reference, tmp_path):
    path = tmp_path / "s"
    acsa.sweep(tiny, {}, store=path, **KW)
    shutil.rmtree(path / "series")
    with pytest.warns(RuntimeWarning, match="its series file is missing"):
        redone = acsa.sweep(tiny, {}, store=path, **KW)
    assert_same(redone, reference)


@pytest.mark.parametrize(
    "text",
    ["{broken", "[]", "null", '{"format": 2}', '{"format": 2, "model_version": 3}', "\xff\xfe", ""],
)
def test_f5_a_damaged_manifest_is_a_config_error_and_is_rebuilt(tiny, reference, tmp_path, text):
    path = tmp_path / "s"
    acsa.sweep(tiny, {}, store=path, **KW)
    good = json.loads((path / "sweep.json").read_text())
    (path / "sweep.json").write_text(text, encoding="latin-1")
    with pytest.raises(acsa.ConfigError, match="sweep.json is damaged"):
        acsa.open_sweep(path)
    with pytest.warns(RuntimeWarning, match="sweep.json is damaged"):
        again = acsa.sweep(tiny, {}, store=path, **KW)
    assert json.loads((path / "sweep.json").read_text()) == good
    assert_same(again, reference)


def test_f5_a_manifest_edited_by_hand_is_refused(tiny, tmp_path):
    path = tmp_path / "s"
    acsa.sweep(tiny, {}, store=path, **KW)
    m = json.loads((path / "sweep.json").read_text())
    m["seed"] = 2  # the parts were made with seed 1
    (path / "sweep.json").write_text(json.dumps(m))
    with pytest.raises(acsa.ConfigError, match="do not match its sweep_id"):
        acsa.open_sweep(path)


def test_an_old_store_format_is_refused_not_repaired(tiny, tmp_path):
    path = tmp_path / "s"
    acsa.sweep(tiny, {}, store=path, **KW)
    m = json.loads((path / "sweep.json").read_text())
    (path / "sweep.json").write_text(json.dumps(dict(m, format=1)))
    for action in (lambda: acsa.open_sweep(path), lambda: acsa.sweep(tiny, {}, store=path, **KW)):
        with pytest.raises(acsa.ConfigError, match="another version of acsa's store format"):
            action()
    assert json.loads((path / "sweep.json").read_text())["format"] == 1


def test_check_finds_incomplete_series_and_leftovers(tiny, reference, tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "s"
    sw = acsa.sweep(tiny, {}, store=path, **KW)
    report = sw.check()
    assert report == {"set_aside": [], "removed": [], "writers_running": False, "runs": 30, "done": 30,
                      "failed": 0, "duplicates": 0, "missing": 0}
    # A part whose series lost run 7's tail (what F1 did) and repeat weeks of run 0 in its
    # place, written as a sound part (checksums, identity, row count), so that only a full
    # check can tell.
    import pyarrow as pa

    st = sw.store
    (name,) = os.listdir(path / "runs")
    runs, table = pq.read_table(path / "runs" / name), pq.read_table(path / "series" / name)
    index, week = table.column("run_index").to_numpy(), table.column("week").to_numpy()
    cut = table.filter(pa.array(~((index == 7) & (week >= 16))))
    for kind in ("runs", "series"):
        (path / kind / name).unlink()
    st._write_part(runs, pa.concat_tables([cut, cut.slice(0, 36)]))
    (path / "runs" / ".part-left-by-kill.parquet.tmp").write_bytes(b"half")
    (path / "series" / "part-00000000000000000001-deadbeef.parquet").write_bytes(b"orphan")
    report = acsa.open_sweep(path).check()
    assert len(report["set_aside"]) == 1 and "the series of run" in report["set_aside"][0]
    assert sorted(report["removed"]) == ["runs/.part-left-by-kill.parquet.tmp",
                                         "series/part-00000000000000000001-deadbeef.parquet"]
    assert report["done"] == 0 and report["missing"] == 30
    redone = acsa.sweep(tiny, {}, store=path, **KW)
    assert_same(redone, reference)
    assert acsa.open_sweep(path).check()["missing"] == 0
