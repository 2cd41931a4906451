//! Period effects: perception of Japan shifting inside a run (docs/ODD.md section 7.3.8).
//!
//! Three pathways move voters' grievance anchors while the run goes on, on top of cohort
//! replacement:
//! - people-to-people contact (visits, culture, exchange) lowers every anchor each week,
//!   most among the young (`contact_weight`); Friedkin–Johnsen averaging passes the change
//!   on to each voter's neighbours;
//! - a conciliatory gesture from Tokyo (an event of kind `gesture`) lowers the anchors of
//!   those who accept it and raises those of the camp opposed to the president who takes
//!   it and of anyone whose grievance is above `gesture_backlash_above` (`gesture`);
//! - the president's framing is a cue that co-partisans follow on affect, once the issue is
//!   politicised (`cue`).
//!
//! The lever `shift` names the change, in percentage points over ten years and without
//! shocks, of the share of adults with a good impression of Japan that contact produces;
//! `Perception::new` solves, from the settled grievance distribution, for the contact rate
//! that gives it (`solve_contact_rate`). Contact works on the adults in the electorate and,
//! at the full weight of the young, on those under 18, whose anchors the entrants of each
//! year carry (`Voters::add_entrant_contact`); `voters.cohort_shift` is the other part of
//! what a new cohort brings.

use crate::calendar::Calendar;
use crate::demography;
use crate::party::Party;
use crate::scenario::params;
use crate::voters::{self, alignment, Voters};

/// Years over which `shift` is stated.
pub const SHIFT_YEARS: f64 = 10.0;
/// Age at which contact is strongest: the voting age.
const YOUNGEST: f64 = crate::demography::ADULT_AGE;
/// Voters younger than this at the start stand for the entrants of the next ten years in
/// the lever's solver: their anchors and grievance are the nearest to an entrant's.
const ENTRANT_PROXY_AGE: f64 = 21.0;
/// Upper bound of the contact rate the lever's solver searches (anchor units per year): ten
/// years at it move every anchor by more than the whole scale.
const MAX_RATE: f64 = 1.0;

params! {
    /// The `[perception]` section.
    pub struct Params {
        /// Change of the share of adults with a good impression of Japan that people-to-people contact
        /// produces over ten years without shocks; sets the contact rate.
        shift: f64 = 0.0, unit "percentage points", range 0.0..=40.0;
        /// Contact falls with age as exp(-(age - 18) / this): the e-folding age span.
        contact_age_scale: f64 = 25.0, unit "years", range 1.0..=200.0;
        /// Grievance anchor rise, per unit magnitude of a gesture from Tokyo, of the voters who reject it.
        gesture_backlash: f64 = 0.03, unit "0-1 scale", range 0.0..=1.0;
        /// Grievance above which a voter rejects a gesture whatever the camp (the president's opponents
        /// always do).
        gesture_backlash_above: f64 = 0.6, unit "0-1 scale", range 0.0..=1.0;
        /// Grievance anchor fall of the president's camp (rise of the other camp) when a fully politicised
        /// president pushes cooperation.
        cue: f64 = 0.0, unit "0-1 scale", range 0.0..=1.0;
    }
}

/// Relative contact of a voter of `age`: 1 at 18, falling by e every `scale` years.
#[inline]
pub fn contact_weight(age: f64, scale: f64) -> f64 {
    crate::math::exp(-(age - YOUNGEST).max(0.0) / scale)
}

/// Contact a voter of `age` accumulates over the next `years` at unit rate, ageing as it goes:
/// the integral of `contact_weight` from `age` to `age + years`.
fn exposure(age: f64, years: f64, scale: f64) -> f64 {
    if age >= YOUNGEST {
        scale * contact_weight(age, scale) * (1.0 - crate::math::exp(-years / scale))
    } else {
        let young = (YOUNGEST - age).min(years);
        young + exposure(YOUNGEST, years - young, scale)
    }
}

/// The per-party term added to every anchor this week: −cue × π × s_E × ℓ (progressive,
/// conservative, independent). The president's camp moves its affect with the president's
/// stance, the other major camp against it; independents and an independent president give
/// no cue.
pub fn cue(p: &Params, politicisation: f64, stance: f64, president: Party) -> [f64; 3] {
    [0u8, 1, 2].map(|q| -p.cue * politicisation * stance * alignment(q, Some(president)))
}

/// A gesture of magnitude `m` from Tokyo: the anchor of a voter who accepts it falls by
/// `relief × m`; one who rejects it (the camp opposed to `president`, or grievance above
/// `gesture_backlash_above`) rises by `gesture_backlash × m`. Anchors stay within [0, 1].
pub fn gesture(p: &Params, relief: f64, m: f64, president: Party, g0: &mut [f32], grievance: &[f32], party: &[u8]) {
    let (down, up) = (relief * m, p.gesture_backlash * m);
    for ((a, &g), &q) in g0.iter_mut().zip(grievance).zip(party) {
        let rejects = alignment(q, Some(president)) < 0.0 || g as f64 > p.gesture_backlash_above;
        let moved = if rejects { *a as f64 + up } else { *a as f64 - down };
        *a = moved.clamp(0.0, 1.0) as f32;
    }
}

/// One week of contact at `rate` (anchor units per year at age 18): every anchor falls by
/// rate / 52.1775 × `contact_weight(age)`, not below 0. The weight is computed as
/// `factor × weight[i]`, with `weight[i]` = `contact_weight` at the reference date
/// `since` (`contact_weights`) and `factor` = exp(−(now − since) / scale): the same value up
/// to rounding, one exponential a week instead of one per voter (the weight of an adult
/// does not reach its cap of 1 after `since`, as every voter is 18 or over by then).
pub fn contact(rate: f64, scale: f64, now: f64, since: f64, g0: &mut [f32], weight: &[f32]) {
    let per_week = rate / crate::calendar::WEEKS_PER_YEAR * crate::math::exp(-(now - since) / scale);
    for (a, &w) in g0.iter_mut().zip(weight) {
        *a = (*a as f64 - per_week * w as f64).max(0.0) as f32;
    }
}

/// Each voter's `contact_weight` at the date `since`, from its birth year.
pub fn contact_weights(scale: f64, since: f64, birth_year: &[f32]) -> Vec<f32> {
    birth_year.iter().map(|&b| contact_weight(since - b as f64, scale) as f32).collect()
}

/// The contact rate that moves the share with grievance below `threshold` by `shift`
/// percentage points over `SHIFT_YEARS`, predicted from the settled grievance `g`, anchors
/// `g0` and ages `age`: each anchor falls by rate × its exposure, not below 0 (δa_i), and at
/// the Friedkin–Johnsen fixed point each grievance by s × δa_i + (1 − s) × mean(δa)
/// (neighbours' ages are unrelated to one's own, so their mean change is the
/// population's). Each voter counts with its chance of surviving the ten years
/// (`demography::survival`); the rest of its weight goes to the entrants who replace the
/// dead, who take the camps of the dead (`Voters::replace_cohort`): represented by the
/// voters of the camp under `ENTRANT_PROXY_AGE`, and exposed as those who enter half-way
/// through (`exposure` from 18 − SHIFT_YEARS / 2). The share rises with the rate:
/// it is found by bisection, each step one pass over the voters. A shift beyond reach gives
/// the largest rate searched.
pub fn solve_contact_rate(
    p: &Params,
    g: &[f32],
    g0: &[f32],
    age: &[f64],
    party: &[u8],
    stubbornness: f64,
    threshold: f64,
) -> f64 {
    if p.shift <= 0.0 || g.is_empty() {
        return 0.0;
    }
    let scale = p.contact_age_scale;
    let alive: Vec<f64> =
        age.iter().map(|&a| demography::survival(a + SHIFT_YEARS) / demography::survival(a)).collect();
    // (weight, exposure, voter) of every adult who survives and of every entrant proxy.
    let mut who: Vec<(f64, f64, usize)> =
        (0..age.len()).map(|i| (alive[i], exposure(age[i], SHIFT_YEARS, scale), i)).collect();
    let entry = exposure(YOUNGEST - 0.5 * SHIFT_YEARS, SHIFT_YEARS, scale);
    for q in [0u8, 1, 2] {
        let camp = || (0..age.len()).filter(move |&i| party[i] == q);
        let young: Vec<usize> = camp().filter(|&i| age[i] < ENTRANT_PROXY_AGE).collect();
        let dead: f64 = camp().map(|i| 1.0 - alive[i]).sum();
        who.extend(young.iter().map(|&i| (dead / young.len() as f64, entry, i)));
    }
    let total: f64 = who.iter().map(|w| w.0).sum();
    let share = |rate: f64| {
        let fall: Vec<f64> = who.iter().map(|&(_, e, i)| (rate * e).min(g0[i] as f64)).collect();
        let mean = who.iter().zip(&fall).map(|(w, f)| w.0 * f).sum::<f64>() / total;
        let below = who
            .iter()
            .zip(&fall)
            .filter(|&(&(_, _, i), &f)| (g[i] as f64 - stubbornness * f - (1.0 - stubbornness) * mean) < threshold);
        below.map(|(w, _)| w.0).sum::<f64>() / total
    };
    let target = share(0.0) + p.shift / 100.0;
    let (mut lo, mut hi) = (0.0, MAX_RATE);
    if share(hi) < target {
        return hi;
    }
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if share(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// The period effects of one run: the contact rate the lever gives.
#[derive(Clone, Debug)]
pub struct Perception {
    params: Params,
    calendar: Calendar,
    /// Anchor units per year at age 18.
    pub contact_rate: f64,
    /// Each voter's contact weight (`contact_weights`) at the date `since`, for the
    /// electorate of renewal `epoch`: refreshed in the first week after each renewal.
    epoch: Option<u32>,
    since: f64,
    weight: Vec<f32>,
}

impl Perception {
    /// The lever's contact rate for these voters, settled (section 5 of docs/ODD.md).
    pub fn new(p: &Params, v: &voters::Params, voters: &Voters, calendar: Calendar) -> Perception {
        let (g, g0, age) = (&voters.grievance, voters.anchors(), &voters.ages(0));
        let contact_rate = solve_contact_rate(p, g, g0, age, &voters.party, v.stubbornness, v.favourable_below);
        Perception { params: p.clone(), calendar, contact_rate, epoch: None, since: 0.0, weight: Vec::new() }
    }

    /// Week `week`'s contact, if any.
    pub fn contact(&mut self, week: u32, voters: &mut Voters) {
        if self.contact_rate <= 0.0 {
            return;
        }
        // The electorate renews in the first week of each simulated year, after this
        // week's contact (`Calendar::new_year`): the weights of week w are those of the
        // electorate after the renewals up to week w - 1.
        let epoch = (week.saturating_sub(1) as f64 / crate::calendar::WEEKS_PER_YEAR).floor() as u32;
        let scale = self.params.contact_age_scale;
        let now = self.calendar.year(week);
        let (g0, birth_year, _, _) = voters.period_view();
        if self.epoch != Some(epoch) {
            self.since = now;
            self.weight = contact_weights(scale, now, birth_year);
            self.epoch = Some(epoch);
        }
        contact(self.contact_rate, scale, now, self.since, g0, &self.weight);
        voters.add_entrant_contact(self.contact_rate / crate::calendar::WEEKS_PER_YEAR);
    }

    /// A gesture from Tokyo of magnitude `m`, taken by `president`; `relief` is
    /// `shocks.gesture.effect`.
    pub fn gesture(&self, relief: f64, m: f64, president: Party, voters: &mut Voters) {
        let (g0, _, grievance, party) = voters.period_view();
        gesture(&self.params, relief, m, president, g0, grievance, party);
    }

    /// This week's cue on each camp's anchor (`cue`).
    pub fn cue(&self, politicisation: f64, stance: f64, president: Party) -> [f64; 3] {
        cue(&self.params, politicisation, stance, president)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_lowers_young_anchors_most() {
        let mut g0 = vec![0.5f32; 3];
        let birth = [2008.0f32, 1986.0, 1956.0]; // 18, 40 and 70 in 2026
        contact(0.1, 25.0, 2026.0, 2026.0, &mut g0, &contact_weights(25.0, 2026.0, &birth));
        let fall: Vec<f64> = g0.iter().map(|&a| 0.5 - a as f64).collect();
        assert!(fall[0] > fall[1] && fall[1] > fall[2] && fall[2] > 0.0, "{fall:?}");
        assert!((fall[0] - 0.1 / crate::calendar::WEEKS_PER_YEAR).abs() < 1e-6);
    }

    #[test]
    fn weekly_factor_times_weight_is_the_weight_at_the_date() {
        let birth = [2008.0f32, 1990.5, 1961.25, 1930.0];
        let since = 2026.4;
        let weight = contact_weights(25.0, since, &birth);
        for now in [2026.4, 2026.9, 2027.39] {
            let mut factored = vec![0.5f32; 4];
            contact(0.2, 25.0, now, since, &mut factored, &weight);
            for (k, &b) in birth.iter().enumerate() {
                let direct = 0.5 - 0.2 / crate::calendar::WEEKS_PER_YEAR * contact_weight(now - b as f64, 25.0);
                assert!((factored[k] as f64 - direct).abs() < 1e-7, "{now} {b}: {} vs {direct}", factored[k]);
            }
        }
    }

    #[test]
    fn exposure_is_the_integral_of_the_weight() {
        for age in [12.0, 18.0, 45.0, 80.0] {
            let steps = 100_000;
            let dt = 10.0 / steps as f64;
            let sum: f64 = (0..steps).map(|k| contact_weight(age + (k as f64 + 0.5) * dt, 25.0) * dt).sum();
            assert!((exposure(age, 10.0, 25.0) - sum).abs() < 1e-6, "{age}");
        }
    }

    #[test]
    fn solved_rate_grows_with_the_lever_and_is_zero_without_it() {
        let n = 10_000;
        let g: Vec<f32> = (0..n).map(|i| (0.1 + 0.7 * i as f64 / n as f64) as f32).collect();
        let age: Vec<f64> = (0..n).map(|i| 18.0 + (i * 7919 % 70) as f64).collect();
        let party: Vec<u8> = (0..n).map(|i| (i % 3) as u8).collect();
        let mut last = 0.0;
        for shift in [5.0, 15.0, 30.0] {
            let p = Params { shift, ..Params::default() };
            let rate = solve_contact_rate(&p, &g, &g, &age, &party, 0.5, 0.45);
            assert!(rate > last, "{shift}: {rate}");
            last = rate;
        }
        assert_eq!(solve_contact_rate(&Params::default(), &g, &g, &age, &party, 0.5, 0.45), 0.0);
    }

    #[test]
    fn gestures_relieve_most_and_provoke_the_opposed_camp() {
        let p = Params::default();
        let party = [1u8, 2, 0, 1]; // conservative, independent, progressive, conservative
        let grievance = [0.3f32, 0.3, 0.3, 0.9];
        let mut g0 = [0.4f32; 4];
        gesture(&p, 0.05, 1.0, Party::Conservative, &mut g0, &grievance, &party);
        assert!(g0[0] < 0.4 && g0[1] < 0.4, "the president's camp and independents accept: {g0:?}");
        assert!(g0[2] > 0.4, "the opposed camp rejects: {g0:?}");
        assert!(g0[3] > 0.4, "high grievance rejects: {g0:?}");
    }

    #[test]
    fn cue_moves_the_presidents_camp_with_the_stance() {
        let p = Params { cue: 0.1, ..Params::default() };
        let c = cue(&p, 1.0, 1.0, Party::Conservative);
        assert!(c[1] < 0.0 && c[0] > 0.0 && c[2] == 0.0, "{c:?}");
        assert!(cue(&p, 0.0, 1.0, Party::Conservative).iter().all(|&x| x == 0.0), "no cue before politicisation");
        assert!(cue(&p, 1.0, 1.0, Party::Independent).iter().all(|&x| x == 0.0), "an independent president gives none");
    }
}
