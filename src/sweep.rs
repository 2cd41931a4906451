//! Many runs at once: each run on its own, spread over all cores with rayon.
//! A run that panics is turned into an error; it never takes the others down. A run that
//! cannot fit in memory is refused before it starts, and large runs run fewer at once.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::memory;
use crate::network::Graph;
use crate::record::Run;
use crate::scenario::Scenario;
use crate::world::simulate;

/// One run, refused with its memory estimate if the process has not that much left, and
/// with any panic turned into `Error::Simulation`.
pub fn run_one(sc: &Scenario, seed: &[u8; 32], graph: Option<Graph>) -> Result<Run> {
    fits(sc, graph.as_ref())?;
    guarded(|| simulate(sc, seed, graph))
}

/// Refuse, with its memory estimate, a run the process has not that much memory left for.
pub fn fits(sc: &Scenario, graph: Option<&Graph>) -> Result<()> {
    memory::check_fits(memory::estimate(sc, graph.map(|g| g.indices.len() as u64)))
}

/// `f`, with any panic turned into `Error::Simulation` carrying the panic's message.
pub fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::Simulation(msg))
    })
}

/// Run every (scenario, seed) pair in parallel; results come back in input order.
/// Scenarios come as JSON text and are read inside their own run, so a bad one fails
/// alone with its error instead of stopping the batch. As many runs run at once as fit in
/// memory beside each other (at least one, at most one per thread).
pub fn run_batch<S: AsRef<str> + Sync>(
    scenario_jsons: &[S],
    seeds: &[[u8; 32]],
    graph: Option<&Graph>,
) -> Vec<Result<Run>> {
    let scenarios: Vec<Result<Scenario>> =
        scenario_jsons.par_iter().map(|text| Scenario::from_json_str(text.as_ref())).collect();
    let ties = graph.map(|g| g.indices.len() as u64);
    let largest = scenarios.iter().flatten().map(|sc| memory::estimate(sc, ties).bytes).max().unwrap_or(0);
    let at_once = memory::concurrency(largest, memory::available(), rayon::current_num_threads());
    let run = |(sc, seed): (&Result<Scenario>, &[u8; 32])| match sc {
        Ok(sc) => run_one(sc, seed, graph.cloned()),
        Err(e) => Err(e.clone()),
    };
    if at_once >= rayon::current_num_threads() {
        return scenarios.par_iter().zip(seeds.par_iter()).map(run).collect();
    }
    let mut out = Vec::with_capacity(scenarios.len());
    for (scs, seeds) in scenarios.chunks(at_once).zip(seeds.chunks(at_once)) {
        out.par_extend(scs.par_iter().zip(seeds.par_iter()).map(run));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Scenario {
        let mut sc = Scenario::default();
        sc.voters.n = 2_000;
        sc.horizon_weeks = 60;
        sc
    }

    #[test]
    fn batch_matches_single_runs() {
        let scs = [small(), small()];
        let texts: Vec<String> = scs.iter().map(Scenario::to_json).collect();
        let seeds = [[1u8; 32], [2u8; 32]];
        let batch = run_batch(&texts, &seeds, None);
        for (i, r) in batch.iter().enumerate() {
            let single = simulate(&scs[i], &seeds[i], None).unwrap();
            assert_eq!(r.as_ref().unwrap().series, single.series);
        }
    }

    #[test]
    fn bad_scenario_is_an_error_not_a_panic() {
        let mut sc = small();
        sc.voters.stubbornness = f64::NAN;
        assert!(matches!(run_one(&sc, &[0; 32], None), Err(Error::Config { .. })));
        // In a batch the bad scenario fails alone.
        let texts = [small().to_json(), r#"{"voters": {"n": -1}}"#.to_string()];
        let batch = run_batch(&texts, &[[1; 32], [2; 32]], None);
        assert!(batch[0].is_ok());
        assert!(matches!(&batch[1], Err(Error::Config { path, .. }) if path == "voters.n"));
    }

    #[test]
    fn japans_network_obeys_the_tie_limit_and_fails_alone() {
        // 2 x 10^7 Japanese voters with 999 ties each would need 80 GB.
        let huge = r#"{"voters": {"n": 1000}, "network": {"degree": 999},
                       "japan": {"mode": "full", "voters": {"n": 20000000}}}"#;
        let batch = run_batch(&[small().to_json(), huge.to_string()], &[[1; 32], [2; 32]], None);
        assert!(batch[0].is_ok());
        let err = batch[1].as_ref().unwrap_err().to_string();
        assert!(err.starts_with("japan.voters.n: japan.voters.n x network.degree must be at most"), "{err}");
    }
}
