//! South Korean voters as structure-of-arrays, updated synchronously once a week.
//!
//! Grievance is double-buffered (voters read last week's neighbours); every other state
//! variable depends only on the voter itself. Work is split into blocks of whole districts,
//! each block returns its district sums in order, so aggregates are bit-stable whatever the
//! number of threads.

use rayon::prelude::*;

use crate::events::WEEKS_PER_YEAR;
use crate::network::Graph;
use crate::rng::{decay, normal, Counter, RunRng, Stream};
use crate::scenario::{Party, Scenario};

pub const DISTRICTS: usize = 253;
const PROGRESSIVE: u8 = 0;
const CONSERVATIVE: u8 = 1;
const MIN_BLOCK: usize = 4096;
/// Age bins of the adult population (share, from, to), Statistics Korea 2024, rounded.
const AGE_BINS: [(f64, f64, f64); 6] =
    [(0.17, 18.0, 30.0), (0.15, 30.0, 40.0), (0.18, 40.0, 50.0), (0.19, 50.0, 60.0), (0.16, 60.0, 70.0), (0.15, 70.0, 90.0)];
const REFERENCE_AGE: f64 = 48.0;
const ADULT_AGE: f64 = 18.0;

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

/// Per-run constants derived from the scenario.
#[derive(Clone, Copy, Debug)]
struct Params {
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

impl Params {
    fn new(sc: &Scenario) -> Params {
        let v = &sc.voters;
        Params {
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
fn approval_target(params: &Params, align: f64, shift: f64) -> f64 {
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
    params: Params,
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
    pub fn new(sc: &Scenario, counter: &Counter, rng: &mut RunRng) -> Voters {
        let n = sc.voters.n as usize;
        let v = &sc.voters;
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
            party.extend(std::iter::repeat(PROGRESSIVE).take(n_prog));
            party.extend(std::iter::repeat(2u8).take(size - n_prog - n_cons));
            party.extend(std::iter::repeat(CONSERVATIVE).take(n_cons));
        }

        let params = Params::new(sc);
        let start_year = crate::scenario::year_of_day(sc.start_day());
        let mut birth_year = vec![0f32; n];
        let mut g0 = vec![0f32; n];
        let mut support_bias = vec![0f32; n];
        for i in 0..n {
            let age = sample_age(counter.uniform(Stream::Age, 0, i as u64, 0));
            birth_year[i] = (start_year - age) as f32;
            g0[i] = anchor(sc, party[i], age, 0.0, counter.normal(Stream::Grievance, 0, i as u64)) as f32;
            support_bias[i] = (v.support_sd * counter.normal(Stream::Support, 0, i as u64)) as f32;
        }
        let exec = Some(sc.executive.party);
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
            self.grievance_next.par_chunks_mut(MIN_BLOCK).enumerate().for_each(|(c, out)| {
                for (k, slot) in out.iter_mut().enumerate() {
                    let i = c * MIN_BLOCK + k;
                    *slot = friedkin_johnsen(g, graph.neighbours(i), i, clamp01(g0[i] as f64 + grievance_shock), &p) as f32;
                }
            });
            std::mem::swap(&mut self.grievance, &mut self.grievance_next);
        }
    }

    /// One synchronous week for every voter; returns the aggregates.
    pub fn step(&mut self, graph: &Graph, pulse: &Pulse, counter: &Counter) -> Aggregates {
        let p = self.params;
        let ranges: Vec<(usize, usize)> =
            self.blocks.iter().map(|&(a, b)| (self.district_start[a], self.district_start[b])).collect();
        let gn = split(&mut self.grievance_next, &ranges);
        let th = split(&mut self.threat, &ranges);
        let sa = split(&mut self.salience, &ranges);
        let su = split(&mut self.support, &ranges);
        let ap = split(&mut self.approval, &ranges);
        let (g, g0, party, bias, starts) = (&self.grievance, &self.g0, &self.party, &self.support_bias, &self.district_start);
        let blocks = &self.blocks;
        let per_block: Vec<Vec<Sums>> = (gn, th, sa, su, ap)
            .into_par_iter()
            .enumerate()
            .map(|(b, (gn, th, sa, su, ap))| {
                let (d_first, d_end) = blocks[b];
                let (lo, hi) = (starts[d_first], starts[d_end]);
                let (party, g0, bias) = (&party[lo..hi], &g0[lo..hi], &bias[lo..hi]);
                // Grievance first (it reads the neighbours), then each voter's own state
                // in one pass that also sums each district.
                for (k, slot) in gn.iter_mut().enumerate() {
                    let anchor = clamp01(g0[k] as f64 + pulse.grievance_shock);
                    *slot = friedkin_johnsen(g, graph.neighbours(lo + k), lo + k, anchor, &p) as f32;
                }
                (d_first..d_end)
                    .map(|d| {
                        let mut s = Sums::default();
                        for k in starts[d] - lo..starts[d + 1] - lo {
                            let g = gn[k] as f64;
                            let t = update_threat(&p, pulse, counter, party[k], lo + k, th[k] as f64);
                            let a = update_salience(&p, pulse, g, sa[k] as f64);
                            let y = crate::math::logistic(support_logit(&p, pulse, party[k], g, t, a, bias[k]));
                            let ap_new = update_approval(&p, pulse, party[k], g, ap[k] as f64);
                            let st = VoterState { g: gn[k], th: t as f32, sa: a as f32, su: y as f32, ap: ap_new as f32 };
                            (th[k], sa[k], su[k], ap[k]) = (st.th, st.sa, st.su, st.ap);
                            accumulate(&mut s, &p, party[k], &st);
                        }
                        s
                    })
                    .collect()
            })
            .collect();
        std::mem::swap(&mut self.grievance, &mut self.grievance_next);
        let districts: Vec<Sums> = per_block.into_iter().flatten().collect();
        Aggregates::from_districts(&districts)
    }

    /// Aggregates of the current state without stepping (for week 0 and tests).
    pub fn aggregate(&self) -> Aggregates {
        let p = self.params;
        let districts: Vec<Sums> = (0..DISTRICTS)
            .map(|d| {
                let mut s = Sums::default();
                for i in self.district_start[d]..self.district_start[d + 1] {
                    let st = VoterState {
                        g: self.grievance[i],
                        th: self.threat[i],
                        sa: self.salience[i],
                        su: self.support[i],
                        ap: self.approval[i],
                    };
                    accumulate(&mut s, &p, self.party[i], &st);
                }
                s
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
    pub fn replace_cohort(&mut self, sc: &Scenario, step: u32, pulse: &Pulse, counter: &Counter) -> usize {
        let turnover = sc.voters.turnover;
        if turnover <= 0.0 {
            return 0;
        }
        let now = crate::scenario::year_of_day(sc.start_day()) + step as f64 / WEEKS_PER_YEAR;
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
            let g0 = anchor(sc, p, ADULT_AGE, years, z);
            self.g0[i] = g0 as f32;
            self.grievance[i] = g0 as f32;
            self.support_bias[i] = (sc.voters.support_sd * counter.normal(Stream::Support, step, i as u64)) as f32;
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
        (0..DISTRICTS)
            .into_par_iter()
            .map(|d| {
                let mut tally = [0u32; 3];
                for i in self.district_start[d]..self.district_start[d + 1] {
                    let approval = self.approval[i] as f64 - 0.5;
                    let support = self.support[i] as f64 - 0.5;
                    let mut best = (f64::NEG_INFINITY, 0usize);
                    for c in 0..3u8 {
                        let mut u = (w.issue * support + w.swing) * camp(c);
                        if c == self.party[i] {
                            u += w.identity;
                        }
                        if c as usize == incumbent.index() {
                            u += w.approval * approval;
                        }
                        if c == 2 {
                            u -= w.minor_penalty;
                        }
                        let bits = counter.bits(Stream::Vote, step, i as u64, c as u32);
                        let uniform = ((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64); // (0, 1)
                        u -= crate::math::ln(-crate::math::ln(uniform));
                        if u > best.0 {
                            best = (u, c as usize);
                        }
                    }
                    tally[best.1] += 1;
                }
                tally
            })
            .collect()
    }

    /// A new president: every voter's approval starts at its resting level for the new
    /// alignment (plus the honeymoon in `shift`).
    pub fn reset_approval(&mut self, president: Party, shift: f64) {
        for (a, &p) in self.approval.iter_mut().zip(&self.party) {
            *a = approval_target(&self.params, alignment(p, Some(president)), shift) as f32;
        }
    }
}

/// Grievance anchor g0 for a voter of party p and age, entering `years` after the start.
fn anchor(sc: &Scenario, p: u8, age: f64, years: f64, z: f64) -> f64 {
    let v = &sc.voters;
    clamp01(
        v.grievance_mean + v.age_gradient * (age - REFERENCE_AGE) - 0.5 * v.party_grievance_gap * camp(p)
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
fn threat_base(p: &Params, party: u8, shift: f64) -> f64 {
    clamp01(p.threat_baseline + 0.5 * p.party_threat_gap * camp(party) + shift)
}

#[derive(Clone, Copy, Debug)]
struct VoterState {
    g: f32,
    th: f32,
    sa: f32,
    su: f32,
    ap: f32,
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
fn friedkin_johnsen(g: &[f32], nbrs: &[u32], i: usize, anchor: f64, p: &Params) -> f64 {
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

/// Threat: jumps with shock exposure, decays to the party baseline.
#[inline(always)]
fn update_threat(p: &Params, pulse: &Pulse, counter: &Counter, party: u8, i: usize, old: f64) -> f64 {
    let base = threat_base(p, party, pulse.threat_base_shift);
    let mut th = base + (old - base) * p.threat_decay;
    if pulse.threat_jump > 0.0 {
        th += pulse.threat_jump * (0.5 + counter.uniform(Stream::Exposure, pulse.step, i as u64, 0));
    }
    clamp01(th)
}

/// Salience: decays to baseline, activated by proposals and triggers in proportion to grievance.
#[inline(always)]
fn update_salience(p: &Params, pulse: &Pulse, g: f64, old: f64) -> f64 {
    let sa = p.salience_baseline + (old - p.salience_baseline) * p.salience_decay;
    clamp01(sa + (1.0 - sa) * ((pulse.activation + pulse.trigger) * g).min(1.0))
}

/// Support for security cooperation (logit): threat for, grievance x salience against,
/// and the party cue once the issue is politicised.
#[inline(always)]
fn support_logit(p: &Params, pulse: &Pulse, party: u8, g: f64, th: f64, sa: f64, bias: f32) -> f64 {
    p.support_intercept + p.support_threat_weight * (th - p.threat_baseline) - p.support_grievance_weight * g * (0.5 + sa)
        + p.party_cue * pulse.politicisation * pulse.exec_stance * alignment(party, pulse.exec_party)
        + bias as f64
}

/// Approval: relaxes to the partisan resting level; backlash and rally move it.
#[inline(always)]
fn update_approval(p: &Params, pulse: &Pulse, party: u8, g: f64, old: f64) -> f64 {
    let target = approval_target(p, alignment(party, pulse.exec_party), pulse.approval_shift);
    clamp01(target + (old - target) * p.approval_decay - p.backlash * pulse.activation * g + p.rally * pulse.trigger * g)
}

#[inline(always)]
fn accumulate(s: &mut Sums, p: &Params, party: u8, v: &VoterState) {
    let su = v.su as f64;
    s.n += 1.0;
    s.approval += v.ap as f64;
    s.support += su;
    s.supporters += (su > 0.5) as u8 as f64;
    s.grievance += v.g as f64;
    s.threat += v.th as f64;
    s.salience += v.sa as f64;
    s.favourable += ((v.g as f64) < p.favourable_below) as u8 as f64;
    s.party_n[party as usize] += 1.0;
    s.party_support[party as usize] += su;
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

    fn setup(n: u64) -> (Scenario, Voters, Graph, Counter) {
        let mut sc = Scenario::default();
        sc.voters.n = n;
        let seed = [9u8; 32];
        let counter = Counter::new(&seed);
        let mut rng = run_rng(&seed);
        let v = Voters::new(&sc, &counter, &mut rng);
        let g = Graph::watts_strogatz(&v.party, 10, 0.1, 0.8, &counter);
        (sc, v, g, counter)
    }

    fn pulse(step: u32) -> Pulse {
        Pulse { step, exec_party: Some(Party::Progressive), exec_stance: -0.2, ..Default::default() }
    }

    #[test]
    fn party_shares_follow_scenario() {
        let (sc, v, _, _) = setup(20_000);
        let a = v.aggregate();
        assert!((a.party_share[0] - sc.voters.share_progressive).abs() < 0.03);
        assert!((a.party_share[1] - sc.voters.share_conservative).abs() < 0.03);
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
        sc.voters.n = 2_000;
        sc.voters.stubbornness = 1.0;
        let mut v = Voters::new(&sc, &c, &mut run_rng(&[9u8; 32]));
        let g = Graph::watts_strogatz(&v.party, 10, 0.1, 0.8, &c);
        v.settle(&g, 3, 0.0);
        assert!(v.grievance.iter().zip(&v.g0).all(|(a, b)| (a - b).abs() < 1e-6));
        sc.voters.stubbornness = 0.0;
        let mut v = Voters::new(&sc, &c, &mut run_rng(&[9u8; 32]));
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
            sc.voters.cohort_shift = shift;
            sc.voters.turnover = 0.1;
            let mut v = Voters::new(&sc, &c, &mut run_rng(&[9u8; 32]));
            let before = v.anchor_mean();
            let mut replaced = 0;
            for year in 1..=5 {
                replaced += v.replace_cohort(&sc, (year as f64 * WEEKS_PER_YEAR) as u32, &pulse(0), &c);
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
