//! Property tests over the public API: parsing never panics and keeps ranges; runs of
//! random small scenarios have no NaN, whole seat counts out of 300, and only legal
//! moves on the cooperation ladder.

use acsa::scenario::{get_path, parameters};
use acsa::{simulate, Error, Run, Scenario};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A JSON value of any shape, to throw at the parser.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |x| x.is_finite()).prop_map(Value::from),
        "[a-z_.0-9-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Keys that the scenario has (so parsing gets deep), and some it does not.
fn key() -> impl Strategy<Value = String> {
    let names: Vec<String> = parameters()
        .iter()
        .flat_map(|p| p.path.split('.').map(str::to_string).collect::<Vec<_>>())
        .chain(["events", "week", "kind", "date", "magnitude"].map(String::from))
        .collect();
    prop_oneof![4 => prop::sample::select(names), 1 => "[a-z]{1,6}"]
}

/// Set `path` (dotted) in a JSON tree, making tables on the way.
fn set(tree: &mut Value, path: &str, value: Value) {
    let mut node = tree;
    let parts: Vec<&str> = path.split('.').collect();
    for part in &parts[..parts.len() - 1] {
        node = node.as_object_mut().unwrap().entry(*part).or_insert_with(|| json!({}));
    }
    node.as_object_mut().unwrap().insert(parts[parts.len() - 1].to_string(), value);
}

/// A small valid-looking scenario: a few numeric parameters drawn within their ranges
/// (rules across parameters may still refuse it).
fn small_scenario() -> impl Strategy<Value = Value> {
    let numeric: Vec<(&str, f64, f64)> = parameters()
        .iter()
        .filter(|p| p.max > p.min && !p.path.starts_with("japan.voters.") && p.path != "voters.n")
        .map(|p| (p.path, p.min, p.max))
        .collect();
    let picks = prop::collection::vec((prop::sample::select(numeric), 0.0..=1.0f64), 0..6);
    let defaults = serde_json::to_value(Scenario::default()).unwrap();
    (253u32..600, 1u32..60, picks, any::<bool>()).prop_map(move |(n, weeks, picks, full)| {
        let mut tree = json!({"voters": {"n": n}, "horizon_weeks": weeks});
        for ((path, min, max), u) in picks {
            if path == "horizon_weeks" {
                continue;
            }
            let x = min + u * (max.min(min + 1000.0) - min);
            let whole = get_path(&defaults, path).is_some_and(|v| v.is_u64() || v.is_i64());
            set(&mut tree, path, if whole { json!(x.round() as i64) } else { json!(x) });
        }
        if full {
            set(&mut tree, "japan.mode", json!("full"));
            set(&mut tree, "japan.voters.n", json!(300));
        }
        tree
    })
}

fn column<'a>(run: &'a Run, name: &str) -> &'a [f64] {
    run.column(name).unwrap_or_else(|| panic!("no column {name}"))
}

const RUNGS: [&str; 6] = ["none", "sarex", "dialogue", "gsomia", "acsa_conditional", "acsa_full"];

/// Replay the event log on the rungs in force at the start: an agreement is signed only
/// when not in force and with dialogue and GSOMIA below it in force, ended only when in
/// force (and only GSOMIA or an ACSA); the recorded rung is always the highest in force.
fn check_ladder(sc: &Scenario, run: &Run) {
    let mut in_force = [true, false, false, false, false, false];
    for name in &sc.ladder.in_force {
        let r = RUNGS.iter().position(|x| x == name).unwrap();
        in_force[r] = true;
    }
    in_force[1] &= sc.ladder.drills;
    in_force[4] &= sc.ladder.allow_conditional;
    let rung = column(run, "rung");
    let mut events = run.events.iter().peekable();
    for (week, &recorded) in rung.iter().enumerate() {
        while let Some(e) = events.next_if(|e| e.week as usize <= week) {
            let r = e.rung as usize;
            match e.kind.name() {
                "signed" => {
                    assert!(!in_force[r], "week {week}: {} signed while in force", RUNGS[r]);
                    assert!(
                        r <= 2 || (in_force[2] && (r == 3 || in_force[3])),
                        "week {week}: {} signed too early",
                        RUNGS[r]
                    );
                    in_force[r] = true;
                }
                "terminated" => {
                    assert!(in_force[r] && r >= 3, "week {week}: {} ended but not in force", RUNGS[r]);
                    in_force[r] = false;
                }
                _ => {}
            }
        }
        let top = (0..6).rev().find(|&r| in_force[r]).unwrap() as f64;
        assert_eq!(recorded, top, "week {week}: recorded rung {recorded}, highest in force {top}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parsing_any_json_gives_a_scenario_or_an_error_naming_a_path(v in any_json()) {
        match Scenario::from_json_str(&v.to_string()) {
            Ok(sc) => {
                sc.validate().unwrap();
                // What parses writes back and reads again as itself.
                prop_assert_eq!(Scenario::from_json_str(&sc.to_json()).unwrap(), sc.clone());
                prop_assert_eq!(Scenario::from_toml_str(&sc.to_toml(), "t").unwrap(), sc);
            }
            Err(Error::Config { path, rule }) => prop_assert!(!path.is_empty() && !rule.is_empty()),
            Err(e) => prop_assert!(false, "not a config error: {e}"),
        }
    }

    #[test]
    fn numbers_outside_a_parameters_range_are_refused(i in 0..parameters().len(), above in any::<bool>(), by in 1e-6..1e6f64) {
        let p = &parameters()[i];
        prop_assume!(p.max > p.min);
        let x = if above { p.max + by.max(p.max.abs() * 1e-9) } else { p.min - by.max(p.min.abs() * 1e-9) };
        let mut tree = json!({});
        set(&mut tree, p.path, json!(x));
        match Scenario::from_json_str(&tree.to_string()) {
            Err(Error::Config { path, .. }) => prop_assert_eq!(path, p.path),
            other => prop_assert!(false, "{} = {x} gave {other:?}", p.path),
        }
    }

    #[test]
    fn seats_must_sum_to_300(p in 0u32..400, c in 0u32..400, i in 0u32..400) {
        let tree = json!({"legislature": {"seats": {"progressive": p, "conservative": c, "independent": i}}});
        let parsed = Scenario::from_json_str(&tree.to_string());
        prop_assert_eq!(parsed.is_ok(), p + c + i == 300 && p <= 300 && c <= 300 && i <= 300);
    }

    #[test]
    fn small_runs_have_no_nan_whole_seats_and_legal_moves(tree in small_scenario(), seed in any::<[u8; 32]>()) {
        let Ok(sc) = Scenario::from_json_str(&tree.to_string()) else { return Ok(()) };
        // Rules that need the run (a network's degree against voters.n) come as config errors.
        let run = match simulate(&sc, &seed, None) {
            Err(Error::Config { .. }) => return Ok(()),
            other => other.unwrap(),
        };
        for (name, values) in &run.series {
            prop_assert_eq!(values.len(), sc.horizon_weeks as usize);
            prop_assert!(values.iter().all(|x| x.is_finite()), "NaN or infinity in {}", name);
        }
        for &share in column(&run, "governing_seat_share") {
            let seats = share * 300.0;
            prop_assert!((0.0..=300.0).contains(&seats) && (seats - seats.round()).abs() < 1e-9, "{} seats", seats);
        }
        prop_assert!(run.events.iter().all(|e| e.magnitude.is_finite() && e.rung <= 5));
        check_ladder(&sc, &run);
    }
}

/// The ladder check above on long runs, until agreements have been signed.
#[test]
fn long_runs_make_only_legal_moves() {
    let mut signed = 0;
    for seed in 0u8..40 {
        let text = json!({"voters": {"n": 2000}, "horizon_weeks": 520, "shocks": {"intensity": 3.0}}).to_string();
        let sc = Scenario::from_json_str(&text).unwrap();
        let run = simulate(&sc, &[seed; 32], None).unwrap();
        check_ladder(&sc, &run);
        signed += run.events.iter().filter(|e| e.kind == "signed").count();
        if signed >= 10 {
            return;
        }
    }
    panic!("only {signed} agreements signed in 40 runs");
}
