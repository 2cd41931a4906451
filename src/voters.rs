//! South Korean voters as structure-of-arrays, updated synchronously once a week.
//!
//! Grievance is double-buffered (voters read last week's neighbours); every other state
//! variable depends only on the voter itself. Work is split into blocks of whole districts,
//! each block returns its district sums in order, so aggregates are bit-stable whatever the
//! number of threads.
//!
//! The week runs in passes over chunks of voters: the sums over each voter's ties, then each
//! voter's own update in loops the compiler vectorises (compiled for the widest vectors the
//! CPU has), then the district sums. Every floating-point operation is the one of the
//! model's equations, in the same order and precision, whatever the path (see the test
//! `step_matches_the_equations_voter_by_voter`).

use rayon::prelude::*;

use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, WEEKS_PER_YEAR};
use crate::network::Graph;
use crate::party::Party;
use crate::rng::{decay, normal, Counter, RunRng, Stream};
use crate::scenario::{param, Param};

pub const DISTRICTS: usize = 253;
const PROGRESSIVE: u8 = 0;
const CONSERVATIVE: u8 = 1;
const MIN_BLOCK: usize = 4096;
/// Age bins of the adult population (share, from, to), Statistics Korea 2024, rounded.
const AGE_BINS: [(f64, f64, f64); 6] = [
    (0.17, 18.0, 30.0),
    (0.15, 30.0, 40.0),
    (0.18, 40.0, 50.0),
    (0.19, 50.0, 60.0),
    (0.16, 60.0, 70.0),
    (0.15, 70.0, 90.0),
];
const REFERENCE_AGE: f64 = 48.0;
const ADULT_AGE: f64 = 18.0;

/// The `[voters]` section (and `[japan.voters]`, Japan's voters in full mode).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub n: u64,
    pub share_progressive: f64,
    pub share_conservative: f64,
    pub district_lean_sd: f64,
    pub grievance_mean: f64,
    pub grievance_sd: f64,
    pub age_gradient: f64,
    pub party_grievance_gap: f64,
    pub cohort_shift: f64,
    pub turnover: f64,
    pub stubbornness: f64,
    pub confidence_bound: f64,
    pub threat_baseline: f64,
    pub party_threat_gap: f64,
    pub threat_half_life_weeks: f64,
    pub salience_baseline: f64,
    pub salience_half_life_weeks: f64,
    pub grievance_shock_half_life_weeks: f64,
    pub support_intercept: f64,
    pub support_threat_weight: f64,
    pub support_grievance_weight: f64,
    pub support_sd: f64,
    pub party_cue: f64,
    pub approval_aligned: f64,
    pub approval_opposed: f64,
    pub approval_independent: f64,
    pub approval_half_life_weeks: f64,
    pub backlash: f64,
    pub rally: f64,
    pub term_decay: f64,
    pub favourable_below: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            n: 20_000,
            share_progressive: 0.36,
            share_conservative: 0.30,
            district_lean_sd: 0.15,
            grievance_mean: 0.43,
            grievance_sd: 0.18,
            age_gradient: 0.004,
            party_grievance_gap: 0.10,
            cohort_shift: 0.005,
            turnover: 0.012,
            stubbornness: 0.5,
            confidence_bound: 1.0,
            threat_baseline: 0.40,
            party_threat_gap: 0.10,
            threat_half_life_weeks: 8.0,
            salience_baseline: 0.10,
            salience_half_life_weeks: 4.0,
            grievance_shock_half_life_weeks: 52.0,
            support_intercept: 0.8,
            support_threat_weight: 3.0,
            support_grievance_weight: 3.0,
            support_sd: 0.8,
            party_cue: 1.0,
            approval_aligned: 0.85,
            approval_opposed: 0.15,
            approval_independent: 0.45,
            approval_half_life_weeks: 26.0,
            backlash: 0.1,
            rally: 0.06,
            term_decay: 0.04,
            favourable_below: 0.45,
        }
    }
}

/// Rows of the parameter table, within the section.
pub const PARAMETERS: &[Param] = &[
    param("n", "voters", 253.0, 20_000_000.0, "Number of voter agents (at least one per district)."),
    param("share_progressive", "share", 0.0, 1.0, "Share of voters identifying with the progressive camp."),
    param(
        "share_conservative",
        "share",
        0.0,
        1.0,
        "Share identifying with the conservative camp; independents are the rest.",
    ),
    param(
        "district_lean_sd",
        "share",
        0.0,
        0.5,
        "Spread of districts' partisan lean (shifts progressive vs conservative shares).",
    ),
    param("grievance_mean", "0-1 scale", 0.0, 1.0, "Mean historical grievance anchor g0 of a 48-year-old voter."),
    param("grievance_sd", "0-1 scale", 0.0, 0.5, "Spread of the grievance anchor across voters."),
    param(
        "age_gradient",
        "per year of age",
        -0.05,
        0.05,
        "Grievance anchor rise per year of age (older voters hold more grievance).",
    ),
    param("party_grievance_gap", "0-1 scale", -0.5, 0.5, "Progressives' anchor minus conservatives' anchor."),
    param(
        "cohort_shift",
        "per year",
        -0.1,
        0.1,
        "Fall in the grievance anchor of each newly adult cohort per simulated year (perception-shift pathway).",
    ),
    param(
        "turnover",
        "per year",
        0.0,
        0.2,
        "Share of voters replaced by new adults each year (mortality-weighted by age).",
    ),
    param("stubbornness", "share", 0.0, 1.0, "Friedkin-Johnsen weight on one's own anchor against neighbours."),
    param(
        "confidence_bound",
        "0-1 scale",
        0.0,
        1.0,
        "Bounded confidence: ignore neighbours whose grievance differs by more than this (1 = off).",
    ),
    param("threat_baseline", "0-1 scale", 0.0, 1.0, "Threat perception to which shocks decay."),
    param("party_threat_gap", "0-1 scale", -0.5, 0.5, "Conservatives' baseline threat minus progressives'."),
    param("threat_half_life_weeks", "weeks", 0.1, 520.0, "Half-life of a threat jump."),
    param("salience_baseline", "0-1 scale", 0.0, 1.0, "Resting salience of history."),
    param("salience_half_life_weeks", "weeks", 0.1, 520.0, "Half-life of a salience spike."),
    param(
        "grievance_shock_half_life_weeks",
        "weeks",
        0.1,
        1040.0,
        "Half-life of the grievance raised by a Japanese trigger.",
    ),
    param(
        "support_intercept",
        "logit",
        -10.0,
        10.0,
        "Logit of support for security cooperation at baseline threat and zero grievance.",
    ),
    param(
        "support_threat_weight",
        "logit per unit",
        0.0,
        20.0,
        "Rise in support logit per unit of threat above baseline.",
    ),
    param(
        "support_grievance_weight",
        "logit per unit",
        0.0,
        20.0,
        "Fall in support logit per unit of grievance x (0.5 + salience).",
    ),
    param("support_sd", "logit", 0.0, 5.0, "Spread of individual support intercepts."),
    param(
        "party_cue",
        "logit",
        0.0,
        10.0,
        "Party cue at full politicisation: co-partisans follow the president's stance, opponents oppose it.",
    ),
    param("approval_aligned", "probability", 0.0, 1.0, "Resting approval of the president among co-partisans."),
    param("approval_opposed", "probability", 0.0, 1.0, "Resting approval among the other camp."),
    param("approval_independent", "probability", 0.0, 1.0, "Resting approval among independents."),
    param("approval_half_life_weeks", "weeks", 0.1, 520.0, "Half-life of approval shocks (backlash, rally)."),
    param("backlash", "per unit", 0.0, 5.0, "Approval lost per unit of proposal activation x grievance."),
    param(
        "rally",
        "per unit",
        0.0,
        5.0,
        "Approval gained per unit of Japanese trigger x grievance (a dispute with Japan).",
    ),
    param("term_decay", "per year", 0.0, 0.5, "Fall in resting approval per year in office."),
    param(
        "favourable_below",
        "0-1 scale",
        0.0,
        1.0,
        "A voter holds a good impression of Japan when grievance is below this.",
    ),
];

/// What reaches every voter this week.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pulse {
    pub step: u32,
    pub threat_jump: f64,
    pub threat_base_shift: f64,
    pub grievance_shock: f64,
    /// Grievance activation by the executive's proposal (controversy x publicity x damping).
    pub activation: f64,
    /// Salience and rally input from Japanese triggers.
    pub trigger: f64,
    pub exec_party: Option<Party>,
    /// +1 pushing cooperation, -1 moving to end it, in between: the president's lean.
    pub exec_stance: f64,
    pub politicisation: f64,
    pub approval_shift: f64,
}

/// Per-run constants derived from the voters' parameters.
#[derive(Clone, Copy, Debug)]
struct Rates {
    stubbornness: f64,
    confidence_bound: f64,
    threat_baseline: f64,
    party_threat_gap: f64,
    threat_decay: f64,
    salience_baseline: f64,
    salience_decay: f64,
    support_intercept: f64,
    support_threat_weight: f64,
    support_grievance_weight: f64,
    party_cue: f64,
    approval: [f64; 3], // by alignment: aligned, opposed, neutral
    approval_decay: f64,
    backlash: f64,
    rally: f64,
    favourable_below: f64,
}

impl Rates {
    fn new(v: &Params) -> Rates {
        Rates {
            stubbornness: v.stubbornness,
            confidence_bound: v.confidence_bound,
            threat_baseline: v.threat_baseline,
            party_threat_gap: v.party_threat_gap,
            threat_decay: decay(v.threat_half_life_weeks),
            salience_baseline: v.salience_baseline,
            salience_decay: decay(v.salience_half_life_weeks),
            support_intercept: v.support_intercept,
            support_threat_weight: v.support_threat_weight,
            support_grievance_weight: v.support_grievance_weight,
            party_cue: v.party_cue,
            approval: [v.approval_aligned, v.approval_opposed, v.approval_independent],
            approval_decay: decay(v.approval_half_life_weeks),
            backlash: v.backlash,
            rally: v.rally,
            favourable_below: v.favourable_below,
        }
    }
}

/// Progressive -1, conservative +1, independent 0.
#[inline(always)]
fn camp(p: u8) -> f64 {
    match p {
        PROGRESSIVE => -1.0,
        CONSERVATIVE => 1.0,
        _ => 0.0,
    }
}

/// +1 the president's camp, -1 the other major camp, 0 otherwise.
#[inline(always)]
fn alignment(p: u8, exec: Option<Party>) -> f64 {
    match exec {
        Some(Party::Independent) | None => 0.0,
        Some(e) if e.index() as u8 == p => 1.0,
        Some(_) if p == 2 => 0.0,
        Some(_) => -1.0,
    }
}

#[inline(always)]
fn approval_target(params: &Rates, align: f64, shift: f64) -> f64 {
    let base = if align > 0.0 {
        params.approval[0]
    } else if align < 0.0 {
        params.approval[1]
    } else {
        params.approval[2]
    };
    (base + shift).clamp(0.0, 1.0)
}

#[inline(always)]
fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// Sums over one district, in voter order.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums {
    pub n: f64,
    pub approval: f64,
    pub support: f64,
    pub supporters: f64,
    pub grievance: f64,
    pub threat: f64,
    pub salience: f64,
    pub favourable: f64,
    pub party_n: [f64; 3],
    pub party_support: [f64; 3],
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.n += o.n;
        self.approval += o.approval;
        self.support += o.support;
        self.supporters += o.supporters;
        self.grievance += o.grievance;
        self.threat += o.threat;
        self.salience += o.salience;
        self.favourable += o.favourable;
        for k in 0..3 {
            self.party_n[k] += o.party_n[k];
            self.party_support[k] += o.party_support[k];
        }
    }
}

/// National means and district moods after a week.
#[derive(Clone, Debug, Default)]
pub struct Aggregates {
    pub approval: f64,
    pub support_mean: f64,
    pub support_share: f64,
    pub grievance_mean: f64,
    pub threat_mean: f64,
    pub salience_mean: f64,
    pub favourability: f64,
    /// Mean support by party (progressive, conservative, independent); NaN-free: 0.5 if empty.
    pub party_support: [f64; 3],
    pub party_share: [f64; 3],
    /// Mean support in each district.
    pub district_support: Vec<f64>,
    /// Share of progressive minus conservative voters in each district.
    pub district_lean: Vec<f64>,
}

impl Aggregates {
    fn from_districts(d: &[Sums]) -> Aggregates {
        let mut t = Sums::default();
        for s in d {
            t.add(s);
        }
        let n = t.n.max(1.0);
        let mean = |x: f64, c: f64| if c > 0.0 { x / c } else { 0.5 };
        Aggregates {
            approval: t.approval / n,
            support_mean: t.support / n,
            support_share: t.supporters / n,
            grievance_mean: t.grievance / n,
            threat_mean: t.threat / n,
            salience_mean: t.salience / n,
            favourability: t.favourable / n,
            party_support: [0, 1, 2].map(|k| mean(t.party_support[k], t.party_n[k])),
            party_share: [0, 1, 2].map(|k| t.party_n[k] / n),
            district_support: d.iter().map(|s| mean(s.support, s.n)).collect(),
            district_lean: d.iter().map(|s| (s.party_n[0] - s.party_n[1]) / s.n.max(1.0)).collect(),
        }
    }
}

pub struct Voters {
    params: Rates,
    /// The voters' section, for cohort replacement.
    input: Params,
    calendar: Calendar,
    pub party: Vec<u8>,
    /// District d holds voters district_start[d]..district_start[d + 1].
    pub district_start: Vec<usize>,
    /// Blocks of whole districts, each at least MIN_BLOCK voters: the unit of parallel work.
    blocks: Vec<(usize, usize)>,
    birth_year: Vec<f32>,
    g0: Vec<f32>,
    support_bias: Vec<f32>,
    pub grievance: Vec<f32>,
    grievance_next: Vec<f32>,
    pub threat: Vec<f32>,
    pub salience: Vec<f32>,
    pub support: Vec<f32>,
    pub approval: Vec<f32>,
}

impl Voters {
    /// Voters laid out by district and party, with ages, anchors and support intercepts
    /// drawn and threat and approval at their resting levels under `president`.
    pub fn new(v: &Params, calendar: &Calendar, president: Party, counter: &Counter, rng: &mut RunRng) -> Voters {
        let n = v.n as usize;
        let district_start: Vec<usize> = (0..=DISTRICTS).map(|d| d * n / DISTRICTS).collect();

        // Party layout: each district gets a partisan lean; within it, progressives,
        // independents, then conservatives, so ring neighbours share party.
        let mut party = Vec::with_capacity(n);
        for d in 0..DISTRICTS {
            let size = district_start[d + 1] - district_start[d];
            let lean = v.district_lean_sd * normal(rng);
            let mut pp = clamp01(v.share_progressive + lean);
            let mut pc = clamp01(v.share_conservative - lean);
            if pp + pc > 1.0 {
                let s = pp + pc;
                pp /= s;
                pc /= s;
            }
            let n_prog = ((pp * size as f64).round() as usize).min(size);
            let n_cons = ((pc * size as f64).round() as usize).min(size - n_prog);
            party.extend(std::iter::repeat_n(PROGRESSIVE, n_prog));
            party.extend(std::iter::repeat_n(2u8, size - n_prog - n_cons));
            party.extend(std::iter::repeat_n(CONSERVATIVE, n_cons));
        }

        let params = Rates::new(v);
        let start_year = calendar.year(0);
        let mut birth_year = vec![0f32; n];
        let mut g0 = vec![0f32; n];
        let mut support_bias = vec![0f32; n];
        for i in 0..n {
            let age = sample_age(counter.uniform(Stream::Age, 0, i as u64, 0));
            birth_year[i] = (start_year - age) as f32;
            g0[i] = anchor(v, party[i], age, 0.0, counter.normal(Stream::Grievance, 0, i as u64)) as f32;
            support_bias[i] = (v.support_sd * counter.normal(Stream::Support, 0, i as u64)) as f32;
        }
        let exec = Some(president);
        let threat: Vec<f32> = party.iter().map(|&p| threat_base(&params, p, 0.0) as f32).collect();
        let approval = party.iter().map(|&p| approval_target(&params, alignment(p, exec), 0.0) as f32).collect();

        let mut blocks = Vec::new();
        let mut d0 = 0;
        for d in 1..=DISTRICTS {
            if district_start[d] - district_start[d0] >= MIN_BLOCK || d == DISTRICTS {
                blocks.push((d0, d));
                d0 = d;
            }
        }

        Voters {
            params,
            input: v.clone(),
            calendar: *calendar,
            party,
            district_start,
            blocks,
            birth_year,
            grievance: g0.clone(),
            grievance_next: g0.clone(),
            g0,
            support_bias,
            threat,
            salience: vec![params.salience_baseline as f32; n],
            support: vec![0.5; n],
            approval,
        }
    }

    pub fn n(&self) -> usize {
        self.party.len()
    }

    /// Run the grievance averaging alone until it settles, so week 0 is not a transient.
    /// `grievance_shock` is the trigger load the run starts with.
    pub fn settle(&mut self, graph: &Graph, iterations: usize, grievance_shock: f64) {
        let p = self.params;
        for _ in 0..iterations {
            let (g, g0) = (&self.grievance, &self.g0);
            let run = |(c, out): (usize, &mut [f32])| {
                let lo = c * CHUNK;
                settle_chunk(&p, graph, g, &g0[lo..lo + out.len()], grievance_shock, lo, out)
            };
            if rayon::current_num_threads() > 1 {
                self.grievance_next.par_chunks_mut(CHUNK).enumerate().for_each(run);
            } else {
                self.grievance_next.chunks_mut(CHUNK).enumerate().for_each(run);
            }
            std::mem::swap(&mut self.grievance, &mut self.grievance_next);
        }
    }

    /// One synchronous week for every voter; returns the aggregates.
    pub fn step(&mut self, graph: &Graph, pulse: &Pulse, counter: &Counter) -> Aggregates {
        self.step_on(Isa::detect(), graph, pulse, counter)
    }

    /// `step` with the code for instruction set `isa` (which the CPU must have).
    fn step_on(&mut self, isa: Isa, graph: &Graph, pulse: &Pulse, counter: &Counter) -> Aggregates {
        let p = self.params;
        let w = Week::new(&p, pulse, isa);
        let ranges: Vec<(usize, usize)> =
            self.blocks.iter().map(|&(a, b)| (self.district_start[a], self.district_start[b])).collect();
        let gn = split(&mut self.grievance_next, &ranges);
        let th = split(&mut self.threat, &ranges);
        let sa = split(&mut self.salience, &ranges);
        let su = split(&mut self.support, &ranges);
        let ap = split(&mut self.approval, &ranges);
        let (g, g0, party, bias, starts) =
            (&self.grievance, &self.g0, &self.party, &self.support_bias, &self.district_start);
        let blocks = &self.blocks;
        let jobs: Vec<_> = gn.into_iter().zip(th).zip(sa).zip(su).zip(ap).enumerate().collect();
        let run = |(b, ((((gn, th), sa), su), ap)): (usize, BlockState)| {
            let (d_first, d_end) = blocks[b];
            let (lo, hi) = (starts[d_first], starts[d_end]);
            let block = Block {
                g,
                graph,
                counter,
                pulse,
                params: &p,
                week: &w,
                lo,
                starts: &starts[d_first..=d_end],
                g0: &g0[lo..hi],
                bias: &bias[lo..hi],
                party: &party[lo..hi],
            };
            if pulse.threat_jump > 0.0 {
                block.step::<true>(gn, th, sa, su, ap)
            } else {
                block.step::<false>(gn, th, sa, su, ap)
            }
        };
        // Blocks in parallel if the pool has threads to spare; on one thread in this one
        // (the same results, without handing each week to the pool and back).
        let per_block: Vec<Vec<Sums>> = if rayon::current_num_threads() > 1 {
            jobs.into_par_iter().map(run).collect()
        } else {
            jobs.into_iter().map(run).collect()
        };
        std::mem::swap(&mut self.grievance, &mut self.grievance_next);
        let districts: Vec<Sums> = per_block.into_iter().flatten().collect();
        Aggregates::from_districts(&districts)
    }

    /// Aggregates of the current state without stepping (for week 0 and tests).
    pub fn aggregate(&self) -> Aggregates {
        let p = self.params;
        let districts: Vec<Sums> = (0..DISTRICTS)
            .map(|d| {
                let (a, b) = (self.district_start[d], self.district_start[d + 1]);
                let (g, th, sa, su, ap) = (
                    &self.grievance[a..b],
                    &self.threat[a..b],
                    &self.salience[a..b],
                    &self.support[a..b],
                    &self.approval[a..b],
                );
                district_sums(&p, (g, th, sa, su, ap, &self.party[a..b]))
            })
            .collect();
        Aggregates::from_districts(&districts)
    }

    /// Start every voter's threat at its baseline plus the routine load of shocks.
    pub fn raise_threat(&mut self, load: f64) {
        for t in &mut self.threat {
            *t = clamp01(*t as f64 + load) as f32;
        }
    }

    /// Yearly cohort replacement: voters leave with an age-rising hazard (mean = turnover)
    /// and new adults take their place, with an anchor lowered by cohort_shift per year.
    pub fn replace_cohort(&mut self, step: u32, pulse: &Pulse, counter: &Counter) -> usize {
        let turnover = self.input.turnover;
        if turnover <= 0.0 {
            return 0;
        }
        let now = self.calendar.year(step);
        let years = step as f64 / WEEKS_PER_YEAR;
        let weight = |by: f32| crate::math::exp(0.07 * (now - by as f64 - ADULT_AGE));
        let mean_w = self.birth_year.iter().map(|&b| weight(b)).sum::<f64>() / self.n() as f64;
        let mut replaced = 0;
        for i in 0..self.n() {
            let hazard = (turnover * weight(self.birth_year[i]) / mean_w).min(1.0);
            if counter.uniform(Stream::Turnover, step, i as u64, 0) >= hazard {
                continue;
            }
            replaced += 1;
            let p = self.party[i];
            self.birth_year[i] = (now - ADULT_AGE) as f32;
            let z = counter.normal(Stream::Grievance, step, i as u64);
            let g0 = anchor(&self.input, p, ADULT_AGE, years, z);
            self.g0[i] = g0 as f32;
            self.grievance[i] = g0 as f32;
            self.support_bias[i] = (self.input.support_sd * counter.normal(Stream::Support, step, i as u64)) as f32;
            self.threat[i] = threat_base(&self.params, p, pulse.threat_base_shift) as f32;
            self.salience[i] = self.params.salience_baseline as f32;
            self.approval[i] =
                approval_target(&self.params, alignment(p, pulse.exec_party), pulse.approval_shift) as f32;
        }
        replaced
    }

    /// Mean grievance anchor (for tests and the record of perception shift).
    pub fn anchor_mean(&self) -> f64 {
        self.g0.iter().map(|&x| x as f64).sum::<f64>() / self.n() as f64
    }
}

/// Weights of a voter's choice between the three camps (see `Voters::tally_votes`).
#[derive(Clone, Copy, Debug)]
pub struct VoteWeights {
    pub identity: f64,
    pub approval: f64,
    pub issue: f64,
    pub minor_penalty: f64,
    /// This election's national swing towards the conservatives (negative: progressives).
    pub swing: f64,
}

impl Voters {
    /// Every voter votes; returns the tally per district (progressive, conservative, third
    /// camp). Utility of camp c: identity if it is the voter's own camp; for the incumbent's
    /// camp, approval weight x (approval - 0.5); issue weight x (support - 0.5) plus the
    /// election's national swing, for the conservatives and against the progressives; minus
    /// a handicap for the third camp; plus a Gumbel draw, so the choice is a multinomial logit.
    pub fn tally_votes(&self, step: u32, incumbent: Party, w: &VoteWeights, counter: &Counter) -> Vec<[u32; 3]> {
        self.tally_votes_on(Isa::detect(), step, incumbent, w, counter)
    }

    /// `tally_votes` with the code for instruction set `isa` (which the CPU must have).
    fn tally_votes_on(
        &self,
        isa: Isa,
        step: u32,
        incumbent: Party,
        w: &VoteWeights,
        counter: &Counter,
    ) -> Vec<[u32; 3]> {
        let run = |d: usize| {
            let (a, b) = (self.district_start[d], self.district_start[d + 1]);
            let v = Ballots {
                approval: &self.approval[a..b],
                support: &self.support[a..b],
                party: &self.party[a..b],
                first: a,
                step,
                incumbent: incumbent.index(),
                weights: w,
                counter,
            };
            match isa {
                Isa::Plain => tally_plain(v),
                // SAFETY: the CPU has the features (see `Isa`).
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 => unsafe { tally_avx2(v) },
                #[cfg(target_arch = "x86_64")]
                Isa::Avx512 => unsafe { tally_avx512(v) },
            }
        };
        if rayon::current_num_threads() > 1 {
            (0..DISTRICTS).into_par_iter().map(run).collect()
        } else {
            (0..DISTRICTS).map(run).collect()
        }
    }

    /// A new president: every voter's approval starts at its resting level for the new
    /// alignment (plus the honeymoon in `shift`).
    pub fn reset_approval(&mut self, president: Party, shift: f64) {
        for (a, &p) in self.approval.iter_mut().zip(&self.party) {
            *a = approval_target(&self.params, alignment(p, Some(president)), shift) as f32;
        }
    }
}

/// One district's voters for `tally`.
struct Ballots<'a> {
    approval: &'a [f32],
    support: &'a [f32],
    party: &'a [u8],
    /// Index of the district's first voter among all voters.
    first: usize,
    step: u32,
    incumbent: usize,
    weights: &'a VoteWeights,
    counter: &'a Counter,
}

#[inline(never)]
fn tally_plain(v: Ballots) -> [u32; 3] {
    tally(v)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline(never)]
unsafe fn tally_avx2(v: Ballots) -> [u32; 3] {
    tally(v)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
#[inline(never)]
unsafe fn tally_avx512(v: Ballots) -> [u32; 3] {
    tally(v)
}

/// The votes of one district (see `Voters::tally_votes`) in chunks: first the Gumbel draws
/// (the logarithms, in a loop the compiler can vectorise), then each voter's choice, the same
/// as one voter at a time.
#[inline(always)]
fn tally(v: Ballots) -> [u32; 3] {
    const M: usize = 64;
    let n = v.approval.len();
    let (support, party, w) = (&v.support[..n], &v.party[..n], v.weights);
    let mut tally = [0u32; 3];
    let mut gumbel = [[0f64; M]; 3];
    let mut k0 = 0;
    while k0 < n {
        let m = M.min(n - k0);
        for (c, draws) in gumbel.iter_mut().enumerate() {
            for (k, d) in draws[..m].iter_mut().enumerate() {
                let bits = v.counter.bits(Stream::Vote, v.step, (v.first + k0 + k) as u64, c as u32);
                let uniform = ((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64); // (0, 1)
                *d = crate::math::ln(-crate::math::ln(uniform));
            }
        }
        for k in 0..m {
            let q = party[k0 + k];
            let approval = v.approval[k0 + k] as f64 - 0.5;
            let support = support[k0 + k] as f64 - 0.5;
            let mut best = (f64::NEG_INFINITY, 0usize);
            for (c, draws) in gumbel.iter().enumerate() {
                let c8 = c as u8;
                let mut u = (w.issue * support + w.swing) * camp(c8);
                if c8 == q {
                    u += w.identity;
                }
                if c == v.incumbent {
                    u += w.approval * approval;
                }
                if c8 == 2 {
                    u -= w.minor_penalty;
                }
                u -= draws[k];
                if u > best.0 {
                    best = (u, c);
                }
            }
            tally[best.1] += 1;
        }
        k0 += m;
    }
    tally
}

/// Grievance anchor g0 for a voter of party p and age, entering `years` after the start.
fn anchor(v: &Params, p: u8, age: f64, years: f64, z: f64) -> f64 {
    clamp01(
        v.grievance_mean + v.age_gradient * (age - REFERENCE_AGE)
            - 0.5 * v.party_grievance_gap * camp(p)
            - v.cohort_shift * years
            + v.grievance_sd * z,
    )
}

fn sample_age(u: f64) -> f64 {
    let mut acc = 0.0;
    let total: f64 = AGE_BINS.iter().map(|b| b.0).sum();
    let u = u * total;
    for &(share, from, to) in &AGE_BINS {
        if u < acc + share {
            return from + (to - from) * (u - acc) / share;
        }
        acc += share;
    }
    AGE_BINS[AGE_BINS.len() - 1].2
}

#[inline(always)]
fn threat_base(p: &Rates, party: u8, shift: f64) -> f64 {
    clamp01(p.threat_baseline + 0.5 * p.party_threat_gap * camp(party) + shift)
}

/// Sum of g over `nbrs` with two running sums in a fixed order (the same bits every run,
/// half the chain of dependent additions).
///
/// # Safety
/// Every index in `nbrs` must be less than `g.len()`.
#[inline(always)]
unsafe fn gather_sum(g: &[f32], nbrs: &[u32]) -> f32 {
    let (n, c) = (nbrs.len(), nbrs.as_ptr());
    let (mut a0, mut a1) = (0f32, 0f32);
    let mut k = 0;
    while k + 2 <= n {
        a0 += *g.get_unchecked(*c.add(k) as usize);
        a1 += *g.get_unchecked(*c.add(k + 1) as usize);
        k += 2;
    }
    if k < n {
        a0 += *g.get_unchecked(*c.add(k) as usize);
    }
    a0 + a1
}

/// Friedkin-Johnsen with optional bounded confidence:
/// g' = s * anchor + (1 - s) * mean of neighbours within the confidence bound.
#[inline(always)]
fn friedkin_johnsen(g: &[f32], nbrs: &[u32], i: usize, anchor: f64, p: &Rates) -> f64 {
    let gi = g[i];
    let (mut sum, mut count) = (0f32, 0u32);
    if p.confidence_bound >= 1.0 {
        // SAFETY: graphs are built or checked with every index below the number of voters.
        sum = unsafe { gather_sum(g, nbrs) };
        count = nbrs.len() as u32;
    } else {
        let eps = p.confidence_bound as f32;
        for &j in nbrs {
            let gj = g[j as usize];
            if (gj - gi).abs() <= eps {
                sum += gj;
                count += 1;
            }
        }
    }
    let avg = if count > 0 { sum as f64 / count as f64 } else { gi as f64 };
    clamp01(p.stubbornness * anchor + (1.0 - p.stubbornness) * avg)
}

// The model's equations for one voter. `update` computes them for a chunk of voters at once,
// with the per-week parts in `Week`; the tests check the two against each other bit for bit.

/// Threat: jumps with shock exposure, decays to the party baseline.
#[cfg(test)]
fn update_threat(p: &Rates, pulse: &Pulse, counter: &Counter, party: u8, i: usize, old: f64) -> f64 {
    let base = threat_base(p, party, pulse.threat_base_shift);
    let mut th = base + (old - base) * p.threat_decay;
    if pulse.threat_jump > 0.0 {
        th += pulse.threat_jump * (0.5 + counter.uniform(Stream::Exposure, pulse.step, i as u64, 0));
    }
    clamp01(th)
}

/// Salience: decays to baseline, activated by proposals and triggers in proportion to grievance.
#[cfg(test)]
fn update_salience(p: &Rates, pulse: &Pulse, g: f64, old: f64) -> f64 {
    let sa = p.salience_baseline + (old - p.salience_baseline) * p.salience_decay;
    clamp01(sa + (1.0 - sa) * ((pulse.activation + pulse.trigger) * g).min(1.0))
}

/// Support for security cooperation (logit): threat for, grievance x salience against,
/// and the party cue once the issue is politicised.
#[cfg(test)]
fn support_logit(p: &Rates, pulse: &Pulse, party: u8, g: f64, th: f64, sa: f64, bias: f32) -> f64 {
    p.support_intercept + p.support_threat_weight * (th - p.threat_baseline)
        - p.support_grievance_weight * g * (0.5 + sa)
        + p.party_cue * pulse.politicisation * pulse.exec_stance * alignment(party, pulse.exec_party)
        + bias as f64
}

/// Approval: relaxes to the partisan resting level; backlash and rally move it.
#[cfg(test)]
fn update_approval(p: &Rates, pulse: &Pulse, party: u8, g: f64, old: f64) -> f64 {
    let target = approval_target(p, alignment(party, pulse.exec_party), pulse.approval_shift);
    clamp01(
        target + (old - target) * p.approval_decay - p.backlash * pulse.activation * g + p.rally * pulse.trigger * g,
    )
}

/// The per-week constants of the voter update, each computed by the same expression as in
/// the model's equations (`threat_base`, `approval_target`, the party cue, activation plus
/// trigger, backlash x activation, rally x trigger), so `update` computes the same bits.
#[derive(Clone, Copy, Debug)]
struct Week {
    grievance_shock: f64,
    stubbornness: f64,
    /// 1 - stubbornness.
    openness: f64,
    /// By party byte: 0, 1, anything else.
    threat_base: [f64; 3],
    threat_decay: f64,
    salience_baseline: f64,
    salience_decay: f64,
    activation_and_trigger: f64,
    support_intercept: f64,
    support_threat_weight: f64,
    threat_baseline: f64,
    support_grievance_weight: f64,
    cue: [f64; 3],
    approval_target: [f64; 3],
    approval_decay: f64,
    /// backlash x activation.
    backlash: f64,
    /// rally x trigger.
    rally: f64,
    step: u32,
    threat_jump: f64,
    isa: Isa,
}

impl Week {
    fn new(p: &Rates, pulse: &Pulse, isa: Isa) -> Week {
        let parties = [PROGRESSIVE, CONSERVATIVE, 2];
        Week {
            grievance_shock: pulse.grievance_shock,
            stubbornness: p.stubbornness,
            openness: 1.0 - p.stubbornness,
            threat_base: parties.map(|q| threat_base(p, q, pulse.threat_base_shift)),
            threat_decay: p.threat_decay,
            salience_baseline: p.salience_baseline,
            salience_decay: p.salience_decay,
            activation_and_trigger: pulse.activation + pulse.trigger,
            support_intercept: p.support_intercept,
            support_threat_weight: p.support_threat_weight,
            threat_baseline: p.threat_baseline,
            support_grievance_weight: p.support_grievance_weight,
            cue: parties
                .map(|q| p.party_cue * pulse.politicisation * pulse.exec_stance * alignment(q, pulse.exec_party)),
            approval_target: parties.map(|q| approval_target(p, alignment(q, pulse.exec_party), pulse.approval_shift)),
            approval_decay: p.approval_decay,
            backlash: p.backlash * pulse.activation,
            rally: p.rally * pulse.trigger,
            step: pulse.step,
            threat_jump: pulse.threat_jump,
            isa,
        }
    }
}

/// The entry of a by-party table for party byte `q`.
#[inline(always)]
fn by_party(t: [f64; 3], q: u8) -> f64 {
    if q == PROGRESSIVE {
        t[0]
    } else if q == CONSERVATIVE {
        t[1]
    } else {
        t[2]
    }
}

/// What one block of districts reads.
struct Block<'a> {
    /// Last week's grievance of every voter.
    g: &'a [f32],
    graph: &'a Graph,
    counter: &'a Counter,
    pulse: &'a Pulse,
    params: &'a Rates,
    week: &'a Week,
    /// First voter of the block.
    lo: usize,
    /// Start of each of the block's districts and the end of the last (indices of all voters).
    starts: &'a [usize],
    g0: &'a [f32],
    bias: &'a [f32],
    party: &'a [u8],
}

/// Voters per chunk of the block: small enough that a chunk's columns stay in the first-level
/// cache between the passes, a multiple of the widest vector.
const CHUNK: usize = 512;

/// Columns of a range of voters, all of one length.
struct Columns<'a> {
    /// In: this week's grievance, or the sums over each voter's ties; out: this week's grievance.
    gn: &'a mut [f32],
    th: &'a mut [f32],
    sa: &'a mut [f32],
    su: &'a mut [f32],
    ap: &'a mut [f32],
    g0: &'a [f32],
    bias: &'a [f32],
    party: &'a [u8],
    /// Index of the first voter among all voters (for the exposure draws).
    first: usize,
    counter: &'a Counter,
}

/// A block's slices of the state: grievance (this week's), threat, salience, support, approval.
type BlockState<'a> = ((((&'a mut [f32], &'a mut [f32]), &'a mut [f32]), &'a mut [f32]), &'a mut [f32]);

impl Block<'_> {
    /// The week for every voter of the block (state in `gn`..`ap`); returns the district
    /// sums. With `JUMP` a threat jump lands this week.
    ///
    /// Compiled for the widest vectors the CPU has. The instructions differ, the operations
    /// and their order do not, so every version computes the same bits (and none may fuse a
    /// multiply and an add: no version enables FMA).
    fn step<const JUMP: bool>(
        &self,
        gn: &mut [f32],
        th: &mut [f32],
        sa: &mut [f32],
        su: &mut [f32],
        ap: &mut [f32],
    ) -> Vec<Sums> {
        match self.week.isa {
            Isa::Plain => self.step_plain::<JUMP>(gn, th, sa, su, ap),
            // SAFETY: the CPU has the features (see `Isa`).
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { self.step_avx2::<JUMP>(gn, th, sa, su, ap) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { self.step_avx512::<JUMP>(gn, th, sa, su, ap) },
        }
    }

    #[inline(never)]
    fn step_plain<const JUMP: bool>(
        &self,
        gn: &mut [f32],
        th: &mut [f32],
        sa: &mut [f32],
        su: &mut [f32],
        ap: &mut [f32],
    ) -> Vec<Sums> {
        self.step_any::<JUMP>(gn, th, sa, su, ap)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    unsafe fn step_avx2<const JUMP: bool>(
        &self,
        gn: &mut [f32],
        th: &mut [f32],
        sa: &mut [f32],
        su: &mut [f32],
        ap: &mut [f32],
    ) -> Vec<Sums> {
        self.step_any::<JUMP>(gn, th, sa, su, ap)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
    #[inline(never)]
    unsafe fn step_avx512<const JUMP: bool>(
        &self,
        gn: &mut [f32],
        th: &mut [f32],
        sa: &mut [f32],
        su: &mut [f32],
        ap: &mut [f32],
    ) -> Vec<Sums> {
        self.step_any::<JUMP>(gn, th, sa, su, ap)
    }

    /// `step` in chunks, each through all passes.
    #[inline(always)]
    fn step_any<const JUMP: bool>(
        &self,
        gn: &mut [f32],
        th: &mut [f32],
        sa: &mut [f32],
        su: &mut [f32],
        ap: &mut [f32],
    ) -> Vec<Sums> {
        let (g, graph, lo, n) = (self.g, self.graph, self.lo, gn.len());
        let mut c = 0;
        while c < n {
            let e = (c + CHUNK).min(n);
            // Grievance first (it reads the neighbours). If every voter of the chunk has the
            // same number of ties (the generated graphs) and the confidence bound is 1, only
            // the sums over the ties here, the rest in `update`.
            let degree =
                if self.params.confidence_bound >= 1.0 { regular_degree(&graph.indptr[lo + c..=lo + e]) } else { None };
            if let Some(d) = degree {
                let ties = &graph.indices[graph.indptr[lo + c] as usize..graph.indptr[lo + e] as usize];
                // SAFETY: graphs are built or checked with every index below the number of voters.
                unsafe { neighbour_sums(g, ties, d, &mut gn[c..e]) };
            } else {
                for (k, slot) in (c..e).zip(&mut gn[c..e]) {
                    let anchor = clamp01(self.g0[k] as f64 + self.pulse.grievance_shock);
                    *slot = friedkin_johnsen(g, graph.neighbours(lo + k), lo + k, anchor, self.params) as f32;
                }
            }
            let v = Columns {
                gn: &mut gn[c..e],
                th: &mut th[c..e],
                sa: &mut sa[c..e],
                su: &mut su[c..e],
                ap: &mut ap[c..e],
                g0: &self.g0[c..e],
                bias: &self.bias[c..e],
                party: &self.party[c..e],
                first: lo + c,
                counter: self.counter,
            };
            match degree {
                Some(d) => update::<true, JUMP>(self.week, d as u32 as f64, v),
                None => update::<false, JUMP>(self.week, 0.0, v),
            }
            c = e;
        }
        self.sums(gn, th, sa, su, ap)
    }

    /// Each district's sums, in voter order: with AVX-512 eight districts at a time, one in
    /// each lane, if their voters are laid out by party as `Voters::new` lays them out.
    #[inline(always)]
    fn sums(&self, gn: &[f32], th: &[f32], sa: &[f32], su: &[f32], ap: &[f32]) -> Vec<Sums> {
        let (lo, nd) = (self.lo, self.starts.len() - 1);
        let columns = |d: usize| {
            let (a, b) = (self.starts[d] - lo, self.starts[d + 1] - lo);
            (&gn[a..b], &th[a..b], &sa[a..b], &su[a..b], &ap[a..b], &self.party[a..b])
        };
        let mut out = Vec::with_capacity(nd);
        #[cfg(target_arch = "x86_64")]
        if matches!(self.week.isa, Isa::Avx512) && gn.len() <= i32::MAX as usize {
            for first in (0..nd).step_by(8) {
                let mut lanes = [Lane::default(); 8];
                for (j, lane) in lanes.iter_mut().enumerate().take(nd - first) {
                    let d = first + j;
                    let (a, b) = (self.starts[d] - lo, self.starts[d + 1] - lo);
                    if let Some((r0, r1)) = party_runs(&self.party[a..b]) {
                        *lane = Lane { start: a as i32, len: (b - a) as i32, r0: r0 as i32, r1: r1 as i32, used: true };
                    }
                }
                // SAFETY: the CPU has AVX-512; the lanes lie within the columns.
                let by_lane = unsafe { sums_by_eight(self.params.favourable_below, (gn, th, sa, su, ap), &lanes) };
                for (j, s) in by_lane.iter().enumerate().take(nd - first) {
                    out.push(if lanes[j].used { *s } else { district_sums(self.params, columns(first + j)) });
                }
            }
            return out;
        }
        for d in 0..nd {
            out.push(district_sums(self.params, columns(d)));
        }
        out
    }
}

/// Instruction sets that `Block::step`, `tally` and `sums_by_eight` have versions for. A
/// value other than `Plain` may only be used on a CPU that has the features (`detect`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Isa {
    Plain,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// The widest the CPU has.
    fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Plain
    }
}

/// Each voter's own update: the end of `friedkin_johnsen` (with `FJ`: `gn` comes in with the
/// sums over `degree` ties each), then threat, salience, the support logit, approval and the
/// logistic, with the operations of the model's equations in their order, written without
/// calls or branches so that the compiler can vectorise the loops. The logistic has a loop
/// of its own (short dependency chains in each loop keep more voters in flight).
#[inline(always)]
fn update<const FJ: bool, const JUMP: bool>(w: &Week, degree: f64, v: Columns) {
    let n = v.gn.len();
    let (gn, th, sa, su, ap) = (v.gn, &mut v.th[..n], &mut v.sa[..n], &mut v.su[..n], &mut v.ap[..n]);
    let (g0, bias, party) = (&v.g0[..n], &v.bias[..n], &v.party[..n]);
    let w = *w;
    if FJ {
        for k in 0..n {
            let anchor = clamp01(g0[k] as f64 + w.grievance_shock);
            let avg = gn[k] as f64 / degree;
            gn[k] = clamp01(w.stubbornness * anchor + w.openness * avg) as f32;
        }
    }
    let mut logit = [0f64; CHUNK];
    let logit = &mut logit[..n];
    for k in 0..n {
        let (q, g) = (party[k], gn[k] as f64);
        let base = by_party(w.threat_base, q);
        let mut t = base + (th[k] as f64 - base) * w.threat_decay;
        if JUMP {
            let i = (v.first + k) as u64;
            t += w.threat_jump * (0.5 + v.counter.uniform(Stream::Exposure, w.step, i, 0));
        }
        let t = clamp01(t);
        let a = w.salience_baseline + (sa[k] as f64 - w.salience_baseline) * w.salience_decay;
        let a = clamp01(a + (1.0 - a) * (w.activation_and_trigger * g).min(1.0));
        logit[k] = w.support_intercept + w.support_threat_weight * (t - w.threat_baseline)
            - w.support_grievance_weight * g * (0.5 + a)
            + by_party(w.cue, q)
            + bias[k] as f64;
        let target = by_party(w.approval_target, q);
        let z = clamp01(target + (ap[k] as f64 - target) * w.approval_decay - w.backlash * g + w.rally * g);
        th[k] = t as f32;
        sa[k] = a as f32;
        ap[k] = z as f32;
    }
    for k in 0..n {
        su[k] = crate::math::logistic(logit[k]) as f32;
    }
}

/// `friedkin_johnsen` for voters `lo..lo + out.len()` into `out`: the sums over the ties in a
/// pass of their own if every voter has the same number of ties and the confidence bound is 1.
fn settle_chunk(p: &Rates, graph: &Graph, g: &[f32], g0: &[f32], shock: f64, lo: usize, out: &mut [f32]) {
    let n = out.len();
    match if p.confidence_bound >= 1.0 { regular_degree(&graph.indptr[lo..=lo + n]) } else { None } {
        Some(d) => {
            let ties = &graph.indices[graph.indptr[lo] as usize..graph.indptr[lo + n] as usize];
            // SAFETY: graphs are built or checked with every index below the number of voters.
            unsafe { neighbour_sums(g, ties, d, out) };
            for (slot, &g0) in out.iter_mut().zip(g0) {
                let avg = *slot as f64 / d as u32 as f64;
                *slot = clamp01(p.stubbornness * clamp01(g0 as f64 + shock) + (1.0 - p.stubbornness) * avg) as f32;
            }
        }
        None => {
            for (k, slot) in out.iter_mut().enumerate() {
                let anchor = clamp01(g0[k] as f64 + shock);
                *slot = friedkin_johnsen(g, graph.neighbours(lo + k), lo + k, anchor, p) as f32;
            }
        }
    }
}

/// The common row length if every row of the CSR slice `indptr` has it (and it is not 0).
#[inline(always)]
fn regular_degree(indptr: &[u64]) -> Option<usize> {
    let d = indptr.get(1)? - indptr[0];
    let regular = d > 0 && indptr.windows(2).fold(true, |ok, w| ok & (w[1] - w[0] == d));
    regular.then_some(d as usize)
}

/// `out[k]` = `gather_sum` over row k of `ties`, rows of `degree` ties each.
///
/// # Safety
/// Every index in `ties` must be less than `g.len()`.
#[inline(never)]
unsafe fn neighbour_sums(g: &[f32], ties: &[u32], degree: usize, out: &mut [f32]) {
    debug_assert_eq!(ties.len(), degree * out.len());
    match degree {
        10 => {
            for (o, row) in out.iter_mut().zip(ties.chunks_exact(10)) {
                let row: &[u32; 10] = row.try_into().unwrap();
                // `gather_sum`, unrolled, the ties read two at a time.
                let (mut a0, mut a1) = (0f32, 0f32);
                for j in 0..5 {
                    let pair = (row.as_ptr().add(2 * j) as *const u64).read_unaligned();
                    let (lo, hi) = (pair as u32 as usize, (pair >> 32) as usize);
                    let (i0, i1) = if cfg!(target_endian = "little") { (lo, hi) } else { (hi, lo) };
                    a0 += *g.get_unchecked(i0);
                    a1 += *g.get_unchecked(i1);
                }
                // The barrier keeps the two running sums in scalar registers (the compiler
                // would otherwise pack them into one vector, with more instructions).
                *o = a0 + std::hint::black_box(a1);
            }
        }
        _ => {
            for (o, row) in out.iter_mut().zip(ties.chunks_exact(degree)) {
                *o = gather_sum(g, row);
            }
        }
    }
}

/// A block's columns: grievance, threat, salience, support, approval.
type BlockColumns<'a> = (&'a [f32], &'a [f32], &'a [f32], &'a [f32], &'a [f32]);

/// Columns of one district: grievance, threat, salience, support, approval, party.
type DistrictColumns<'a> = (&'a [f32], &'a [f32], &'a [f32], &'a [f32], &'a [f32], &'a [u8]);

/// Sums over one district, in voter order. Counts are kept as integers (a running f64
/// sum of ones and zeros is the same integer).
#[inline(never)]
fn district_sums(p: &Rates, c: DistrictColumns) -> Sums {
    let (g, th, sa, su, ap, party) = c;
    let n = g.len();
    let (th, sa, su, ap, party) = (&th[..n], &sa[..n], &su[..n], &ap[..n], &party[..n]);
    let mut t = [0f64; 5];
    let mut by_party = [0f64; 3];
    let (mut supporters, mut favourable) = (0u32, 0u32);
    let mut party_n = [0u32; 3];
    for k in 0..n {
        let (y, gk) = (su[k] as f64, g[k] as f64);
        t[0] += ap[k] as f64;
        t[1] += y;
        t[2] += gk;
        t[3] += th[k] as f64;
        t[4] += sa[k] as f64;
        supporters += (y > 0.5) as u32;
        favourable += (gk < p.favourable_below) as u32;
        // One arm per party keeps the running sums in registers (party runs are long).
        match party[k] {
            0 => (party_n[0], by_party[0]) = (party_n[0] + 1, by_party[0] + y),
            1 => (party_n[1], by_party[1]) = (party_n[1] + 1, by_party[1] + y),
            2 => (party_n[2], by_party[2]) = (party_n[2] + 1, by_party[2] + y),
            j => panic!("party {j} out of range"),
        }
    }
    Sums {
        n: n as f64,
        approval: t[0],
        support: t[1],
        supporters: supporters as f64,
        grievance: t[2],
        threat: t[3],
        salience: t[4],
        favourable: favourable as f64,
        party_n: party_n.map(|c| c as f64),
        party_support: by_party,
    }
}

/// Where the party runs of a district end, if its voters are laid out as `Voters::new` lays
/// them out: progressives in `0..r0`, independents in `r0..r1`, conservatives after.
#[inline(always)]
fn party_runs(party: &[u8]) -> Option<(usize, usize)> {
    let (mut progressive, mut independent) = (0u32, 0u32);
    for &q in party {
        progressive += (q == PROGRESSIVE) as u32;
        independent += (q == 2) as u32;
    }
    let (r0, r1) = (progressive as usize, (progressive + independent) as usize);
    let mut misplaced = 0u32;
    for (k, &q) in party.iter().enumerate() {
        let expected = if k < r0 {
            PROGRESSIVE
        } else if k < r1 {
            2
        } else {
            CONSERVATIVE
        };
        misplaced += (q != expected) as u32;
    }
    (misplaced == 0).then_some((r0, r1))
}

/// A district in one lane of `sums_by_eight`: voters `start..start + len` of the block's
/// columns, party runs ending at `r0` and `r1` (see `party_runs`); unused lanes are empty.
#[derive(Clone, Copy, Debug, Default)]
struct Lane {
    start: i32,
    len: i32,
    r0: i32,
    r1: i32,
    used: bool,
}

/// The sums of up to eight districts, one in each lane of AVX-512 vectors: lane j adds the
/// values of its district's voters in voter order, exactly as `district_sums` does one
/// district (a masked add leaves the lanes it skips unchanged).
///
/// # Safety
/// The CPU must have AVX-512 (F, BW, DQ, VL); every lane's voters must lie within the columns.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
#[allow(clippy::incompatible_msrv)] // AVX-512 intrinsics: stable Rust 1.89
unsafe fn sums_by_eight(favourable_below: f64, c: BlockColumns, lanes: &[Lane; 8]) -> [Sums; 8] {
    use std::arch::x86_64::*;
    let (g, th, sa, su, ap) = c;
    let field = |f: fn(&Lane) -> i32| {
        let v = lanes.map(|l| f(&l));
        _mm256_loadu_si256(v.as_ptr() as *const __m256i)
    };
    let (start, len, r0, r1) = (field(|l| l.start), field(|l| l.len), field(|l| l.r0), field(|l| l.r1));
    let steps = lanes.iter().map(|l| l.len).max().unwrap_or(0);
    let pairs = lanes.iter().filter(|l| l.len > 0).map(|l| l.len).min().unwrap_or(0) & !1;
    let used = _mm256_cmpgt_epi32_mask(len, _mm256_setzero_si256());
    let zero = _mm512_setzero_pd();
    let (mut s_ap, mut s_su, mut s_g, mut s_th, mut s_sa) = (zero, zero, zero, zero, zero);
    let (mut s_p0, mut s_p1, mut s_p2) = (zero, zero, zero);
    let (mut supporters, mut favourable) = (_mm256_setzero_si256(), _mm256_setzero_si256());
    let (half, below, one) = (_mm512_set1_pd(0.5), _mm512_set1_pd(favourable_below), _mm256_set1_epi32(1));
    // Adds the voters `k` of the lanes in `valid` (values `x_..`, converted to f64).
    macro_rules! add {
        ($k:expr, $valid:expr, $x_ap:expr, $x_su:expr, $x_g:expr, $x_th:expr, $x_sa:expr) => {{
            let (kv, valid, x_su, x_g) = (_mm256_set1_epi32($k), $valid, $x_su, $x_g);
            s_ap = _mm512_mask_add_pd(s_ap, valid, s_ap, $x_ap);
            s_su = _mm512_mask_add_pd(s_su, valid, s_su, x_su);
            s_g = _mm512_mask_add_pd(s_g, valid, s_g, x_g);
            s_th = _mm512_mask_add_pd(s_th, valid, s_th, $x_th);
            s_sa = _mm512_mask_add_pd(s_sa, valid, s_sa, $x_sa);
            let (before_r0, before_r1) = (_mm256_cmplt_epi32_mask(kv, r0), _mm256_cmplt_epi32_mask(kv, r1));
            s_p0 = _mm512_mask_add_pd(s_p0, valid & before_r0, s_p0, x_su);
            s_p2 = _mm512_mask_add_pd(s_p2, valid & !before_r0 & before_r1, s_p2, x_su);
            s_p1 = _mm512_mask_add_pd(s_p1, valid & !before_r1, s_p1, x_su);
            let above = valid & _mm512_cmp_pd_mask::<_CMP_GT_OQ>(x_su, half);
            supporters = _mm256_mask_add_epi32(supporters, above, supporters, one);
            let low = valid & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x_g, below);
            favourable = _mm256_mask_add_epi32(favourable, low, favourable, one);
        }};
    }
    // Two voters of every lane at a time while every lane has both (one 64-bit gather
    // element holds voters k and k + 1: k in the low half), then one at a time.
    let mut k = 0;
    while k < pairs {
        let index = _mm256_add_epi32(start, _mm256_set1_epi32(k));
        macro_rules! gather {
            ($col:expr) => {
                _mm512_mask_i32gather_epi64::<4>(_mm512_setzero_si512(), used, index, $col.as_ptr() as *const i64)
            };
        }
        macro_rules! low {
            ($v:expr) => {
                _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_cvtepi64_epi32($v)))
            };
        }
        macro_rules! high {
            ($v:expr) => {
                _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_cvtepi64_epi32(_mm512_srli_epi64::<32>($v))))
            };
        }
        let (v_ap, v_su, v_g, v_th, v_sa) = (gather!(ap), gather!(su), gather!(g), gather!(th), gather!(sa));
        add!(k, used, low!(v_ap), low!(v_su), low!(v_g), low!(v_th), low!(v_sa));
        add!(k + 1, used, high!(v_ap), high!(v_su), high!(v_g), high!(v_th), high!(v_sa));
        k += 2;
    }
    while k < steps {
        let valid = _mm256_cmplt_epi32_mask(_mm256_set1_epi32(k), len);
        let index = _mm256_add_epi32(start, _mm256_set1_epi32(k));
        macro_rules! gather {
            ($col:expr) => {
                _mm512_cvtps_pd(_mm256_mmask_i32gather_ps::<4>(_mm256_setzero_ps(), valid, index, $col.as_ptr()))
            };
        }
        add!(k, valid, gather!(ap), gather!(su), gather!(g), gather!(th), gather!(sa));
        k += 1;
    }
    let lanes_f = |v: __m512d| {
        let mut a = [0f64; 8];
        _mm512_storeu_pd(a.as_mut_ptr(), v);
        a
    };
    let lanes_i = |v: __m256i| {
        let mut a = [0i32; 8];
        _mm256_storeu_si256(a.as_mut_ptr() as *mut __m256i, v);
        a
    };
    let (ap, su, g, th, sa) = (lanes_f(s_ap), lanes_f(s_su), lanes_f(s_g), lanes_f(s_th), lanes_f(s_sa));
    let (p0, p1, p2) = (lanes_f(s_p0), lanes_f(s_p1), lanes_f(s_p2));
    let (supporters, favourable) = (lanes_i(supporters), lanes_i(favourable));
    std::array::from_fn(|j| {
        let l = lanes[j];
        Sums {
            n: l.len as f64,
            approval: ap[j],
            support: su[j],
            supporters: supporters[j] as f64,
            grievance: g[j],
            threat: th[j],
            salience: sa[j],
            favourable: favourable[j] as f64,
            party_n: [l.r0 as f64, (l.len - l.r1) as f64, (l.r1 - l.r0) as f64],
            party_support: [p0[j], p1[j], p2[j]],
        }
    })
}

/// Split a slice into consecutive pieces covering the given ranges (which tile it).
fn split<'a, T>(mut v: &'a mut [T], ranges: &[(usize, usize)]) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(ranges.len());
    for &(a, b) in ranges {
        let (head, tail) = std::mem::take(&mut v).split_at_mut(b - a);
        out.push(head);
        v = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::run_rng;

    /// Voters of the default scenario's calendar and president.
    fn voters(p: &Params, counter: &Counter, seed: &[u8; 32]) -> Voters {
        let calendar = crate::scenario::Scenario::default().calendar();
        Voters::new(p, &calendar, Party::Progressive, counter, &mut run_rng(seed))
    }

    fn setup(n: u64) -> (Params, Voters, Graph, Counter) {
        let sc = Params { n, ..Params::default() };
        let seed = [9u8; 32];
        let counter = Counter::new(&seed);
        let v = voters(&sc, &counter, &seed);
        let g = Graph::watts_strogatz(&v.party, 10, 0.1, 0.8, &counter);
        (sc, v, g, counter)
    }

    fn pulse(step: u32) -> Pulse {
        Pulse { step, exec_party: Some(Party::Progressive), exec_stance: -0.2, ..Default::default() }
    }

    /// The instruction sets this CPU can run.
    fn isas() -> Vec<Isa> {
        let widest = Isa::detect();
        let mut all = vec![Isa::Plain];
        #[cfg(target_arch = "x86_64")]
        {
            if widest != Isa::Plain {
                all.push(Isa::Avx2); // every CPU with AVX-512 has AVX2
            }
            if widest == Isa::Avx512 {
                all.push(Isa::Avx512);
            }
        }
        all
    }

    /// Every number in the aggregates, as bits.
    fn bits(a: &Aggregates) -> Vec<u64> {
        let mut x = vec![
            a.approval,
            a.support_mean,
            a.support_share,
            a.grievance_mean,
            a.threat_mean,
            a.salience_mean,
            a.favourability,
        ];
        x.extend(a.party_support.iter().chain(&a.party_share).chain(&a.district_support).chain(&a.district_lean));
        x.iter().map(|v| v.to_bits()).collect()
    }

    /// A week with a bit of everything, varying with `step`.
    fn busy_pulse(step: u32, c: &Counter) -> Pulse {
        let u = |k: u32| c.uniform(Stream::Network, step, k as u64, 7);
        let execs = [Some(Party::Progressive), Some(Party::Conservative), Some(Party::Independent), None];
        Pulse {
            step,
            threat_jump: if u(0) < 0.3 { 0.2 * u(1) } else { 0.0 },
            threat_base_shift: if u(2) < 0.2 { 0.1 * u(3) } else { 0.0 },
            grievance_shock: 0.05 * u(4),
            activation: if u(5) < 0.4 { 0.6 * u(6) } else { 0.0 },
            trigger: if u(7) < 0.3 { 0.5 * u(8) } else { 0.0 },
            exec_party: execs[(u(9) * 4.0) as usize],
            exec_stance: 2.0 * u(10) - 1.0,
            politicisation: u(11),
            approval_shift: 0.2 * u(12) - 0.1,
        }
    }

    /// The week one voter at a time, by the model's equations (what `step` computes in
    /// passes over chunks).
    #[allow(clippy::needless_range_loop)]
    fn step_by_the_equations(v: &mut Voters, graph: &Graph, pulse: &Pulse, counter: &Counter) -> Aggregates {
        let p = v.params;
        let gn: Vec<f32> = (0..v.n())
            .map(|i| {
                let anchor = clamp01(v.g0[i] as f64 + pulse.grievance_shock);
                friedkin_johnsen(&v.grievance, graph.neighbours(i), i, anchor, &p) as f32
            })
            .collect();
        let mut districts = Vec::new();
        for d in 0..DISTRICTS {
            let mut s = Sums::default();
            for i in v.district_start[d]..v.district_start[d + 1] {
                let (q, g) = (v.party[i], gn[i] as f64);
                let t = update_threat(&p, pulse, counter, q, i, v.threat[i] as f64);
                let a = update_salience(&p, pulse, g, v.salience[i] as f64);
                let y = crate::math::logistic(support_logit(&p, pulse, q, g, t, a, v.support_bias[i]));
                let z = update_approval(&p, pulse, q, g, v.approval[i] as f64);
                (v.threat[i], v.salience[i], v.support[i], v.approval[i]) = (t as f32, a as f32, y as f32, z as f32);
                let su = v.support[i] as f64;
                s.n += 1.0;
                s.approval += v.approval[i] as f64;
                s.support += su;
                s.supporters += (su > 0.5) as u8 as f64;
                s.grievance += gn[i] as f64;
                s.threat += v.threat[i] as f64;
                s.salience += v.salience[i] as f64;
                s.favourable += ((gn[i] as f64) < p.favourable_below) as u8 as f64;
                s.party_n[q as usize] += 1.0;
                s.party_support[q as usize] += su;
            }
            districts.push(s);
        }
        v.grievance = gn;
        Aggregates::from_districts(&districts)
    }

    /// A graph whose voters have from 1 to 12 ties.
    fn uneven_graph(n: usize, c: &Counter) -> Graph {
        let mut indptr = vec![0u64];
        let mut indices = Vec::new();
        for i in 0..n {
            for s in 0..1 + i % 12 {
                indices.push(((c.uniform(Stream::Network, 1, (i * 16 + s) as u64, 0) * n as f64) as usize % n) as u32);
            }
            indptr.push(indices.len() as u64);
        }
        Graph::from_csr(indptr, indices, n).unwrap()
    }

    #[test]
    fn step_matches_the_equations_voter_by_voter() {
        // (voters, confidence bound, graph, scramble the party layout of district 3)
        let cases: [(u64, f64, u8, bool); 6] = [
            (5_000, 1.0, 0, false),
            (3_001, 1.0, 1, false),
            (2_000, 0.3, 0, false),
            (1_500, 1.0, 2, false),
            (4_200, 1.0, 0, true),
            (200, 1.0, 1, false),
        ];
        for (n, bound, kind, scramble) in cases {
            for isa in isas() {
                let sc = Params { n, confidence_bound: bound, ..Params::default() };
                let seed = [3u8; 32];
                let c = Counter::new(&seed);
                let mut fast = voters(&sc, &c, &seed);
                let mut slow = voters(&sc, &c, &seed);
                if scramble {
                    let a = fast.district_start[3];
                    fast.party.swap(a, a + 5);
                    fast.party.swap(a + 1, a + 30);
                    slow.party = fast.party.clone();
                }
                let graph = match kind {
                    0 => Graph::watts_strogatz(&fast.party, 10, 0.1, 0.8, &c),
                    1 => Graph::sbm(&fast.party, 7, 0.8, &c),
                    _ => uneven_graph(n as usize, &c),
                };
                for step in 0..40 {
                    let pulse = busy_pulse(step, &c);
                    let a = fast.step_on(isa, &graph, &pulse, &c);
                    let b = step_by_the_equations(&mut slow, &graph, &pulse, &c);
                    let what = format!("n {n}, bound {bound}, graph {kind}, {isa:?}, week {step}");
                    assert_eq!(bits(&a), bits(&b), "aggregates, {what}");
                    for (x, y) in [
                        (&fast.grievance, &slow.grievance),
                        (&fast.threat, &slow.threat),
                        (&fast.salience, &slow.salience),
                        (&fast.support, &slow.support),
                        (&fast.approval, &slow.approval),
                    ] {
                        assert!(x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits()), "state, {what}");
                    }
                }
            }
        }
    }

    #[test]
    fn settle_matches_the_equations() {
        let (_, mut fast, graph, _) = setup(3_000);
        let (_, mut slow, _, _) = setup(3_000);
        fast.settle(&graph, 5, 0.02);
        let p = slow.params;
        for _ in 0..5 {
            slow.grievance = (0..slow.n())
                .map(|i| {
                    let anchor = clamp01(slow.g0[i] as f64 + 0.02);
                    friedkin_johnsen(&slow.grievance, graph.neighbours(i), i, anchor, &p) as f32
                })
                .collect();
        }
        assert!(fast.grievance.iter().zip(&slow.grievance).all(|(x, y)| x.to_bits() == y.to_bits()));
    }

    #[test]
    fn tally_matches_one_voter_at_a_time() {
        let (_, mut v, _, c) = setup(6_000);
        for i in 0..v.n() {
            v.support[i] = c.uniform(Stream::Support, 5, i as u64, 3) as f32;
            v.approval[i] = c.uniform(Stream::Support, 5, i as u64, 4) as f32;
        }
        let w = VoteWeights { identity: 1.2, approval: 0.8, issue: 0.6, minor_penalty: 1.5, swing: 0.05 };
        for incumbent in [Party::Progressive, Party::Conservative, Party::Independent] {
            let mut expected = vec![[0u32; 3]; DISTRICTS];
            for (d, tally) in expected.iter_mut().enumerate() {
                for i in v.district_start[d]..v.district_start[d + 1] {
                    let approval = v.approval[i] as f64 - 0.5;
                    let support = v.support[i] as f64 - 0.5;
                    let mut best = (f64::NEG_INFINITY, 0usize);
                    for c8 in 0..3u8 {
                        let mut u = (w.issue * support + w.swing) * camp(c8);
                        if c8 == v.party[i] {
                            u += w.identity;
                        }
                        if c8 as usize == incumbent.index() {
                            u += w.approval * approval;
                        }
                        if c8 == 2 {
                            u -= w.minor_penalty;
                        }
                        let bits = c.bits(Stream::Vote, 11, i as u64, c8 as u32);
                        let uniform = ((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
                        u -= crate::math::ln(-crate::math::ln(uniform));
                        if u > best.0 {
                            best = (u, c8 as usize);
                        }
                    }
                    tally[best.1] += 1;
                }
            }
            for isa in isas() {
                assert_eq!(v.tally_votes_on(isa, 11, incumbent, &w, &c), expected, "{isa:?}");
            }
        }
    }

    #[test]
    fn party_shares_follow_scenario() {
        let (sc, v, _, _) = setup(20_000);
        let a = v.aggregate();
        assert!((a.party_share[0] - sc.share_progressive).abs() < 0.03);
        assert!((a.party_share[1] - sc.share_conservative).abs() < 0.03);
        assert_eq!(v.district_start[DISTRICTS], 20_000);
    }

    #[test]
    fn state_stays_in_bounds_and_finite() {
        let (_, mut v, g, c) = setup(5_000);
        for step in 0..60 {
            let mut p = pulse(step);
            p.threat_jump = 2.0;
            p.activation = 3.0;
            p.trigger = 3.0;
            p.grievance_shock = 0.9;
            p.politicisation = 1.0;
            p.exec_stance = 1.0;
            v.step(&g, &p, &c);
        }
        for arr in [&v.grievance, &v.threat, &v.salience, &v.support, &v.approval] {
            assert!(arr.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)));
        }
    }

    #[test]
    fn threat_jump_raises_threat_and_support_then_decays() {
        let (_, mut v, g, c) = setup(5_000);
        let before = v.step(&g, &pulse(0), &c);
        let mut p = pulse(1);
        p.threat_jump = 0.3;
        let hit = v.step(&g, &p, &c);
        assert!(hit.threat_mean > before.threat_mean + 0.2);
        assert!(hit.support_mean > before.support_mean + 0.05);
        let mut later = hit.clone();
        for s in 2..40 {
            later = v.step(&g, &pulse(s), &c);
        }
        assert!(later.threat_mean < hit.threat_mean - 0.15);
    }

    #[test]
    fn activation_raises_salience_and_lowers_approval_and_support() {
        let (_, mut v, g, c) = setup(5_000);
        let before = v.step(&g, &pulse(0), &c);
        let mut p = pulse(1);
        p.activation = 0.5;
        let after = v.step(&g, &p, &c);
        assert!(after.salience_mean > before.salience_mean + 0.05);
        assert!(after.approval < before.approval);
        assert!(after.support_mean < before.support_mean);
    }

    #[test]
    fn grievance_follows_friedkin_johnsen_fixed_point() {
        // With stubbornness 1 grievance equals the anchor; with 0 it only averages.
        let (mut sc, _, _, c) = setup(2_000);
        sc.n = 2_000;
        sc.stubbornness = 1.0;
        let mut v = voters(&sc, &c, &[9u8; 32]);
        let g = Graph::watts_strogatz(&v.party, 10, 0.1, 0.8, &c);
        v.settle(&g, 3, 0.0);
        assert!(v.grievance.iter().zip(&v.g0).all(|(a, b)| (a - b).abs() < 1e-6));
        sc.stubbornness = 0.0;
        let mut v = voters(&sc, &c, &[9u8; 32]);
        let spread = |x: &[f32]| {
            let m = x.iter().sum::<f32>() / x.len() as f32;
            x.iter().map(|a| (a - m).powi(2)).sum::<f32>() / x.len() as f32
        };
        let s0 = spread(&v.grievance);
        v.settle(&g, 30, 0.0);
        assert!(spread(&v.grievance) < 0.2 * s0);
    }

    #[test]
    fn party_cue_splits_parties_by_presidents_stance() {
        let (_, mut v, g, c) = setup(5_000);
        let mut p = pulse(0);
        p.politicisation = 1.0;
        p.exec_stance = 1.0; // a progressive president pushing cooperation
        let a = v.step(&g, &p, &c);
        p.exec_stance = -1.0; // the same president moving to end it
        let b = v.step(&g, &p, &c);
        assert!(a.party_support[0] > b.party_support[0] + 0.1);
        assert!(a.party_support[1] < b.party_support[1] - 0.1);
    }

    #[test]
    fn cohort_replacement_lowers_anchor_with_shift() {
        let run = |shift: f64| {
            let (mut sc, _, _, c) = setup(5_000);
            sc.cohort_shift = shift;
            sc.turnover = 0.1;
            let mut v = voters(&sc, &c, &[9u8; 32]);
            let before = v.anchor_mean();
            let mut replaced = 0;
            for year in 1..=5 {
                replaced += v.replace_cohort((year as f64 * WEEKS_PER_YEAR) as u32, &pulse(0), &c);
            }
            (before, v.anchor_mean(), replaced)
        };
        let (b0, a0, r) = run(0.0);
        let (_, a1, _) = run(0.05);
        assert!(r > 1_500 && r < 3_500, "{r}");
        assert!(a0 < b0, "young replace old: {a0} vs {b0}");
        assert!(a1 < a0 - 0.01, "{a1} vs {a0}");
    }
}
