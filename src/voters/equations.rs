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
use crate::scenario::params;

params! {
    #[derive(Copy)]
    /// The `[voters]` section (and `[japan.voters]`, Japan's voters in full mode): the
    /// parameters of the equations below and of the voters' set-up (`mod.rs`).
    pub struct Params {
        /// Number of voter agents (at least one per district).
        n: u64 = 20_000, unit "voters", range 253.0..=20_000_000.0;
        /// Share of voters identifying with the progressive camp.
        share_progressive: f64 = 0.36, unit "share", range 0.0..=1.0;
        /// Share identifying with the conservative camp; independents are the rest.
        share_conservative: f64 = 0.30, unit "share", range 0.0..=1.0;
        /// Spread of districts' partisan lean (shifts progressive vs conservative shares).
        district_lean_sd: f64 = 0.15, unit "share", range 0.0..=0.5;
        /// Mean historical grievance anchor g0 of a 48-year-old voter.
        grievance_mean: f64 = 0.43, unit "0-1 scale", range 0.0..=1.0;
        /// Spread of the grievance anchor across voters.
        grievance_sd: f64 = 0.18, unit "0-1 scale", range 0.0..=0.5;
        /// Grievance anchor rise per year of age (older voters hold more grievance).
        age_gradient: f64 = 0.0025, unit "per year of age", range -0.05..=0.05;
        /// Progressives' anchor minus conservatives' anchor.
        party_grievance_gap: f64 = 0.10, unit "0-1 scale", range -0.5..=0.5;
        /// Fall in the grievance anchor of each newly adult cohort per simulated year (perception-shift
        /// pathway).
        cohort_shift: f64 = 0.005, unit "per year", range -0.1..=0.1;
        /// Friedkin-Johnsen weight on one's own anchor against neighbours.
        stubbornness: f64 = 0.5, unit "share", range 0.0..=1.0;
        /// Bounded confidence: ignore neighbours whose grievance differs by more than this (1 = off).
        confidence_bound: f64 = 1.0, unit "0-1 scale", range 0.0..=1.0;
        /// Threat perception to which shocks decay.
        threat_baseline: f64 = 0.40, unit "0-1 scale", range 0.0..=1.0;
        /// Conservatives' baseline threat minus progressives'.
        party_threat_gap: f64 = 0.10, unit "0-1 scale", range -0.5..=0.5;
        /// Half-life of a threat jump.
        threat_half_life_weeks: f64 = 8.0, unit "weeks", range 0.1..=520.0;
        /// Resting salience of history.
        salience_baseline: f64 = 0.10, unit "0-1 scale", range 0.0..=1.0;
        /// Half-life of a salience spike.
        salience_half_life_weeks: f64 = 4.0, unit "weeks", range 0.1..=520.0;
        /// Half-life of the grievance raised by a Japanese trigger.
        grievance_shock_half_life_weeks: f64 = 52.0, unit "weeks", range 0.1..=1040.0;
        /// Logit of support for security cooperation at baseline threat and zero grievance.
        support_intercept: f64 = 0.8, unit "logit", range -10.0..=10.0;
        /// Rise in support logit per unit of threat above baseline.
        support_threat_weight: f64 = 3.0, unit "logit per unit", range 0.0..=20.0;
        /// Fall in support logit per unit of grievance x (0.5 + salience).
        support_grievance_weight: f64 = 3.0, unit "logit per unit", range 0.0..=20.0;
        /// Spread of individual support intercepts.
        support_sd: f64 = 0.8, unit "logit", range 0.0..=5.0;
        /// Party cue at full politicisation: co-partisans follow the president's stance, opponents oppose it.
        party_cue: f64 = 1.0, unit "logit", range 0.0..=10.0;
        /// Resting approval of the president among co-partisans.
        approval_aligned: f64 = 0.85, unit "probability", range 0.0..=1.0;
        /// Resting approval among the other camp.
        approval_opposed: f64 = 0.15, unit "probability", range 0.0..=1.0;
        /// Resting approval among independents.
        approval_independent: f64 = 0.45, unit "probability", range 0.0..=1.0;
        /// Half-life of approval shocks (backlash, rally).
        approval_half_life_weeks: f64 = 26.0, unit "weeks", range 0.1..=520.0;
        /// Approval lost per unit of proposal activation x grievance.
        backlash: f64 = 0.1, unit "per unit", range 0.0..=5.0;
        /// Approval gained per unit of Japanese trigger x grievance (a dispute with Japan).
        rally: f64 = 0.06, unit "per unit", range 0.0..=5.0;
        /// Fall in resting approval per year in office.
        term_decay: f64 = 0.04, unit "per year", range 0.0..=0.5;
        /// A voter holds a good impression of Japan when grievance is below this.
        favourable_below: f64 = 0.45, unit "0-1 scale", range 0.0..=1.0;
        /// Logit of opposing the pact on the table at zero presence and grievance, baseline
        /// threat, approval 0.5, age 48.
        opposition_intercept: f64 = -0.4, unit "logit", range -10.0..=10.0;
        /// Rise in the opposition logit per unit of the pact's presence (ladder.presence) x
        /// grievance x (0.5 + pact salience): Japanese forces on the peninsula are feared as
        /// much as Japan is distrusted.
        opposition_presence: f64 = 4.0, unit "logit per unit", range 0.0..=40.0;
        /// Rise in the opposition logit per unit of grievance x (0.5 + pact salience).
        opposition_grievance: f64 = 1.0, unit "logit per unit", range 0.0..=20.0;
        /// Fall in the opposition logit per unit of threat above baseline.
        opposition_threat: f64 = 0.5, unit "logit per unit", range 0.0..=20.0;
        /// Fall in the opposition logit per unit of approval of the president above 0.5 (trust
        /// in the government proposing it).
        opposition_approval: f64 = 0.5, unit "logit per unit", range 0.0..=20.0;
        /// Fall in the opposition logit per year of age above 48 (older voters oppose a pact
        /// with Japan less).
        opposition_age: f64 = 0.03, unit "logit per year of age", range -0.2..=0.2;
        /// Half-life of the salience of the pact on the table once the executive stops
        /// pushing it.
        pact_salience_half_life_weeks: f64 = 8.0, unit "weeks", range 0.1..=520.0;
    }
}

/// Party bytes of the voters' state.
pub const PROGRESSIVE: u8 = 0;
pub const CONSERVATIVE: u8 = 1;
pub const INDEPENDENT: u8 = 2;

pub use crate::demography::ADULT_AGE;
/// Age at which a voter's grievance anchor has the mean `voters.grievance_mean`.
pub const REFERENCE_AGE: f64 = 48.0;

/// The voters' coefficients for a run: the section's values (`r.stubbornness`, ...), with
/// the weekly decay factor of each half-life.
#[derive(Clone, Copy, Debug)]
pub struct Rates {
    params: Params,
    pub threat_decay: f64,
    pub salience_decay: f64,
    pub approval_decay: f64,
    pub pact_salience_decay: f64,
}

impl Rates {
    pub fn new(v: &Params) -> Rates {
        let decay = crate::rng::decay;
        Rates {
            params: *v,
            threat_decay: decay(v.threat_half_life_weeks),
            salience_decay: decay(v.salience_half_life_weeks),
            approval_decay: decay(v.approval_half_life_weeks),
            pact_salience_decay: decay(v.pact_salience_half_life_weeks),
        }
    }
}

impl std::ops::Deref for Rates {
    type Target = Params;

    fn deref(&self) -> &Params {
        &self.params
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
        r.approval_aligned
    } else if alignment < 0.0 {
        r.approval_opposed
    } else {
        r.approval_independent
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
/// o = opposition_intercept + (opposition_presence × P + opposition_grievance) × g × (0.5 + s_P)
///     − opposition_threat × (θ − threat_baseline) − opposition_approval × (α − 0.5)
///     − opposition_age × (age − 48) − cue − b
///
/// Grievance g counts against the pact, the more so the further the pact lets Japanese
/// forces onto the peninsula (its presence P: forces feared as much as Japan is
/// distrusted) and the more salient it is (s_P); threat θ above
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
    /// By party byte (progressive, conservative, the rest): the intercept, the threat,
    /// approval and age references, less the camp's cue.
    pub camp: [f64; 3],
    /// (opposition_presence × P + opposition_grievance) × (0.5 + s_P).
    pub grievance_weight: f64,
}

impl PactWeek {
    /// The week's terms for a pact of presence `presence` and salience `salience` in
    /// calendar `year` (fractional), with each camp's cue `cue`.
    pub fn new(r: &Rates, presence: f64, salience: f64, year: f64, cue: [f64; 3]) -> PactWeek {
        let common = r.opposition_intercept + r.opposition_threat * r.threat_baseline + r.opposition_approval * 0.5
            - r.opposition_age * (year - REFERENCE_AGE);
        let grievance_weight = (r.opposition_presence * presence + r.opposition_grievance) * (0.5 + salience);
        PactWeek { camp: cue.map(|c| common - c), grievance_weight }
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
