//! Fingerprints of whole runs, bit for bit: a refactoring must leave every one unchanged.
//!
//! `cargo test --release --test fingerprint -- --ignored` runs a fixed set of scenarios
//! and seeds and compares a hash of every series column, event and outcome field with
//! tests/fingerprints.txt. A change that is meant to alter results rewrites the file with
//! `ACSA_FINGERPRINTS=write` and says why in its commit message.

use acsa::events::{ScheduledEvent, ShockKind};
use acsa::japan::JapanMode;
use acsa::network::NetworkKind;
use acsa::record::EventKind;
use acsa::scenario::Scenario;
use acsa::{simulate, Graph, Run};

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fingerprints.txt");

/// FNV-1a, 64 bits: stable across machines and Rust versions.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 = (self.0 ^ x as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn f64(&mut self, x: f64) {
        self.bytes(&x.to_bits().to_le_bytes());
    }
}

/// Hashes of the series (every column, by name), the events and the outcome.
fn fingerprint(run: &Run) -> [u64; 3] {
    let mut series = Fnv::new();
    for (name, values) in &run.series {
        series.bytes(name.as_bytes());
        for &v in values {
            series.f64(v);
        }
    }
    let mut events = Fnv::new();
    for e in &run.events {
        events.bytes(&e.week.to_le_bytes());
        events.bytes(e.kind.name().as_bytes());
        events.f64(e.magnitude);
        events.bytes(&[e.rung]);
        events.bytes(e.outcome.name().as_bytes());
    }
    let mut outcome = Fnv::new();
    outcome.bytes(serde_json::to_string(&run.outcome).unwrap().as_bytes());
    [series.0, events.0, outcome.0]
}

/// A graph whose voters have from 0 to 12 ties.
fn uneven_graph(n: usize) -> Graph {
    let mut indptr = vec![0u64];
    let mut indices = Vec::new();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..n {
        for _ in 0..i % 13 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            indices.push((state % n as u64) as u32);
        }
        indptr.push(indices.len() as u64);
    }
    Graph { indptr, indices }
}

/// (name, scenario, user graph, seeds, thread counts)
type Case = (&'static str, Scenario, Option<Graph>, Vec<u8>, Vec<usize>);

fn cases() -> Vec<Case> {
    let both = vec![1, 2];
    let history =
        Scenario::from_toml_str(include_str!("../python/acsa/scenarios/history.toml"), "history.toml").unwrap();
    let mut japan = Scenario::default();
    japan.japan.mode = JapanMode::Full;
    let mut user = Scenario::default();
    user.voters.n = 5_000;
    user.network.kind = NetworkKind::User;
    let mut bounded = Scenario::default();
    bounded.voters.confidence_bound = 0.3;
    let mut no_elections = Scenario::default();
    no_elections.elections.enabled = false;
    let mut every_shock = Scenario::default();
    every_shock.voters.n = 5_000;
    for (k, kind) in ShockKind::ALL.into_iter().enumerate() {
        let week = Some(20 + 37 * k as u32);
        every_shock.events.push(ScheduledEvent { week, date: None, kind, magnitude: 1.5 });
    }
    let mut eager = Scenario::default();
    eager.voters.n = 5_000;
    eager.executive.risk_tolerance = 1.0;
    eager.executive.ideology = 0.8;
    eager.shocks.intensity = 3.0;
    let mut consent = eager.clone();
    consent.legislature.consent_required = true;
    consent.japan.mode = JapanMode::Full;
    consent.japan.voters.n = 2_000;
    let mut hostile = Scenario::default();
    hostile.voters.n = 5_000;
    hostile.voters.grievance_mean = 0.8;
    hostile.shocks.japan_trigger.rate = 6.0;
    hostile.us.pressure = 0.0;
    hostile.us.administration_sd = 0.0;
    // A conservative pushing a short-window ACSA his party would sink once announced: the
    // cabinet fast-tracks it, and some secrets come out.
    let mut secret = eager.clone();
    secret.executive.party = acsa::party::Party::Conservative;
    secret.ladder.window_weeks.acsa_conditional = 4.0;
    let mut large = Scenario::default();
    large.voters.n = 50_000;
    vec![
        ("default", Scenario::default(), None, vec![0, 1, 2], both.clone()),
        ("history", history, None, vec![0, 1, 2, 3, 4, 5, 6, 7], both.clone()),
        ("japan_full", japan, None, vec![0, 1], both.clone()),
        ("user_graph", user, Some(uneven_graph(5_000)), vec![0, 1], both.clone()),
        ("bounded_confidence", bounded, None, vec![0, 1], both.clone()),
        ("no_elections", no_elections, None, vec![0, 1], both.clone()),
        ("every_shock", every_shock, None, vec![0, 1], both.clone()),
        ("eager", eager, None, vec![0, 1, 2, 3], both.clone()),
        ("eager_consent_japan_full", consent, None, vec![0, 1], both.clone()),
        ("hostile", hostile, None, vec![0, 1, 2], both.clone()),
        ("secret", secret, None, vec![0, 1, 2, 3, 4, 5], both.clone()),
        ("large", large, None, vec![0], both),
    ]
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

#[test]
#[ignore = "about a minute in release; run with --ignored after every refactoring"]
fn fingerprints_are_unchanged() {
    let mut lines = vec!["# case seed series events outcome (FNV-1a of every value's bits)".to_string()];
    let mut seen = std::collections::BTreeSet::new();
    for (name, sc, graph, seeds, threads) in cases() {
        for seed in seeds {
            let mut prints = threads.iter().map(|&t| {
                let run = in_pool(t, || simulate(&sc, &[seed; 32], graph.clone()).unwrap());
                seen.extend(run.events.iter().map(|e| e.kind.to_string()));
                fingerprint(&run)
            });
            let first = prints.next().unwrap();
            assert!(prints.all(|p| p == first), "{name}, seed {seed}: results depend on the number of threads");
            lines.push(format!("{name} {seed} {:016x} {:016x} {:016x}", first[0], first[1], first[2]));
        }
    }
    // The cases between them exercise every kind of event the model logs.
    let missing: Vec<&str> = EventKind::all().map(EventKind::name).filter(|k| !seen.contains(*k)).collect();
    assert!(missing.is_empty(), "no case logs {missing:?}");
    let text = lines.join("\n") + "\n";
    if std::env::var("ACSA_FINGERPRINTS").as_deref() == Ok("write") {
        std::fs::write(FILE, &text).unwrap();
        return;
    }
    let recorded =
        std::fs::read_to_string(FILE).expect("tests/fingerprints.txt (write it with ACSA_FINGERPRINTS=write)");
    let changed: Vec<String> = recorded
        .lines()
        .zip(text.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("  recorded {a}\n  now      {b}"))
        .collect();
    assert!(
        changed.is_empty() && recorded.lines().count() == text.lines().count(),
        "fingerprints changed:\n{}",
        changed.join("\n")
    );
}
