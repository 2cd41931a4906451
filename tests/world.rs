//! Whole-run behaviour of the core: determinism, bounds, mechanisms, viability.

use acsa::events::{ScheduledEvent, ShockKind};
use acsa::scenario::Scenario;
use acsa::{simulate, Error, Graph, Run, World};

fn small(weeks: u32) -> Scenario {
    let mut sc = Scenario::default();
    sc.voters.n = 3_000;
    sc.horizon_weeks = weeks;
    sc
}

fn col<'a>(run: &'a Run, name: &str) -> &'a [f64] {
    run.column(name).unwrap_or_else(|| panic!("no column {name}"))
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

#[test]
fn identical_on_one_or_two_threads() {
    let mut sc = small(156);
    sc.voters.n = 12_000; // several parallel blocks
    let one = in_pool(1, || simulate(&sc, &[4; 32], None).unwrap());
    let two = in_pool(2, || simulate(&sc, &[4; 32], None).unwrap());
    for ((name, a), (_, b)) in one.series.iter().zip(&two.series) {
        let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "column {name} differs between 1 and 2 threads");
    }
    assert_eq!(one.events, two.events);
    assert_eq!(one.outcome, two.outcome);
}

#[test]
fn same_seed_same_run_different_seed_different_run() {
    let sc = small(104);
    let a = simulate(&sc, &[1; 32], None).unwrap();
    let b = simulate(&sc, &[1; 32], None).unwrap();
    let c = simulate(&sc, &[2; 32], None).unwrap();
    assert_eq!(a.series, b.series);
    assert_ne!(a.series, c.series);
}

#[test]
fn more_shocks_leave_the_us_administrations_draws_unchanged() {
    // No shock moves the US here, so its pressure and commitment follow its own draws alone.
    let mut quiet = small(520);
    let s = &mut quiet.shocks;
    for p in [&mut s.nuclear_test, &mut s.chinese_coercion, &mut s.us_abandonment, &mut s.us_pressure] {
        p.rate = 0.0;
    }
    let mut busy = quiet.clone();
    busy.shocks.rate_scale = 5.0;
    let a = simulate(&quiet, &[6; 32], None).unwrap();
    let b = simulate(&busy, &[6; 32], None).unwrap();
    let shocks = |run: &Run| run.events.iter().filter(|e| e.kind.group() == "shock").count();
    assert!(shocks(&b) > 3 * shocks(&a), "{} against {} shocks", shocks(&b), shocks(&a));
    let commitment = col(&a, "us_commitment");
    assert!(commitment.iter().any(|&c| c != commitment[0]), "no new administration drew");
    assert_eq!(col(&a, "us_commitment"), col(&b, "us_commitment"));
    assert_eq!(col(&a, "us_pressure"), col(&b, "us_pressure"));
    assert_ne!(col(&a, "threat_mean"), col(&b, "threat_mean"));
}

#[test]
fn state_stays_bounded_and_finite_across_scenarios() {
    let variants: [fn(&mut Scenario); 6] = [
        |_| {},
        |s| s.shocks.intensity = 10.0,
        |s| {
            s.shocks.rate_scale = 5.0;
            s.japan.nationalism = 1.0
        },
        |s| {
            s.voters.confidence_bound = 0.1;
            s.network.kind = acsa::network::NetworkKind::Sbm
        },
        |s| {
            s.executive.risk_tolerance = 1.0;
            s.voters.stubbornness = 0.0;
            s.legislature.consent_required = true
        },
        |s| {
            s.japan.mode = acsa::japan::JapanMode::Full;
            s.japan.voters.n = 1_000;
            s.shocks.rate_scale = 3.0
        },
    ];
    for (k, vary) in variants.iter().enumerate() {
        let mut sc = small(260);
        vary(&mut sc);
        let run = simulate(&sc, &[k as u8; 32], None).unwrap();
        // Every series column is a share in [0, 1] except these.
        let unbounded = ["week", "rung", "pending", "president_party", "logistics_delay_days", "pact_rung"];
        for name in acsa::record::COLUMNS.iter().map(|c| c.name).filter(|c| !unbounded.contains(c)) {
            assert!(col(&run, name).iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)), "{name} in variant {k}");
        }
        for rung in ["rung", "pending", "pact_rung"] {
            assert!(col(&run, rung).iter().all(|&r| (0.0..=5.0).contains(&r)));
        }
        assert_eq!(col(&run, "week").len(), 260);
    }
}

fn with_event(mut sc: Scenario, week: u32, kind: ShockKind, magnitude: f64) -> Scenario {
    sc.events.push(ScheduledEvent { week: Some(week), date: None, kind, magnitude });
    sc
}

#[test]
fn nuclear_test_raises_threat_and_support() {
    let mut base = small(40);
    base.shocks.rate_scale = 0.0;
    let shocked = with_event(base.clone(), 20, ShockKind::NuclearTest, 1.5);
    let a = simulate(&base, &[3; 32], None).unwrap();
    let b = simulate(&shocked, &[3; 32], None).unwrap();
    assert!(col(&b, "threat_mean")[20] > col(&a, "threat_mean")[20] + 0.2);
    assert!(col(&b, "support_mean")[20] > col(&a, "support_mean")[20] + 0.05);
    assert_eq!(col(&a, "threat_mean")[..20], col(&b, "threat_mean")[..20]);
    assert!(b.events.iter().any(|e| e.kind == "nuclear_test" && e.week == 20 && e.outcome == "scheduled"));
}

#[test]
fn japanese_trigger_raises_grievance_and_salience() {
    let mut base = small(30);
    base.shocks.rate_scale = 0.0;
    let hit = with_event(base.clone(), 10, ShockKind::JapanTrigger, 3.0);
    let a = simulate(&base, &[5; 32], None).unwrap();
    let b = simulate(&hit, &[5; 32], None).unwrap();
    assert!(col(&b, "salience_mean")[10] > col(&a, "salience_mean")[10] + 0.1);
    assert!(col(&b, "grievance_mean")[12] > col(&a, "grievance_mean")[12] + 0.02);
    assert!(col(&b, "favourability")[12] < col(&a, "favourability")[12]);
}

#[test]
fn a_korean_dispute_sours_japan_in_either_mode() {
    for mode in [acsa::japan::JapanMode::Reduced, acsa::japan::JapanMode::Full] {
        let mut base = small(30);
        base.shocks.rate_scale = 0.0;
        base.japan.mode = mode;
        base.japan.voters.n = 2_000;
        let hit = with_event(base.clone(), 10, ShockKind::KoreanDispute, 3.0);
        let a = simulate(&base, &[5; 32], None).unwrap();
        let b = simulate(&hit, &[5; 32], None).unwrap();
        assert_eq!(col(&a, "japan_mood")[..10], col(&b, "japan_mood")[..10], "{mode:?}");
        assert!(col(&b, "japan_mood")[14] < col(&a, "japan_mood")[14] - 0.02, "{mode:?}");
        assert!(col(&b, "japan_willingness")[14] < col(&a, "japan_willingness")[14] - 0.1, "{mode:?}");
    }
}

#[test]
fn us_pressure_events_raise_pressure_and_fade() {
    let mut base = small(80);
    base.shocks.rate_scale = 0.0;
    let pushed = with_event(base.clone(), 10, ShockKind::UsPressure, 2.0);
    let a = simulate(&base, &[2; 32], None).unwrap();
    let b = simulate(&pushed, &[2; 32], None).unwrap();
    let (pa, pb) = (col(&a, "us_pressure"), col(&b, "us_pressure"));
    assert!(pb[10] > pa[10] + 0.3);
    assert!(pb[79] - pa[79] < 0.5 * (pb[10] - pa[10]));
    assert!(col(&b, "japan_willingness")[10] > col(&a, "japan_willingness")[10]);
}

#[test]
fn japanese_cabinets_set_the_trigger_rate() {
    let triggers = |nationalism: f64| {
        let mut sc = small(520);
        sc.voters.n = 600;
        sc.japan.cabinets = vec![acsa::japan::Cabinet { date: "2026-06-01".into(), nationalism }];
        (0..4u8)
            .map(|seed| {
                let run = simulate(&sc, &[seed; 32], None).unwrap();
                assert!(run.events.iter().any(|e| e.kind == "japan_cabinet" && e.week == 0));
                run.events.iter().filter(|e| e.kind == "japan_trigger").count()
            })
            .sum::<usize>()
    };
    assert!(triggers(1.0) > 2 * triggers(0.0));
}

/// A run in which the president is eager to propose: pushes every rung it can.
fn eager(weeks: u32) -> Scenario {
    let mut sc = small(weeks);
    sc.executive.risk_tolerance = 1.0;
    sc.executive.ideology = 0.8;
    sc
}

#[test]
fn a_proposal_raises_salience_and_costs_approval() {
    // Dialogue not yet in force: a rung an eager president proposes early.
    let mut sc = eager(120);
    sc.ladder.in_force = vec!["sarex".into(), "gsomia".into()];
    let run = simulate(&sc, &[7; 32], None).unwrap();
    let p = run.events.iter().find(|e| e.kind == "proposal" && e.rung >= 2).expect("an eager president proposes");
    let w = p.week as usize;
    let (sal, app) = (col(&run, "salience_mean"), col(&run, "approval"));
    assert!(sal[w + 1] > sal[w], "salience {} -> {}", sal[w], sal[w + 1]);
    assert!(app[w + 1] < app[w], "approval {} -> {}", app[w], app[w + 1]);
}

#[test]
fn a_retreat_or_collapse_costs_capital() {
    // Hostile public: high grievance, no threat, so eager proposals of GSOMIA fail.
    let mut sc = eager(260);
    sc.ladder.in_force = vec!["sarex".into(), "dialogue".into()];
    sc.voters.grievance_mean = 0.8;
    sc.voters.grievance_sd = 0.05;
    let mut found = false;
    for seed in 0..6u8 {
        let run = simulate(&sc, &[seed; 32], None).unwrap();
        let cap = col(&run, "capital");
        // Capital cannot fall below zero: repeated defeats can exhaust it.
        for e in run.events.iter().filter(|e| e.kind == "retreat" || e.kind == "collapse") {
            let w = e.week as usize;
            assert!(cap[w] < cap[w - 1] || cap[w - 1] == 0.0, "capital {} -> {} at a {}", cap[w - 1], cap[w], e.kind);
            found |= cap[w - 1] > 0.0;
        }
    }
    assert!(found, "no retreat or collapse in a hostile scenario");
}

#[test]
fn drills_build_familiarity() {
    let on = small(200);
    let mut off = on.clone();
    off.ladder.drills = false;
    let a = simulate(&on, &[2; 32], None).unwrap();
    let b = simulate(&off, &[2; 32], None).unwrap();
    let start = on.ladder.familiarity;
    assert!(col(&a, "familiarity")[199] > start + 0.2);
    // Without drills the familiarity built since 1999 only fades.
    let faded = col(&b, "familiarity");
    assert!(faded.windows(2).all(|w| w[1] <= w[0]) && faded[199] < start);
}

#[test]
fn viability_means_an_acsa_signed_and_sustained() {
    // Strong shocks under an eager and a cautious president: runs of both kinds.
    let (mut viable, mut not_viable) = (0, 0);
    for risk_tolerance in [0.0, 1.0] {
        let mut sc = eager(520);
        sc.shocks.intensity = 3.0;
        sc.executive.risk_tolerance = risk_tolerance;
        sc.executive.hurdle = 2.0;
        let sustain = sc.outcome.sustain_weeks as usize;
        for seed in 0..4u8 {
            let run = simulate(&sc, &[seed; 32], None).unwrap();
            let rung = col(&run, "rung");
            // The first ACSA signed that stays in force for `sustain` weeks within the run.
            let kept = run
                .events
                .iter()
                .filter(|e| e.kind == "signed" && e.rung >= 4)
                .map(|e| e.week as usize)
                .find(|&w| rung.get(w..w + sustain).is_some_and(|r| r.iter().all(|&x| x >= 4.0)));
            let o = &run.outcome;
            assert_eq!(o.week_viable.map(|w| w as usize), kept, "risk tolerance {risk_tolerance}, seed {seed}");
            assert_eq!(o.viable, kept.is_some());
            if o.viable {
                assert!(o.max_rung >= 4);
                viable += 1;
            } else {
                not_viable += 1;
            }
        }
    }
    assert!(viable > 0 && not_viable > 0, "{viable} viable and {not_viable} other runs: the test needs both");
}

#[test]
fn seats_and_graph_errors_are_config_errors() {
    let mut sc = small(10);
    sc.network.kind = acsa::network::NetworkKind::User;
    assert!(matches!(simulate(&sc, &[0; 32], None), Err(Error::Config { ref path, .. }) if path == "network.kind"));
    let g = Graph { indptr: vec![0; 11], indices: vec![] };
    assert!(matches!(simulate(&sc, &[0; 32], Some(g)), Err(Error::Config { ref path, .. }) if path == "graph"));
    let mut sc = small(10);
    sc.voters.n = 300;
    sc.network.degree = 400;
    assert!(matches!(simulate(&sc, &[0; 32], None), Err(Error::Config { ref path, .. }) if path == "network.degree"));
}

#[test]
fn a_user_graph_is_used() {
    let sc = small(20);
    let n = sc.voters.n as usize;
    // a ring: each voter listens to the next one
    let g = Graph { indptr: (0..=n as u64).collect(), indices: (0..n as u32).map(|i| (i + 1) % n as u32).collect() };
    let mut user = sc.clone();
    user.network.kind = acsa::network::NetworkKind::User;
    let a = simulate(&user, &[1; 32], Some(g)).unwrap();
    let b = simulate(&sc, &[1; 32], None).unwrap();
    assert_ne!(col(&a, "grievance_mean"), col(&b, "grievance_mean"));
}

fn election_events(run: &Run, kind: &str) -> Vec<(u32, &'static str)> {
    run.events.iter().filter(|e| e.kind == kind).map(|e| (e.week, e.outcome.name())).collect()
}

#[test]
fn elections_follow_the_calendar() {
    let mut sc = small(520);
    sc.shocks.rate_scale = 0.2;
    let run = simulate(&sc, &[8; 32], None).unwrap();
    // Assembly: 2028-04-12, then every four years; presidency: the term ends 2030-06-04, then five years on.
    let assembly: Vec<u32> = election_events(&run, "assembly_election").iter().map(|e| e.0).collect();
    assert_eq!(assembly, vec![97, 306, 515]);
    let presidential = election_events(&run, "presidential_election");
    assert_eq!(presidential.len(), 2);
    assert_eq!(presidential[0].0, 210);
    let party = col(&run, "president_party");
    for &(w, winner) in &presidential {
        let code = ["progressive", "conservative", "independent"].iter().position(|p| *p == winner).unwrap();
        assert_eq!(party[w as usize], code as f64);
    }
    assert!(col(&run, "governing_seat_share").iter().all(|s| (0.0..=1.0).contains(s)));
}

#[test]
fn without_elections_nothing_changes_hands() {
    let mut sc = small(520);
    sc.elections.enabled = false;
    let run = simulate(&sc, &[8; 32], None).unwrap();
    assert!(run.events.iter().all(|e| !e.kind.name().ends_with("_election")));
    assert!(col(&run, "president_party").iter().all(|&p| p == 0.0));
    assert_eq!(run.outcome.n_party_changes, 0);
}

#[test]
fn an_unpopular_incumbent_camp_loses() {
    let mut sc = small(260);
    sc.voters.approval_aligned = 0.1;
    sc.voters.approval_independent = 0.02;
    sc.voters.approval_opposed = 0.0;
    sc.elections.campaign_swing_sd = 0.0;
    let lost = (0..5u8)
        .filter(|&s| {
            let run = simulate(&sc, &[s; 32], None).unwrap();
            election_events(&run, "presidential_election")[0].1 == "conservative"
        })
        .count();
    assert_eq!(lost, 5);
}

#[test]
fn a_fixed_winner_takes_office() {
    let mut sc = small(260);
    sc.elections.fixed_winners = vec![acsa::elections::FixedWinner {
        date: "2030-06-03".into(),
        party: acsa::party::Party::Independent,
        ideology: None,
    }];
    let run = simulate(&sc, &[3; 32], None).unwrap();
    // The term ends a day after the given date: the election is held then.
    assert_eq!(election_events(&run, "presidential_election"), vec![(210, "independent")]);
    assert_eq!(col(&run, "president_party")[211], 2.0);
}

#[test]
fn us_administrations_change_on_their_calendar() {
    let mut sc = small(400);
    sc.shocks.rate_scale = 0.0;
    sc.us.administration_sd = 0.3;
    let run = simulate(&sc, &[6; 32], None).unwrap();
    let weeks: Vec<u32> = run.events.iter().filter(|e| e.kind == "us_administration").map(|e| e.week).collect();
    assert_eq!(weeks, vec![138, 346]); // 2029-01-20, then four years of 52.18 weeks on
    let commitment = col(&run, "us_commitment");
    assert_eq!(commitment[137], sc.us.commitment);
    assert_ne!(commitment[138], sc.us.commitment);
    sc.us.administration_sd = 0.0;
    let steady = simulate(&sc, &[6; 32], None).unwrap();
    assert!(col(&steady, "us_commitment").iter().all(|&c| c == sc.us.commitment));
}

#[test]
fn an_acsa_shortens_logistics_delay() {
    let mut sc = eager(520);
    sc.shocks.intensity = 3.0;
    for seed in 0..6u8 {
        let run = simulate(&sc, &[seed; 32], None).unwrap();
        let delay = col(&run, "logistics_delay_days");
        assert_eq!(delay[0], 6.0);
        if let Some(w) = run.outcome.week_viable {
            assert!(delay[w as usize] < 6.0);
            return;
        }
    }
    panic!("no ACSA signed in six eager runs with strong shocks");
}

#[test]
fn a_fixed_winner_dated_before_the_term_ends_calls_a_snap_election() {
    // An impeachment-style early election in 2028, then the calendar resumes five years on.
    let mut sc = small(520);
    sc.elections.fixed_winners = vec![acsa::elections::FixedWinner {
        date: "2028-05-10".into(),
        party: acsa::party::Party::Conservative,
        ideology: None,
    }];
    let run = simulate(&sc, &[4; 32], None).unwrap();
    let pres = election_events(&run, "presidential_election");
    assert_eq!(pres[0], (101, "conservative"));
    assert_eq!(pres.len(), 2);
    assert_eq!(pres[1].0, 101 + 261); // a full term later
                                      // A given winner dated long before the run starts is ignored.
    sc.elections.fixed_winners[0].date = "2020-01-01".into();
    let run = simulate(&sc, &[4; 32], None).unwrap();
    assert_eq!(election_events(&run, "presidential_election")[0].0, 210);
}

#[test]
fn terminations_fall_on_the_anniversary_after_90_days_notice() {
    // A hostile public, a progressive president and no US pressure to suspend the notice.
    let mut sc = small(520);
    sc.voters.grievance_mean = 0.8;
    sc.shocks.japan_trigger.rate = 6.0;
    sc.us.pressure = 0.0;
    sc.us.administration_sd = 0.0;
    sc.shocks.chinese_coercion.rate = 0.0;
    sc.shocks.nuclear_test.rate = 0.0;
    let anniversaries: Vec<u32> = (0..10).map(|k| (25.06 + k as f64 * 52.1775).ceil() as u32).collect();
    let mut seen = 0;
    for seed in 0..6u8 {
        let run = simulate(&sc, &[seed; 32], None).unwrap();
        for end in run.events.iter().filter(|e| e.kind == "terminated" && e.rung == 3) {
            let notice = run.events.iter().rfind(|e| e.kind == "termination_notice" && e.week < end.week).unwrap();
            assert!(anniversaries.contains(&end.week), "ended in week {}", end.week);
            assert!(end.week >= notice.week + 13, "notice {} -> end {}", notice.week, end.week);
            seen += 1;
        }
    }
    assert!(seen > 0, "no GSOMIA termination in a hostile scenario");
}

#[test]
fn a_world_stepped_week_by_week_is_the_run() {
    let sc = small(60);
    let mut world = World::new(sc.clone(), &[6; 32], None).unwrap();
    let mut weeks = 0;
    while !world.done() {
        assert_eq!(world.week(), weeks);
        world.step();
        weeks += 1;
    }
    assert_eq!(weeks, 60);
    let stepped = world.finish();
    let run = simulate(&sc, &[6; 32], None).unwrap();
    assert_eq!(stepped.series, run.series);
    assert_eq!(stepped.events, run.events);
    assert_eq!(stepped.outcome, run.outcome);
}
