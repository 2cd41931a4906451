//! The voters' equations, one voter at a time (docs/ODD.md section 7.3). These functions
//! are the ones that run: the kernel (`kernel.rs`) calls them for every voter, inlined
//! into its vectorised loops, and computes the per-party terms of a week once by calling
//! them for each camp.
//!
//! State variables are stored as f32 and computed in f64; every equation is written in the
//! order of its operations, without fused multiply-adds, so that every machine and every
//! instruction set computes the same bits.

use crate::math::{ln, logistic};
use crate::party::Party;

use super::Params;

/// Party bytes of the voters' state.
pub const PROGRESSIVE: u8 = 0;
pub const CONSERVATIVE: u8 = 1;
pub const INDEPENDENT: u8 = 2;

pub use crate::demography::ADULT_AGE;
/// Age at which a voter's grievance anchor has the mean `voters.grievance_mean`.
pub const REFERENCE_AGE: f64 = 48.0;

/// The voters' coefficients for a run: the section's values, with the weekly decay
/// factor of each half-life.
#[derive(Clone, Copy, Debug)]
pub struct Rates {
    pub stubbornness: f64,
    pub confidence_bound: f64,
    pub threat_baseline: f64,
    pub party_threat_gap: f64,
    pub threat_decay: f64,
    pub salience_baseline: f64,
    pub salience_decay: f64,
    pub support_intercept: f64,
    pub support_threat_weight: f64,
    pub support_grievance_weight: f64,
    pub party_cue: f64,
    /// Resting approval by alignment: aligned, opposed, neither.
    pub approval: [f64; 3],
    pub approval_decay: f64,
    pub backlash: f64,
    pub rally: f64,
    pub favourable_below: f64,
    pub opposition_intercept: f64,
    pub opposition_presence: f64,
    pub opposition_grievance: f64,
    pub opposition_threat: f64,
    pub opposition_approval: f64,
    pub opposition_age: f64,
    pub pact_salience_decay: f64,
}

impl Rates {
    pub fn new(v: &Params) -> Rates {
        let decay = crate::rng::decay;
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
            opposition_intercept: v.opposition_intercept,
            opposition_presence: v.opposition_presence,
            opposition_grievance: v.opposition_grievance,
            opposition_threat: v.opposition_threat,
            opposition_approval: v.opposition_approval,
            opposition_age: v.opposition_age,
            pact_salience_decay: decay(v.pact_salience_half_life_weeks),
        }
    }
}

#[inline(always)]
pub fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// A voter's camp on the left-right axis: progressive -1, conservative +1, others 0.
#[inline(always)]
pub fn camp(party: u8) -> f64 {
    match party {
        PROGRESSIVE => -1.0,
        CONSERVATIVE => 1.0,
        _ => 0.0,
    }
}

/// +1 for the president's camp, -1 for the other major camp, 0 otherwise.
#[inline(always)]
pub fn alignment(party: u8, president: Option<Party>) -> f64 {
    match president {
        Some(Party::Independent) | None => 0.0,
        Some(p) if p.index() as u8 == party => 1.0,
        Some(_) if party == INDEPENDENT => 0.0,
        Some(_) => -1.0,
    }
}

/// Grievance anchor g0 of a voter of `party` and `age`, entering the electorate `years`
/// after the start, with the standard normal draw `z`:
/// g0 = mean + age_gradient (age - 48) - gap/2 x camp - cohort_shift x years + sd z.
pub fn anchor(v: &Params, party: u8, age: f64, years: f64, z: f64) -> f64 {
    clamp01(
        v.grievance_mean + v.age_gradient * (age - REFERENCE_AGE)
            - 0.5 * v.party_grievance_gap * camp(party)
            - v.cohort_shift * years
            + v.grievance_sd * z,
    )
}

/// The anchor a voter holds this week: its own anchor plus this week's input, the
/// grievance shock G and its camp's cue κ (`perception::cue`).
#[inline(always)]
pub fn anchor_now(g0: f32, input: f64) -> f64 {
    clamp01(g0 as f64 + input)
}

/// The grievance a voter hears: the mean over its ties (with the confidence bound, those
/// within it), or its own if it hears none.
#[inline(always)]
pub fn heard(sum: f32, count: u32, own: f32) -> f64 {
    if count > 0 {
        sum as f64 / count as f64
    } else {
        own as f64
    }
}

/// Friedkin-Johnsen: g' = s x anchor + (1 - s) x heard.
#[inline(always)]
pub fn grievance(r: &Rates, anchor: f64, heard: f64) -> f64 {
    clamp01(r.stubbornness * anchor + (1.0 - r.stubbornness) * heard)
}

/// Resting threat of a camp: the baseline, shifted by half the party gap and by `shift`
/// (lost US commitment).
#[inline(always)]
pub fn threat_base(r: &Rates, party: u8, shift: f64) -> f64 {
    clamp01(r.threat_baseline + 0.5 * r.party_threat_gap * camp(party) + shift)
}

/// A voter's share of this week's threat jump: jump x (0.5 + u), u uniform on [0, 1).
#[inline(always)]
pub fn exposure(jump: f64, u: f64) -> f64 {
    jump * (0.5 + u)
}

/// Threat decays towards its resting level and jumps with the voter's exposure to this
/// week's shocks, if any.
#[inline(always)]
pub fn threat(r: &Rates, base: f64, old: f64, exposure: Option<f64>) -> f64 {
    let mut t = base + (old - base) * r.threat_decay;
    if let Some(x) = exposure {
        t += x;
    }
    clamp01(t)
}

/// Salience decays towards its baseline; proposals and triggers (`input`: activation plus
/// trigger input) raise it in proportion to grievance.
#[inline(always)]
pub fn salience(r: &Rates, old: f64, input: f64, grievance: f64) -> f64 {
    let a = r.salience_baseline + (old - r.salience_baseline) * r.salience_decay;
    clamp01(a + (1.0 - a) * (input * grievance).min(1.0))
}

/// The party cue: once the issue is politicised, co-partisans follow the president's
/// stance and the other camp opposes it.
#[inline(always)]
pub fn cue(r: &Rates, politicisation: f64, stance: f64, alignment: f64) -> f64 {
    r.party_cue * politicisation * stance * alignment
}

/// Support for security cooperation, as a logit: threat above baseline for it, grievance
/// weighted by salience against it, the party cue and the voter's own intercept.
#[inline(always)]
pub fn support_logit(r: &Rates, threat: f64, grievance: f64, salience: f64, cue: f64, bias: f32) -> f64 {
    r.support_intercept + r.support_threat_weight * (threat - r.threat_baseline)
        - r.support_grievance_weight * grievance * (0.5 + salience)
        + cue
        + bias as f64
}

/// Support, from its logit.
#[inline(always)]
pub fn support(logit: f64) -> f64 {
    logistic(logit)
}

/// Resting approval of a voter of `alignment`, plus the term clock's `shift`.
#[inline(always)]
pub fn approval_target(r: &Rates, alignment: f64, shift: f64) -> f64 {
    let base = if alignment > 0.0 {
        r.approval[0]
    } else if alignment < 0.0 {
        r.approval[1]
    } else {
        r.approval[2]
    };
    (base + shift).clamp(0.0, 1.0)
}

/// Approval relaxes to its resting level; a proposal's activation costs it (backlash) and
/// a Japanese trigger raises it (rally), both in proportion to grievance.
#[inline(always)]
pub fn approval(r: &Rates, target: f64, old: f64, activation: f64, trigger: f64, grievance: f64) -> f64 {
    clamp01(
        target + (old - target) * r.approval_decay - r.backlash * activation * grievance
            + r.rally * trigger * grievance,
    )
}

/// A voter supports cooperation when more likely for it than against.
#[inline(always)]
pub fn supports(support: f64) -> bool {
    support > 0.5
}

/// A voter holds a good impression of Japan when its grievance is below the threshold.
#[inline(always)]
pub fn favourable(r: &Rates, grievance: f64) -> bool {
    grievance < r.favourable_below
}

/// Salience of the pact on the table: it decays and the executive's activation of a
/// proposal (floated, announced, debated, exposed) raises it, in the share left.
#[inline(always)]
pub fn pact_salience(r: &Rates, old: f64, activation: f64) -> f64 {
    let s = old * r.pact_salience_decay;
    clamp01(s + (1.0 - s) * activation.min(1.0))
}

/// Opposition to the pact on the table, as a logit (the voter's state: the log-odds that it
/// opposes the pact if asked):
///
/// o = opposition_intercept + (opposition_presence × P + opposition_grievance × g) × (0.5 + s_P)
///     − opposition_threat × (θ − threat_baseline) − opposition_approval × (α − 0.5)
///     − opposition_age × (age − 48) − cue − b
///
/// The pact's presence P (how far it lets Japanese forces onto the peninsula) and
/// grievance g, both weighted by its salience s_P, count against it; threat θ above
/// baseline and approval α of the government proposing it for it; older voters oppose it
/// less; co-partisans follow the president's cue and the other camp opposes him; b is the
/// voter's own support intercept for cooperation. The terms the same for every voter of a
/// camp in a week are summed once (`PactWeek::new`), the voter's own added here, with
/// age = year − birth year.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn opposition_logit(
    r: &Rates,
    week: &PactWeek,
    camp: f64,
    grievance: f64,
    threat: f64,
    approval: f64,
    birth_year: f32,
    bias: f32,
) -> f64 {
    camp + week.grievance_weight * grievance - r.opposition_threat * threat - r.opposition_approval * approval
        + r.opposition_age * birth_year as f64
        - bias as f64
}

/// The terms of `opposition_logit` that are the same for every voter of a camp in a week.
#[derive(Clone, Copy, Debug, Default)]
pub struct PactWeek {
    /// By party byte (progressive, conservative, the rest): the intercept, the pact's
    /// presence, the threat, approval and age references, less the camp's cue.
    pub camp: [f64; 3],
    /// opposition_grievance × (0.5 + s_P).
    pub grievance_weight: f64,
}

impl PactWeek {
    /// The week's terms for a pact of presence `presence` and salience `salience` in
    /// calendar `year` (fractional), with each camp's cue `cue`.
    pub fn new(r: &Rates, presence: f64, salience: f64, year: f64, cue: [f64; 3]) -> PactWeek {
        let common = r.opposition_intercept
            + r.opposition_presence * presence * (0.5 + salience)
            + r.opposition_threat * r.threat_baseline
            + r.opposition_approval * 0.5
            - r.opposition_age * (year - REFERENCE_AGE);
        PactWeek { camp: cue.map(|c| common - c), grievance_weight: r.opposition_grievance * (0.5 + salience) }
    }
}

/// A voter opposes the pact when more likely to than not: its opposition logit is above 0.
#[inline(always)]
pub fn opposes(logit: f64) -> bool {
    logit > 0.0
}

/// Weights of a voter's choice between the three camps.
#[derive(Clone, Copy, Debug)]
pub struct VoteWeights {
    pub identity: f64,
    pub approval: f64,
    pub issue: f64,
    pub minor_penalty: f64,
    /// This election's national swing towards the conservatives (negative: progressives).
    pub swing: f64,
}

/// A Gumbel draw from a uniform u in (0, 1): -ln(-ln u).
#[inline(always)]
pub fn gumbel(u: f64) -> f64 {
    -ln(-ln(u))
}

/// Utility of `camp` for a voter of `party`: issue weight x (support - 0.5) plus the
/// national swing, towards the conservatives and away from the progressives; identity if
/// it is the voter's own camp; for the incumbent's camp, approval weight x (approval -
/// 0.5); minus a handicap for the third camp; plus the voter's Gumbel draw, so that the
/// choice is a multinomial logit.
#[inline(always)]
pub fn vote_utility(
    w: &VoteWeights,
    camp_of: u8,
    party: u8,
    incumbent: u8,
    approval: f64,
    support: f64,
    gumbel: f64,
) -> f64 {
    let mut u = (w.issue * (support - 0.5) + w.swing) * camp(camp_of);
    if camp_of == party {
        u += w.identity;
    }
    if camp_of == incumbent {
        u += w.approval * (approval - 0.5);
    }
    if camp_of == INDEPENDENT {
        u -= w.minor_penalty;
    }
    u + gumbel
}
