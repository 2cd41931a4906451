"""Shared fixtures: small scenarios so the suite stays fast."""

import pytest

import acsa

# Large enough for every district to have voters, small enough to run in milliseconds.
SMALL_N = 2000
SHORT_HORIZON = 104


@pytest.fixture(scope="session")
def small() -> acsa.Scenario:
    """The baseline with 2000 voters over two years."""
    return acsa.Scenario.default().replace({"voters.n": SMALL_N, "horizon_weeks": SHORT_HORIZON})


@pytest.fixture(scope="session")
def small_run(small) -> acsa.Run:
    return acsa.simulate(small, seed=1)


@pytest.fixture
def interrupt_third_batch(monkeypatch):
    """Make the third call of the core's batch runner raise KeyboardInterrupt, as Ctrl-C would."""
    from acsa import _core

    real = _core.run_batch
    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(_core, "run_batch", interrupted)
