//! Voters: their state, as structure-of-arrays over all voters, and the cohorts that
//! replace them. The equations and the section's parameters are in `equations.rs`; how a
//! week is computed over all voters (dispatch, chunking, neighbour and district sums, the
//! tally) in `kernel.rs`.
//!
//! Voters are laid out by district and, within a district, by party. Grievance is
//! double-buffered (voters read last week's neighbours); every other state variable
//! depends only on the voter itself. Work is split into blocks of whole districts, each
//! block returns its district sums in order, so aggregates are bit-stable whatever the
//! number of threads.

mod equations;
mod kernel;

pub use equations::{alignment, Params, VoteWeights};

use crate::calendar::Calendar;
use crate::demography::{self, Ages};
use crate::network::Graph;
use crate::party::Party;
use crate::rng::{normal, Counter, RunRng, Stream};
use equations::{self as eq, Rates, ADULT_AGE, CONSERVATIVE, INDEPENDENT, PROGRESSIVE};
use kernel::{Ballots, Block, Columns, State, Sums, Week};

pub const DISTRICTS: usize = 253;
/// Fewest voters in a block of districts (the unit of parallel work).
const MIN_BLOCK: usize = 4096;

/// What reaches every voter this week.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pulse {
    pub step: u32,
    pub threat_jump: f64,
    pub threat_base_shift: f64,
    pub grievance_shock: f64,
    /// The president's cue on affect, added to the anchors of each camp (progressive,
    /// conservative, the rest; `perception::cue`).
    pub grievance_cue: [f64; 3],
    /// Grievance activation by the executive's proposal (controversy x publicity x damping).
    pub activation: f64,
    /// Salience and rally input from Japanese triggers.
    pub trigger: f64,
    pub exec_party: Option<Party>,
    /// +1 pushing cooperation, -1 moving to end it, in between: the president's lean.
    pub exec_stance: f64,
    pub politicisation: f64,
    pub approval_shift: f64,
    /// Presence of the pact on the table (`ladder.presence` of its rung).
    pub pact_presence: f64,
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
    /// Salience of the pact on the table (`equations::pact_salience`).
    pub pact_salience: f64,
    /// Share of voters opposed to the pact on the table, overall and by party (0.5 if a
    /// party is empty).
    pub pact_opposed: f64,
    pub party_opposed: [f64; 3],
    /// Mean support in each district.
    pub district_support: Vec<f64>,
    /// Share opposed to the pact on the table in each district.
    pub district_opposed: Vec<f64>,
    /// Share of progressive minus conservative voters in each district.
    pub district_lean: Vec<f64>,
    /// Share with a good impression of Japan in each age band (`demography::AGE_BANDS`);
    /// 0 if the band is empty.
    pub favourability_by_age: [f64; 4],
}

impl Aggregates {
    fn from_districts(d: &[Sums], band_n: &[f64; 4], pact_salience: f64) -> Aggregates {
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
            pact_salience,
            pact_opposed: t.opposed / n,
            party_opposed: [0, 1, 2].map(|k| mean(t.party_opposed[k], t.party_n[k])),
            district_support: d.iter().map(|s| mean(s.support, s.n)).collect(),
            district_opposed: d.iter().map(|s| mean(s.opposed, s.n)).collect(),
            district_lean: d.iter().map(|s| (s.party_n[0] - s.party_n[1]) / s.n.max(1.0)).collect(),
            favourability_by_age: [0, 1, 2, 3].map(|k| t.band_favourable[k] / band_n[k].max(1.0)),
        }
    }
}

/// Voters in each age band (`demography::age_band`).
fn count_bands(band: &[u8]) -> [f64; 4] {
    let mut n = [0f64; 4];
    for &b in band {
        n[(b as usize).min(3)] += 1.0;
    }
    n
}

pub struct Voters {
    rates: Rates,
    /// The voters' section, for cohort replacement.
    params: Params,
    calendar: Calendar,
    pub party: Vec<u8>,
    /// District d holds voters district_start[d]..district_start[d + 1].
    pub district_start: Vec<usize>,
    /// Blocks of whole districts, each at least MIN_BLOCK voters: the unit of parallel work.
    blocks: Vec<(usize, usize)>,
    birth_year: Vec<f32>,
    /// Age band (`demography::age_band`) at the start of the run or of the current year.
    band: Vec<u8>,
    /// Voters in each age band: it changes only when the bands do.
    band_n: [f64; 4],
    g0: Vec<f32>,
    support_bias: Vec<f32>,
    pub grievance: Vec<f32>,
    grievance_next: Vec<f32>,
    pub threat: Vec<f32>,
    pub salience: Vec<f32>,
    pub support: Vec<f32>,
    pub approval: Vec<f32>,
    /// Opposition to the pact on the table, as a logit (`equations::opposition_logit`).
    pub opposition: Vec<f32>,
    /// Salience of the pact on the table, the same for every voter.
    pact_salience: f64,
    /// Anchor fall that people-to-people contact has given, since the start, a voter who was
    /// under 18 throughout (at the full weight of the young): what an entrant brings
    /// (`perception.rs`).
    entrant_contact: f64,
    /// Presence of the pact on the table this week (`Pulse::pact_presence`).
    pact_presence: f64,
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
            let mut pp = eq::clamp01(v.share_progressive + lean);
            let mut pc = eq::clamp01(v.share_conservative - lean);
            if pp + pc > 1.0 {
                let s = pp + pc;
                pp /= s;
                pc /= s;
            }
            let n_prog = ((pp * size as f64).round() as usize).min(size);
            let n_cons = ((pc * size as f64).round() as usize).min(size - n_prog);
            party.extend(std::iter::repeat_n(PROGRESSIVE, n_prog));
            party.extend(std::iter::repeat_n(INDEPENDENT, size - n_prog - n_cons));
            party.extend(std::iter::repeat_n(CONSERVATIVE, n_cons));
        }

        let rates = Rates::new(v);
        let start_year = calendar.year(0);
        // Each camp's ages: the adult population at the start, as party identification
        // differs by age (draw age given camp, so that the districts keep their camps).
        let shares = [v.share_progressive, v.share_conservative];
        let ages = [PROGRESSIVE, CONSERVATIVE, INDEPENDENT].map(|c| Ages::of_camp(start_year, c, shares));
        let mut birth_year = vec![0f32; n];
        let mut band = vec![0u8; n];
        let mut g0 = vec![0f32; n];
        let mut support_bias = vec![0f32; n];
        for i in 0..n {
            let age = ages[party[i] as usize].sample(counter.uniform(Stream::Age, 0, i as u64, 0));
            birth_year[i] = (start_year - age) as f32;
            band[i] = demography::age_band(age);
            g0[i] = eq::anchor(v, party[i], age, 0.0, counter.normal(Stream::Grievance, 0, i as u64)) as f32;
            support_bias[i] = (v.support_sd * counter.normal(Stream::Support, 0, i as u64)) as f32;
        }
        let exec = Some(president);
        let threat = party.iter().map(|&p| eq::threat_base(&rates, p, 0.0) as f32).collect();
        let approval = party.iter().map(|&p| eq::approval_target(&rates, eq::alignment(p, exec), 0.0) as f32).collect();

        let mut blocks = Vec::new();
        let mut d0 = 0;
        for d in 1..=DISTRICTS {
            if district_start[d] - district_start[d0] >= MIN_BLOCK || d == DISTRICTS {
                blocks.push((d0, d));
                d0 = d;
            }
        }

        Voters {
            rates,
            params: *v,
            calendar: *calendar,
            party,
            district_start,
            blocks,
            birth_year,
            band_n: count_bands(&band),
            band,
            grievance: g0.clone(),
            grievance_next: g0.clone(),
            g0,
            support_bias,
            threat,
            salience: vec![rates.salience_baseline as f32; n],
            support: vec![0.5; n],
            approval,
            opposition: vec![0.0; n],
            pact_salience: 0.0,
            entrant_contact: 0.0,
            pact_presence: 0.0,
        }
    }

    pub fn n(&self) -> usize {
        self.party.len()
    }

    /// Run the grievance averaging alone until it settles, so week 0 is not a transient.
    /// `grievance_shock` is the trigger load the run starts with.
    pub fn settle(&mut self, graph: &Graph, iterations: usize, grievance_shock: f64) {
        let r = self.rates;
        for _ in 0..iterations {
            let (g, g0) = (&self.grievance, &self.g0);
            kernel::map(self.grievance_next.chunks_mut(kernel::CHUNK).enumerate().collect(), |(c, out)| {
                let lo = c * kernel::CHUNK;
                kernel::settle_chunk(&r, graph, g, &g0[lo..lo + out.len()], grievance_shock, lo, out)
            });
            std::mem::swap(&mut self.grievance, &mut self.grievance_next);
        }
    }

    /// One synchronous week for every voter; returns the aggregates.
    pub fn step(&mut self, graph: &Graph, pulse: &Pulse, counter: &Counter) -> Aggregates {
        self.pact_salience = eq::pact_salience(&self.rates, self.pact_salience, pulse.activation);
        self.pact_presence = pulse.pact_presence;
        let week = Week::new(&self.rates, pulse, self.pact_salience, self.calendar.year(pulse.step));
        let starts = &self.district_start;
        let ranges: Vec<(usize, usize)> = self.blocks.iter().map(|&(a, b)| (starts[a], starts[b])).collect();
        let columns = [
            &mut self.grievance_next[..],
            &mut self.threat[..],
            &mut self.salience[..],
            &mut self.support[..],
            &mut self.approval[..],
            &mut self.opposition[..],
        ];
        let (g, g0, bias, party) = (&self.grievance, &self.g0, &self.support_bias, &self.party);
        let (band, born) = (&self.band, &self.birth_year);
        let blocks = &self.blocks;
        let jobs: Vec<(usize, State)> = State::split(columns, &ranges).into_iter().enumerate().collect();
        let per_block = kernel::map(jobs, |(b, state)| {
            let (d_first, d_end) = blocks[b];
            let (lo, hi) = (starts[d_first], starts[d_end]);
            let block = Block {
                g,
                graph,
                counter,
                week: &week,
                lo,
                starts: &starts[d_first..=d_end],
                g0: &g0[lo..hi],
                bias: &bias[lo..hi],
                party: &party[lo..hi],
                band: &band[lo..hi],
                birth_year: &born[lo..hi],
            };
            if pulse.threat_jump > 0.0 {
                kernel::step_block::<true>(&block, state)
            } else {
                kernel::step_block::<false>(&block, state)
            }
        });
        // Copied, not swapped: each state variable keeps its memory for the whole run, so
        // views of it (the Python World's voter arrays) follow the run.
        self.grievance.copy_from_slice(&self.grievance_next);
        let districts: Vec<Sums> = per_block.concat();
        Aggregates::from_districts(&districts, &self.band_n, self.pact_salience)
    }

    /// Aggregates of the current state without stepping (for week 0 and after an election).
    pub fn aggregate(&self) -> Aggregates {
        let districts: Vec<Sums> = (0..DISTRICTS)
            .map(|d| {
                let (a, b) = (self.district_start[d], self.district_start[d + 1]);
                let columns =
                    [&self.grievance, &self.threat, &self.salience, &self.support, &self.approval, &self.opposition];
                let (party, band) = (&self.party[a..b], &self.band[a..b]);
                kernel::district_sums(&self.rates, party, band, Columns(columns.map(|c| &c[a..b])))
            })
            .collect();
        Aggregates::from_districts(&districts, &self.band_n, self.pact_salience)
    }

    /// Salience the pact on the table would have next week under the executive's
    /// `activation` (`equations::pact_salience`).
    pub fn pact_salience_after(&self, activation: f64) -> f64 {
        eq::pact_salience(&self.rates, self.pact_salience, activation)
    }

    /// This week's aggregates `agg` as they would stand with the pact on the table at each
    /// of `saliences`: each voter's opposition logit moved by the one term the pact's
    /// salience weighs, grievance (`equations::PactWeek::grievance_weight`), the rest of the
    /// week as it is. What moves that make the pact more salient would stir.
    pub fn at_pact_saliences<const R: usize>(&self, agg: &Aggregates, saliences: [f64; R]) -> [Aggregates; R] {
        let weight = |s: f64| eq::PactWeek::new(&self.rates, self.pact_presence, s, 0.0, [0.0; 3]).grievance_weight;
        let shift = saliences.map(|s| weight(s) - weight(self.pact_salience));
        let mut out = saliences.map(|s| Aggregates { pact_salience: s, ..agg.clone() });
        let mut district = [[0u32; R]; DISTRICTS];
        let starts = &self.district_start;
        let (party_n, party_opposed) =
            kernel::opposed_if(&self.opposition, &self.grievance, &self.party, starts, shift, &mut district);
        for (d, opposed) in district.iter().enumerate() {
            let n = starts[d + 1] - starts[d];
            for (o, &opposed) in out.iter_mut().zip(opposed) {
                o.district_opposed[d] = if n > 0 { opposed as f64 / n as f64 } else { 0.5 };
            }
        }
        let n = party_n.iter().sum::<u32>() as f64;
        for (o, opposed) in out.iter_mut().zip(party_opposed) {
            o.pact_opposed = opposed.iter().sum::<u32>() as f64 / n.max(1.0);
            o.party_opposed =
                [0, 1, 2].map(|p| if party_n[p] > 0 { opposed[p] as f64 / party_n[p] as f64 } else { 0.5 });
        }
        out
    }

    /// Start every voter's threat at its baseline plus the routine load of shocks.
    pub fn raise_threat(&mut self, load: f64) {
        for t in &mut self.threat {
            *t = eq::clamp01(*t as f64 + load) as f32;
        }
    }

    /// Yearly renewal at a calendar-year boundary: each adult dies with the chance of the
    /// year for its age (`demography::death_probability`), and a new adult of voting age
    /// takes the slot, with the anchor of an 18-year-old (which continues the age gradient),
    /// lowered by cohort_shift per year since the start and by the contact its cohort has
    /// had since the start (`entrant_contact`). Every voter's age band moves to its age now.
    pub fn replace_cohort(&mut self, step: u32, pulse: &Pulse, counter: &Counter) -> usize {
        let now = self.calendar.year(step);
        let years = step as f64 / crate::calendar::WEEKS_PER_YEAR;
        let mut replaced = 0;
        for i in 0..self.n() {
            let age = now - self.birth_year[i] as f64;
            if !demography::dies(age, counter.uniform(Stream::Turnover, step, i as u64, 0)) {
                self.band[i] = demography::age_band(age);
                continue;
            }
            self.band[i] = 0;
            replaced += 1;
            let p = self.party[i];
            self.birth_year[i] = (now - ADULT_AGE) as f32;
            let z = counter.normal(Stream::Grievance, step, i as u64);
            let g0 = (eq::anchor(&self.params, p, ADULT_AGE, years, z) - self.entrant_contact).max(0.0);
            self.g0[i] = g0 as f32;
            self.grievance[i] = g0 as f32;
            self.support_bias[i] = (self.params.support_sd * counter.normal(Stream::Support, step, i as u64)) as f32;
            self.threat[i] = eq::threat_base(&self.rates, p, pulse.threat_base_shift) as f32;
            self.salience[i] = self.rates.salience_baseline as f32;
            let align = eq::alignment(p, pulse.exec_party);
            self.approval[i] = eq::approval_target(&self.rates, align, pulse.approval_shift) as f32;
        }
        self.band_n = count_bands(&self.band);
        replaced
    }

    /// The state the period effects work on (`perception.rs`): anchors to move, and birth
    /// years, grievance and camps to read.
    pub fn period_view(&mut self) -> (&mut [f32], &[f32], &[f32], &[u8]) {
        (&mut self.g0, &self.birth_year, &self.grievance, &self.party)
    }

    /// A week of contact reaches those under 18 too, at the full weight of the young: the
    /// anchor fall `fall` adds to what the next entrants bring.
    pub fn add_entrant_contact(&mut self, fall: f64) {
        self.entrant_contact += fall;
    }

    /// Every voter's grievance anchor g0.
    pub fn anchors(&self) -> &[f32] {
        &self.g0
    }

    /// Every voter's age in `week`.
    pub fn ages(&self, week: u32) -> Vec<f64> {
        let now = self.calendar.year(week);
        self.birth_year.iter().map(|&b| now - b as f64).collect()
    }

    /// Mean grievance anchor (for tests and the record of perception shift).
    pub fn anchor_mean(&self) -> f64 {
        self.g0.iter().map(|&x| x as f64).sum::<f64>() / self.n() as f64
    }

    /// Every voter votes; returns the tally per district (progressive, conservative, third
    /// camp), each voter choosing the camp of highest utility (`equations::vote_utility`).
    pub fn tally_votes(&self, step: u32, incumbent: Party, w: &VoteWeights, counter: &Counter) -> Vec<[u32; 3]> {
        kernel::map((0..DISTRICTS).collect(), |d| {
            let (a, b) = (self.district_start[d], self.district_start[d + 1]);
            kernel::tally(Ballots {
                approval: &self.approval[a..b],
                support: &self.support[a..b],
                party: &self.party[a..b],
                first: a,
                step,
                incumbent,
                weights: w,
                counter,
            })
        })
    }

    /// A new president: every voter's approval starts at its resting level for the new
    /// alignment (plus the honeymoon in `shift`).
    pub fn reset_approval(&mut self, president: Party, shift: f64) {
        for (a, &p) in self.approval.iter_mut().zip(&self.party) {
            *a = eq::approval_target(&self.rates, eq::alignment(p, Some(president)), shift) as f32;
        }
    }
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
            a.pact_salience,
            a.pact_opposed,
        ];
        x.extend(
            a.party_support
                .iter()
                .chain(&a.party_share)
                .chain(&a.party_opposed)
                .chain(&a.district_support)
                .chain(&a.district_lean)
                .chain(&a.district_opposed),
        );
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
            grievance_cue: [0.03 * u(13), -0.02 * u(14), 0.0],
            activation: if u(5) < 0.4 { 0.6 * u(6) } else { 0.0 },
            trigger: if u(7) < 0.3 { 0.5 * u(8) } else { 0.0 },
            exec_party: execs[(u(9) * 4.0) as usize],
            exec_stance: 2.0 * u(10) - 1.0,
            politicisation: u(11),
            approval_shift: 0.2 * u(12) - 0.1,
            pact_presence: u(15),
        }
    }

    /// The grievance voter i hears, by the definition: the ties within the confidence bound
    /// (all if it is 1), summed in order, or without a bound in two running sums (even and
    /// odd positions) added at the end.
    fn heard_by_definition(g: &[f32], nbrs: &[u32], i: usize, bound: f64) -> f64 {
        let own = g[i];
        let ties: Vec<f32> = nbrs.iter().map(|&j| g[j as usize]).collect();
        if bound >= 1.0 {
            let half = |parity: usize| ties.iter().skip(parity).step_by(2).fold(0f32, |a, x| a + x);
            return eq::heard(half(0) + half(1), ties.len() as u32, own);
        }
        let within: Vec<f32> = ties.into_iter().filter(|gj| (gj - own).abs() <= bound as f32).collect();
        eq::heard(within.iter().fold(0f32, |a, x| a + x), within.len() as u32, own)
    }

    /// The week one voter at a time, by the equations (what `step` computes in passes over
    /// chunks, in blocks, possibly in parallel).
    #[allow(clippy::needless_range_loop)]
    fn step_by_the_equations(v: &mut Voters, graph: &Graph, pulse: &Pulse, counter: &Counter) -> Aggregates {
        let r = v.rates;
        let gn: Vec<f32> = (0..v.n())
            .map(|i| {
                let heard = heard_by_definition(&v.grievance, graph.neighbours(i), i, r.confidence_bound);
                eq::grievance(
                    &r,
                    eq::anchor_now(v.g0[i], pulse.grievance_shock + pulse.grievance_cue[v.party[i] as usize]),
                    heard,
                ) as f32
            })
            .collect();
        v.pact_salience = eq::pact_salience(&r, v.pact_salience, pulse.activation);
        let year = v.calendar.year(pulse.step);
        let mut districts = Vec::new();
        for d in 0..DISTRICTS {
            let mut s = Sums::default();
            for i in v.district_start[d]..v.district_start[d + 1] {
                let (q, g) = (v.party[i], gn[i] as f64);
                let align = eq::alignment(q, pulse.exec_party);
                let base = eq::threat_base(&r, q, pulse.threat_base_shift);
                let u = counter.uniform(Stream::Exposure, pulse.step, i as u64, 0);
                let exposure = (pulse.threat_jump > 0.0).then(|| eq::exposure(pulse.threat_jump, u));
                let t = eq::threat(&r, base, v.threat[i] as f64, exposure);
                let a = eq::salience(&r, v.salience[i] as f64, pulse.activation + pulse.trigger, g);
                let cue = eq::cue(&r, pulse.politicisation, pulse.exec_stance, align);
                let y = eq::support(eq::support_logit(&r, t, g, a, cue, v.support_bias[i]));
                let target = eq::approval_target(&r, align, pulse.approval_shift);
                let z = eq::approval(&r, target, v.approval[i] as f64, pulse.activation, pulse.trigger, g);
                let pact = eq::PactWeek::new(&r, pulse.pact_presence, v.pact_salience, year, [cue; 3]);
                let o = eq::opposition_logit(&r, &pact, pact.camp[0], g, t, z, v.birth_year[i], v.support_bias[i]);
                (v.threat[i], v.salience[i], v.support[i], v.approval[i]) = (t as f32, a as f32, y as f32, z as f32);
                v.opposition[i] = o as f32;
                let opposed = eq::opposes(v.opposition[i] as f64) as u8 as f64;
                let su = v.support[i] as f64;
                s.n += 1.0;
                s.approval += v.approval[i] as f64;
                s.support += su;
                s.supporters += eq::supports(su) as u8 as f64;
                s.grievance += gn[i] as f64;
                s.threat += v.threat[i] as f64;
                s.salience += v.salience[i] as f64;
                s.favourable += eq::favourable(&r, gn[i] as f64) as u8 as f64;
                s.opposed += opposed;
                s.party_n[q as usize] += 1.0;
                s.party_support[q as usize] += su;
                s.band_favourable[v.band[i] as usize] += eq::favourable(&r, gn[i] as f64) as u8 as f64;
                s.party_opposed[q as usize] += opposed;
            }
            districts.push(s);
        }
        v.grievance = gn;
        Aggregates::from_districts(&districts, &v.band_n, v.pact_salience)
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
            {
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
                    let a = fast.step(&graph, &pulse, &c);
                    let b = step_by_the_equations(&mut slow, &graph, &pulse, &c);
                    let what = format!("n {n}, bound {bound}, graph {kind}, week {step}");
                    assert_eq!(bits(&a), bits(&b), "aggregates, {what}");
                    for (x, y) in [
                        (&fast.grievance, &slow.grievance),
                        (&fast.threat, &slow.threat),
                        (&fast.salience, &slow.salience),
                        (&fast.support, &slow.support),
                        (&fast.approval, &slow.approval),
                        (&fast.opposition, &slow.opposition),
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
        let r = slow.rates;
        for _ in 0..5 {
            slow.grievance = (0..slow.n())
                .map(|i| {
                    let heard = heard_by_definition(&slow.grievance, graph.neighbours(i), i, r.confidence_bound);
                    eq::grievance(&r, eq::anchor_now(slow.g0[i], 0.02), heard) as f32
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
                        let mut u = (w.issue * support + w.swing) * eq::camp(c8);
                        if c8 == v.party[i] {
                            u += w.identity;
                        }
                        if c8 as usize == incumbent.index() {
                            u += w.approval * approval;
                        }
                        if c8 == 2 {
                            u -= w.minor_penalty;
                        }
                        let uniform = c.open_uniform(Stream::Vote, 11, i as u64, c8 as u32);
                        u -= crate::math::ln(-crate::math::ln(uniform));
                        if u > best.0 {
                            best = (u, c8 as usize);
                        }
                    }
                    tally[best.1] += 1;
                }
            }
            assert_eq!(v.tally_votes(11, incumbent, &w, &c), expected);
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

    /// A calm week, then a week whose pulse `set` changes: both weeks' aggregates, and the
    /// voters to step on.
    fn calm_then(set: impl FnOnce(&mut Pulse)) -> (Aggregates, Aggregates, Voters, Graph, Counter) {
        let (_, mut v, g, c) = setup(5_000);
        let before = v.step(&g, &pulse(0), &c);
        let mut p = pulse(1);
        set(&mut p);
        let after = v.step(&g, &p, &c);
        (before, after, v, g, c)
    }

    #[test]
    fn threat_jump_raises_threat_and_support_then_decays() {
        let (before, hit, mut v, g, c) = calm_then(|p| p.threat_jump = 0.3);
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
        let (before, after, ..) = calm_then(|p| p.activation = 0.5);
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
    fn a_conditional_acsa_activates_less_opposition_than_a_full_one() {
        let presence = crate::ladder::Params::default().presence;
        // Weeks of a proposal of `rung` under debate; the share opposed before and after.
        let debate = |rung: u8| {
            let (_, mut v, g, c) = setup(5_000);
            let mut p = pulse(0);
            p.pact_presence = presence.get(rung);
            let before = v.step(&g, &p, &c);
            let mut after = before.clone();
            for step in 1..6 {
                p = pulse(step);
                p.pact_presence = presence.get(rung);
                p.activation = 0.15;
                after = v.step(&g, &p, &c);
            }
            (before, after)
        };
        let (quiet, conditional) = debate(crate::ladder::ACSA_CONDITIONAL);
        let (_, full) = debate(crate::ladder::ACSA_FULL);
        assert_eq!(quiet.pact_salience, 0.0);
        assert!(conditional.pact_salience > 0.4, "{}", conditional.pact_salience);
        assert!(conditional.pact_opposed > quiet.pact_opposed + 0.1, "a proposal activates opposition");
        let (a, b) = (conditional.pact_opposed, full.pact_opposed);
        assert!(b > a + 0.1, "{b} vs {a}");
        for k in 0..3 {
            assert!(full.party_opposed[k] > conditional.party_opposed[k]);
        }
    }

    #[test]
    fn opposition_foreseen_at_a_higher_salience_is_what_the_week_would_give() {
        let presence = crate::ladder::Params::default().presence.get(crate::ladder::GSOMIA);
        let (_, mut v, g, c) = setup(5_000);
        let mut p = pulse(0);
        p.pact_presence = presence;
        let quiet = v.step(&g, &p, &c);
        // At its own salience, the projection is the week's own count.
        let [same, ..] = v.at_pact_saliences(&quiet, [quiet.pact_salience; 3]);
        assert_eq!((same.pact_opposed, same.party_opposed), (quiet.pact_opposed, quiet.party_opposed));
        assert_eq!(same.district_opposed, quiet.district_opposed);
        // The same voters, with the pact made salient by a move in the same week: the
        // projection counts them nearly as the voter step does (the move also costs the
        // government approval, which the projection leaves as it is).
        let s = v.pact_salience_after(0.5);
        assert!((s - 0.5).abs() < 1e-12, "{s}");
        let [same_again, foreseen, _] = v.at_pact_saliences(&quiet, [quiet.pact_salience, s, 0.0]);
        assert_eq!(same_again.party_opposed, same.party_opposed);
        let (_, mut twin, g, c) = setup(5_000);
        p.activation = 0.5;
        let moved = twin.step(&g, &p, &c);
        assert_eq!(moved.pact_salience, s);
        assert!(
            (foreseen.pact_opposed - moved.pact_opposed).abs() < 0.03,
            "{} vs {}",
            foreseen.pact_opposed,
            moved.pact_opposed
        );
        assert!(
            foreseen.pact_opposed > quiet.pact_opposed + 0.05,
            "{} vs {}",
            foreseen.pact_opposed,
            quiet.pact_opposed
        );
        for k in 0..3 {
            assert!(foreseen.party_opposed[k] >= quiet.party_opposed[k]);
        }
    }

    #[test]
    fn opposition_foreseen_is_counted_as_defined_whatever_the_layout_of_parties() {
        let (_, mut v, g, c) = setup(6_000);
        for step in 0..4 {
            v.step(&g, &busy_pulse(step, &c), &c);
        }
        // Runs of one party from 1 to 40 voters, with the parties in any order.
        let (n, mut k) = (v.n(), 0);
        while k < n {
            let u = |j: u32| c.uniform(Stream::Network, 99, k as u64, j);
            let run = 1 + (u(0) * 40.0) as usize;
            let q = (u(1) * 3.0) as u8;
            v.party[k..(k + run).min(n)].fill(q);
            k += run;
        }
        let agg = v.aggregate();
        let saliences = [v.pact_salience, 0.4, 0.95];
        let foreseen = v.at_pact_saliences(&agg, saliences);
        let weight = |s: f64| eq::PactWeek::new(&v.rates, v.pact_presence, s, 0.0, [0.0; 3]).grievance_weight;
        for (j, f) in foreseen.iter().enumerate() {
            let shift = weight(saliences[j]) - weight(v.pact_salience);
            let opposes = |i: usize| eq::opposes(v.opposition[i] as f64 + shift * v.grievance[i] as f64);
            for d in 0..DISTRICTS {
                let (a, b) = (v.district_start[d], v.district_start[d + 1]);
                let opposed = (a..b).filter(|&i| opposes(i)).count();
                assert_eq!(f.district_opposed[d], opposed as f64 / (b - a) as f64, "route {j}, district {d}");
            }
            for q in 0..3u8 {
                let members: Vec<usize> = (0..v.n()).filter(|&i| v.party[i] == q).collect();
                let opposed = members.iter().filter(|&&i| opposes(i)).count();
                assert_eq!(f.party_opposed[q as usize], opposed as f64 / members.len() as f64, "route {j}, party {q}");
            }
        }
    }

    #[test]
    fn older_voters_oppose_a_pact_less() {
        // GSOMIA under debate for five weeks.
        let (_, mut v, g, c) = setup(5_000);
        for step in 0..6 {
            let mut p = pulse(step);
            p.pact_presence = crate::ladder::Params::default().presence.get(crate::ladder::GSOMIA);
            p.activation = if step > 0 { 0.15 } else { 0.0 };
            v.step(&g, &p, &c);
        }
        let ages = v.ages(5);
        let share = |lo: f64, hi: f64| {
            let who: Vec<usize> = (0..ages.len()).filter(|&i| (lo..hi).contains(&ages[i])).collect();
            who.iter().filter(|&&i| eq::opposes(v.opposition[i] as f64)).count() as f64 / who.len() as f64
        };
        // Gallup Korea, November 2016: 69-78% of 20-49 year olds against, 43% of those over 60 for.
        let (young, old) = (share(20.0, 50.0), share(60.0, 200.0));
        assert!(young > old + 0.15, "{young} vs {old}");
    }

    #[test]
    fn pact_salience_rises_with_a_proposal_and_decays_after() {
        let r = Rates::new(&Params::default());
        let mut s = 0.0;
        for _ in 0..4 {
            s = eq::pact_salience(&r, s, 0.3);
        }
        assert!(s > 0.6);
        let peak = s;
        for _ in 0..8 {
            s = eq::pact_salience(&r, s, 0.0);
        }
        assert!((s - 0.5 * peak).abs() < 1e-9, "halves in pact_salience_half_life_weeks");
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
    fn entrants_carry_the_contact_of_their_cohort() {
        // The anchors of a year's entrants, after `contact` of anchor fall among the young.
        let entrants = |contact: f64| {
            let (sc, _, _, c) = setup(20_000);
            let mut v = voters(&sc, &c, &[9u8; 32]);
            v.add_entrant_contact(contact);
            let born = v.birth_year.clone();
            v.replace_cohort(crate::calendar::WEEKS_PER_YEAR.ceil() as u32, &pulse(0), &c);
            let new: Vec<f64> = (0..v.n()).filter(|&i| v.birth_year[i] != born[i]).map(|i| v.g0[i] as f64).collect();
            assert!(new.len() > 50, "{} entrants", new.len());
            new.iter().sum::<f64>() / new.len() as f64
        };
        let fall = entrants(0.0) - entrants(0.1);
        assert!(fall > 0.085 && fall <= 0.1 + 1e-6, "{fall}");
    }

    #[test]
    fn deaths_follow_age_and_entrants_lower_the_anchor_with_shift() {
        let run = |shift: f64| {
            let (mut sc, _, _, c) = setup(20_000);
            sc.cohort_shift = shift;
            let mut v = voters(&sc, &c, &[9u8; 32]);
            let before = v.anchor_mean();
            let ages = v.ages(0);
            let mut dead = vec![false; v.n()];
            for year in 1..=5 {
                let week = (year as f64 * crate::calendar::WEEKS_PER_YEAR) as u32;
                let born = v.birth_year.clone();
                v.replace_cohort(week, &pulse(0), &c);
                dead.iter_mut().zip(born.iter().zip(&v.birth_year)).for_each(|(d, (a, b))| *d |= a != b);
                let now = v.ages(week);
                assert!(v.band.iter().zip(&now).all(|(&b, &a)| b == demography::age_band(a)), "bands follow ages");
            }
            (before, v.anchor_mean(), ages, dead)
        };
        let (b0, a0, ages, dead) = run(0.0);
        let (_, a1, _, _) = run(0.05);
        // About 0.8% of adults a year, most of them old.
        let share = |keep: &dyn Fn(f64) -> bool| {
            let (n, d) =
                ages.iter().zip(&dead).filter(|(&a, _)| keep(a)).fold((0, 0), |(n, d), (_, &x)| (n + 1, d + x as u32));
            d as f64 / n as f64
        };
        let all = share(&|_| true);
        assert!(all > 0.025 && all < 0.06, "five-year death share {all}");
        assert!(share(&|a| a >= 70.0) > 10.0 * share(&|a| a < 40.0), "deaths rise with age");
        assert!(a0 < b0, "young replace old: {a0} vs {b0}");
        assert!(a1 < a0 - 0.005, "{a1} vs {a0}");
    }
}
