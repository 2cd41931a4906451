"""The perception pathway: the lever `perception.shift` produces the shift it names, and
the period effects (contact, gestures from Tokyo, the president's cue) move affect."""

import numpy as np
import pytest

import acsa

TEN_YEARS = 520


@pytest.fixture(scope="module")
def quiet():
    """The baseline over ten years without shocks, so that only the period effects move affect."""
    return acsa.Scenario.default().replace({"horizon_weeks": TEN_YEARS, "shocks.rate_scale": 0.0})


def favourability_after_ten_years(sc, seed):
    return acsa.simulate(sc, seed=seed).series["favourability"].iloc[-1]


@pytest.mark.parametrize("seed", [1, 2])
def test_realised_shift_tracks_the_lever(quiet, seed):
    # Lever X against lever 0, same seed, no shocks: the change in the share with a good
    # impression of Japan after ten years is within a fifth of X across the lever's range.
    base = favourability_after_ten_years(quiet, seed)
    for shift in [7.5, 15.0, 22.5, 30.0, 40.0]:
        moved = favourability_after_ten_years(quiet.replace({"perception.shift": shift}), seed)
        realised = 100 * (moved - base)
        assert realised == pytest.approx(shift, rel=0.2), f"lever {shift}: realised {realised:.2f} points"


def test_zero_lever_leaves_the_run_unchanged(quiet):
    # The default lever is 0: no contact, and the run is the one without the pathway.
    a = acsa.simulate(quiet, seed=5).series
    b = acsa.simulate(quiet.replace({"perception.shift": 0.0, "perception.contact_age_scale": 3.0}), seed=5).series
    assert a.equals(b)


def test_contact_moves_affect_gradually(quiet):
    base = acsa.simulate(quiet, seed=3).series["favourability"]
    moved = acsa.simulate(quiet.replace({"perception.shift": 20.0}), seed=3).series["favourability"]
    gap = (moved - base).to_numpy()
    # One week of contact barely moves the share; the gap opens year by year.
    assert abs(gap[0]) < 0.005
    yearly = gap[[104, 208, 312, 416, 519]]
    assert np.all(np.diff(yearly) > 0), yearly


def with_gesture(sc, week, magnitude=1.0):
    return sc.replace({"events": [{"week": week, "kind": "gesture", "magnitude": magnitude}]})


def test_a_gesture_lowers_grievance_for_many_and_is_logged(quiet):
    sc = quiet.replace({"horizon_weeks": 60})
    base = acsa.simulate(sc, seed=4)
    run = acsa.simulate(with_gesture(sc, 20, 2.0), seed=4)
    assert (run.events["kind"] == "gesture").sum() == 1
    before, after = slice(0, 20), slice(22, 60)
    assert np.array_equal(base.series["grievance_mean"][before], run.series["grievance_mean"][before])
    assert (run.series["favourability"][after] > base.series["favourability"][after]).all()


def test_a_gesture_provokes_the_camp_opposed_to_the_president(quiet):
    # The opposed camp rejects the gesture: its grievance rises and its support for
    # cooperation falls, while the president's camp, accepting it, warms.
    sc = quiet.replace({"horizon_weeks": 40})
    base = acsa.simulate(sc, seed=6).series
    run = acsa.simulate(with_gesture(sc, 10, 2.0), seed=6).series
    president = base["president_party"].iloc[20]
    camps = ["progressive", "conservative"]
    own, other = camps[president], camps[1 - president]
    after = slice(12, 40)
    assert (run[f"support_{other}"][after] < base[f"support_{other}"][after]).all()
    assert (run[f"support_{own}"][after] > base[f"support_{own}"][after]).all()


def test_presidents_cue_splits_affect_by_camp(quiet):
    # Once a trigger politicises the issue, a conservative president leaning to cooperation
    # warms his own camp's affect and cools the other's: with the cue on, conservatives
    # support cooperation more and progressives less than with it off (same seed).
    sc = quiet.replace({
        "horizon_weeks": 60,
        "executive.party": "conservative",
        "executive.ideology": 0.9,
        "executive.term_start": "2026-01-01",
        # Washington holds him to GSOMIA, so that his stance stays his lean: angry enough,
        # even a conservative would give notice to end it.
        "us.pressure": 0.9,
        "events": [{"week": 5, "kind": "japan_trigger", "magnitude": 6.0}],
    })
    runs = [acsa.simulate(sc.replace({"perception.cue": cue}), seed=2) for cue in (0.0, 0.3)]
    assert not any((r.events["kind"] == "termination_notice").any() for r in runs)
    off, on = (r.series for r in runs)
    politicised = off["politicisation"] > 0.2
    assert politicised.sum() > 10
    assert (on["support_conservative"][politicised] > off["support_conservative"][politicised]).all()
    assert (on["support_progressive"][politicised] < off["support_progressive"][politicised]).all()


def test_contact_converts_the_young_most(quiet):
    # Contact is strongest at 18 and falls with age: after ten years the lever has turned
    # the largest part of each band's adults without a good impression of Japan among
    # those aged 18-29, the smallest over 60. (The rise of the share itself is not
    # ordered so: most of the young start with a good impression.)
    base = acsa.simulate(quiet, seed=7).series.iloc[-1]
    moved = acsa.simulate(quiet.replace({"perception.shift": 20.0}), seed=7).series.iloc[-1]
    converted = {band: (moved[f"favourability_{band}"] - base[f"favourability_{band}"])
                 / (1 - base[f"favourability_{band}"]) for band in ["18_29", "30_39", "40_59", "60_plus"]}
    assert converted["18_29"] > converted["30_39"] > converted["40_59"] > converted["60_plus"] > 0, converted
