//! The ROK president: political capital, and each week one decision.
//!
//! The decision weighs the strategic value of the next rung (threat, fear of abandonment,
//! the logistics gap it closes, ideology) against its expected domestic cost (controversy
//! x grievance and salience, damped by familiarity, sharpened by low support), weighed by
//! the chance the Assembly lets it through. A proposal must clear a bar set by
//! `risk_tolerance`; one just below the bar is floated as a trial balloon first. Ending an
//! agreement is weighed on the same terms. Washington's pressure makes ending an agreement
//! dearer, and its demands retreating; a public commitment (a proposal, a notice, a
//! signature) costs face to undo.

use rand::RngExt;
use std::cell::OnceCell;

use crate::calendar::{parse_date, Calendar, WEEKS_PER_YEAR};
use crate::legislature::{Assessment, Expectation, Legislature};
use crate::party::Party;
use crate::record::EventOutcome;
use crate::rng::{decay, normal, RunRng};
use crate::scenario::params;
use crate::voters::Aggregates;

params! {
    /// The `[executive]` section.
    pub struct Params {
        /// progressive, conservative or independent.
        party: Party = Party::Progressive, unit "choice";
        /// Pro-cooperation lean of the president (conservative > 0).
        ideology: f64 = -0.2, unit "-1..1", range -1.0..=1.0;
        /// Inauguration date of the sitting president.
        term_start: String = "2025-06-04".into(), unit "date";
        /// Length of a presidential term.
        term_years: u32 = 5, unit "years", range 1.0..=10.0;
        /// Lowers the bar a proposal's net value must clear: bar = hurdle x (1 - risk_tolerance).
        risk_tolerance: f64 = 0.5, unit "share", range 0.0..=1.0;
        /// Bar for a proposal at zero risk tolerance.
        hurdle: f64 = 0.97, unit "value", range 0.0..=5.0;
        /// Face lost by backing down from a public commitment (a retreat, a collapse, a suspended notice,
        /// ending one's own camp's agreement), per unit of the rung's controversy.
        audience_cost: f64 = 0.3, unit "value per controversy", range 0.0..=5.0;
        /// Net value this close below the bar floats a trial balloon instead.
        balloon_margin: f64 = 0.05, unit "value", range 0.0..=5.0;
        /// Strategic value per unit of mean threat above baseline.
        threat_weight: f64 = 1.0, unit "value per unit", range 0.0..=10.0;
        /// Cost of crossing Washington per unit of US pressure (ending an agreement) or of US demand, the
        /// pressure above the administration's resting level (retreating from or dropping a proposal).
        us_weight: f64 = 2.1, unit "value per unit", range 0.0..=10.0;
        /// Strategic value per unit of abandonment fear.
        abandonment_weight: f64 = 0.4, unit "value per unit", range 0.0..=10.0;
        /// Strategic value per unit of logistics gap closed.
        logistics_weight: f64 = 0.2, unit "value per unit", range 0.0..=10.0;
        /// Strategic value per unit of ideology.
        ideology_weight: f64 = 0.3, unit "value per unit", range 0.0..=10.0;
        /// Value of ending an agreement with Tokyo per unit of Japan's dispute with Seoul
        /// (reciprocity: hostility answered in kind).
        reciprocity_weight: f64 = 2.1, unit "value per unit", range 0.0..=10.0;
        /// Value of ending an agreement with Tokyo per unit of his own camp's mean support for
        /// security cooperation below one half (his base's wish).
        camp_weight: f64 = 1.5, unit "value per unit", range 0.0..=10.0;
        /// Weight of expected domestic cost: controversy x (grievance + salience) x (1 - damping x F)
        /// x (1.5 - support share).
        cost_weight: f64 = 2.16, unit "value per unit", range 0.0..=10.0;
        /// Value per unit of political capital above 0.5.
        capital_weight: f64 = 0.5, unit "value per unit", range 0.0..=10.0;
        /// Half-life of capital lost to retreats and collapses.
        damage_half_life_weeks: f64 = 26.0, unit "weeks", range 0.1..=1040.0;
        /// Weekly chance a fast-tracked (unannounced) proposal is exposed.
        exposure_rate: f64 = 0.9, unit "per week", range 0.0..=1.0;
        /// Share of the weekly exposure chance that a president who has not yet seen a secret of his
        /// exposed fails to count when he weighs the fast track.
        secrecy_overconfidence: f64 = 1.0, unit "share", range 0.0..=1.0;
        /// Share of the domestic cost and of capital as a cushion that a president at the end of a term
        /// that ends for good no longer weighs, and that his own lean gains, in proportion to how far into
        /// its last year he is.
        lame_duck_discount: f64 = 1.0, unit "share", range 0.0..=1.0;
        /// Activation multiplier when a secret proposal is exposed.
        secrecy_backlash: f64 = 2.0, unit "multiplier", range 1.0..=10.0;
        /// Spread of the weekly idiosyncratic term in the executive's judgement.
        decision_noise: f64 = 0.05, unit "value", range 0.0..=5.0;
    }
}

impl Params {
    /// The sitting president's office, as the section gives it.
    pub fn office(&self, calendar: &Calendar, repeat_terms: bool) -> Office {
        let term_start_day = parse_date(&self.term_start).unwrap_or(0);
        Office {
            party: self.party,
            ideology: self.ideology,
            term_start_week: calendar.weeks_to(term_start_day),
            term_years: self.term_years,
            repeat_terms,
        }
    }
}

/// Who holds office, and the clock of the term.
#[derive(Clone, Copy, Debug)]
pub struct Office {
    pub party: Party,
    /// Pro-cooperation lean, -1 to 1.
    pub ideology: f64,
    /// Week of the run in which the term began (negative: before the start).
    pub term_start_week: f64,
    pub term_years: u32,
    /// Without elections the term clock simply repeats with the same leader.
    pub repeat_terms: bool,
}

/// What the executive weighs from the other rooms' parameters.
#[derive(Clone, Copy, Debug)]
pub struct Stakes {
    /// Controversy of each rung (0 for none).
    pub controversy: [f64; 6],
    pub familiarity_damping: f64,
    /// Its voters' threat baseline, salience baseline and weekly salience decay.
    pub threat_baseline: f64,
    pub salience_baseline: f64,
    pub salience_decay: f64,
    pub consent_required: bool,
    pub mediation: f64,
}

impl Stakes {
    pub fn new(
        ladder: &crate::ladder::Params,
        voters: &crate::voters::Params,
        legislature: &crate::legislature::Params,
        mediation: f64,
    ) -> Stakes {
        Stakes {
            controversy: [0, 1, 2, 3, 4, 5].map(|r| ladder.controversy.get(r)),
            familiarity_damping: ladder.familiarity_damping,
            threat_baseline: voters.threat_baseline,
            salience_baseline: voters.salience_baseline,
            salience_decay: decay(voters.salience_half_life_weeks),
            consent_required: legislature.consent_required,
            mediation,
        }
    }
}

/// Weeks of notice before an agreement ends (90 days); it then ends at its anniversary.
/// A rule of the record: GSOMIA's article 21 (2016) renews it yearly unless either side
/// gives 90 days' notice.
pub const NOTICE_WEEKS: u32 = 13;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Posture {
    Idle,
    Balloon {
        rung: u8,
        since: u32,
    },
    Pending {
        rung: u8,
        since: u32,
        window: u32,
        secret: bool,
        exposed: bool,
    },
    /// A predecessor's proposal, shelved: neither pushed nor withdrawn.
    Frozen {
        rung: u8,
    },
    /// Notice given to end `rung` at week `expires`; `case` is the domestic case for
    /// ending it that the president made when he gave it (`Executive::case_for_ending`),
    /// less Tokyo's concessions since.
    Notice {
        rung: u8,
        expires: u32,
        case: f64,
    },
}

/// Publicity of a move, the share of a full announcement's activation it sends voters
/// (7.6.4): an announcement (a proposal's first week, a signing), a trial balloon, the
/// debate in a proposal's later weeks, a secret proposal not yet exposed.
const ANNOUNCED: f64 = 1.0;
const FLOATED: f64 = 0.5;
const DEBATED: f64 = 0.4;
const SECRET: f64 = 0.1;

/// How a pact would be put on the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Route {
    /// As it stands this week (a proposal already pending).
    Now,
    /// Announced: floated first or proposed openly.
    Open,
    /// Fast-tracked by the cabinet alone, secret until exposed.
    FastTrack,
}

/// How the Assembly would stand on the pact on the table by each way of putting it there,
/// at the salience that way gives it (`polity::Foresight`). Each is projected when the
/// president first weighs it (`Project`), and kept for the week.
pub struct Outlooks<'a> {
    project: &'a dyn Project,
    /// The president weighs a move on the pact; if not, every route is the pact as it stands.
    moves: bool,
    now: OnceCell<Expectation>,
    open: OnceCell<Expectation>,
    /// Fast-tracked: while it stays secret, and after it comes out.
    fast_track: OnceCell<[Expectation; 2]>,
}

/// Projects how the Assembly would stand on the pact on the table.
pub trait Project {
    /// At the pact's salience this week.
    fn now(&self) -> Expectation;
    /// After an open announcement.
    fn open(&self) -> Expectation;
    /// After an open announcement, fast-tracked while it stays secret, and after it comes
    /// out, in one projection.
    fn routes(&self) -> [Expectation; 3];
}

impl<'a> Outlooks<'a> {
    /// The outlooks by `project`; `moves`: the president weighs a move on the pact.
    pub fn new(project: &'a dyn Project, moves: bool) -> Outlooks<'a> {
        Outlooks { project, moves, now: OnceCell::new(), open: OnceCell::new(), fast_track: OnceCell::new() }
    }

    /// At the pact's salience this week.
    pub fn now(&self) -> Expectation {
        *self.now.get_or_init(|| self.project.now())
    }

    /// After an open announcement.
    pub fn open(&self) -> Expectation {
        *self.open.get_or_init(|| if self.moves { self.project.open() } else { self.now() })
    }

    /// Fast-tracked: while it stays secret, and after it comes out. The open route comes
    /// with them.
    pub fn fast_track(&self) -> [Expectation; 2] {
        *self.fast_track.get_or_init(|| {
            if !self.moves {
                return [self.now(); 2];
            }
            let [open, secret, exposed] = self.project.routes();
            self.open.get_or_init(|| open);
            [secret, exposed]
        })
    }
}

/// What the executive did this week (Hold and Continue are not logged).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    Hold,
    TrialBalloon(u8),
    BalloonWithdrawn(u8),
    Propose {
        rung: u8,
        secret: bool,
    },
    Exposed(u8),
    Continue,
    Retreat(u8),
    Collapse {
        rung: u8,
        reason: EventOutcome,
    },
    Sign(u8),
    Notice(u8),
    Suspend(u8),
    Terminate(u8),
    /// A new president's choice about a predecessor's pending proposal.
    Inherit {
        rung: u8,
        choice: EventOutcome,
    },
    /// A shelved proposal is taken up again.
    Resume(u8),
}

/// Everything the executive looks at this week.
pub struct Context<'a> {
    pub week: u32,
    pub agg: &'a Aggregates,
    /// This week's stances on the proposal (a revolt, a consent vote).
    pub assembly: Assessment,
    /// How the Assembly would stand on the pact on the table, over its members' noise,
    /// and how many adults would oppose it, by the route it is put there.
    pub outlook: Outlooks<'a>,
    pub us_pressure: f64,
    /// US pressure above the administration's resting level: an active demand.
    pub us_demand: f64,
    pub us_commitment: f64,
    pub japan_accepts: [bool; 6],
    pub diet_approves: bool,
    pub familiarity: f64,
    pub next_target: Option<u8>,
    pub terminable: Option<u8>,
    /// Share of the logistics gap each rung would close if signed.
    pub gap_closed: [f64; 6],
    /// Share of the logistics gap that losing each rung would open.
    pub gap_opened: [f64; 6],
    /// Proposal window of each rung, in weeks, given readiness.
    pub window: [u32; 6],
    /// Week in which a notice to end each rung, given now, would take effect.
    pub notice_expiry: [u32; 6],
    /// Tokyo's hostility toward Seoul (`Japan::hostility`), and how much of it Tokyo's
    /// conciliatory gestures removed this week.
    pub hostility: f64,
    pub concession: f64,
}

#[derive(Clone, Debug)]
pub struct Executive {
    pub party: Party,
    pub ideology: f64,
    pub posture: Posture,
    pub capital: f64,
    /// Capital lost to retreats and collapses; decays.
    pub damage: f64,
    /// The posture is a predecessor's, for the new president to decide on this week.
    inherited: bool,
    /// The camp whose president signed each agreement in force (None: before the run).
    signed_by: [Option<Party>; 6],
    /// A proposal ordered from outside the model (a what-if), made at the next decision.
    ordered: Option<u8>,
    /// A secret of his has come out in this term.
    seen_exposure: bool,
    term_start_week: f64,
    term_weeks: f64,
    /// Without elections the term clock simply repeats with the same president.
    repeat_terms: bool,
    damage_decay: f64,
    params: Params,
    controversy: [f64; 6],
    threat_baseline: f64,
    salience_baseline: f64,
    salience_decay: f64,
    familiarity_damping: f64,
    consent_required: bool,
    mediation: f64,
}

impl Executive {
    /// An executive deciding by the rules `p`, in `office`.
    pub fn new(p: &Params, office: Office, stakes: Stakes) -> Self {
        Executive {
            party: office.party,
            ideology: office.ideology,
            posture: Posture::Idle,
            capital: 0.5,
            damage: 0.0,
            inherited: false,
            signed_by: [None; 6],
            ordered: None,
            seen_exposure: false,
            term_start_week: office.term_start_week,
            term_weeks: office.term_years as f64 * WEEKS_PER_YEAR,
            repeat_terms: office.repeat_terms,
            damage_decay: decay(p.damage_half_life_weeks),
            params: p.clone(),
            controversy: stakes.controversy,
            threat_baseline: stakes.threat_baseline,
            salience_baseline: stakes.salience_baseline,
            salience_decay: stakes.salience_decay,
            familiarity_damping: stakes.familiarity_damping,
            consent_required: stakes.consent_required,
            mediation: stakes.mediation,
        }
    }

    /// Weeks into the current term (without elections, terms repeat on the calendar).
    pub fn weeks_in_term(&self, week: u32) -> f64 {
        let w = week as f64 - self.term_start_week;
        if self.repeat_terms {
            w.rem_euclid(self.term_weeks)
        } else {
            w.clamp(0.0, self.term_weeks)
        }
    }

    /// Week in which the current term ends and the next president is elected.
    pub fn term_end_week(&self) -> f64 {
        self.term_start_week + self.term_weeks
    }

    /// A newly elected president takes office with a fresh term and no damage; whatever
    /// the predecessor had under way is his to carry on, freeze or drop.
    pub fn inaugurate(&mut self, party: Party, ideology: f64, week: u32) {
        self.party = party;
        self.ideology = ideology;
        self.term_start_week = week as f64;
        self.damage = 0.0;
        self.seen_exposure = false;
        self.inherited = self.posture != Posture::Idle;
    }

    /// Honeymoon early in the term, lame duck in its last year.
    pub fn clock(&self, week: u32) -> (f64, f64) {
        let w = self.weeks_in_term(week);
        let honeymoon = 0.15 * crate::math::exp(-w / 26.0);
        (honeymoon, 0.15 * self.lame_duck(week))
    }

    /// How far into the last year of his single term the president is: 0 until 52 weeks
    /// before its end, rising to 1 at its end.
    pub fn lame_duck(&self, week: u32) -> f64 {
        (1.0 - (self.term_weeks - self.weeks_in_term(week)) / 52.0).max(0.0)
    }

    /// How far his camp still follows him: fully, then less and less over the last year of
    /// a term that ends for good (a single term, with elections), when his party looks to
    /// its next candidate rather than to him; not at all at its end. A leader whose terms
    /// repeat (no elections) keeps his camp.
    pub fn following(&self, week: u32) -> f64 {
        if self.repeat_terms {
            1.0
        } else {
            1.0 - self.lame_duck(week)
        }
    }

    /// The stance his camp hears (the party cue, 7.3.4): his stance, as far as it follows him.
    pub fn stance_heard(&self, week: u32) -> f64 {
        self.stance() * self.following(week)
    }

    /// Shift of voters' resting approval: honeymoon bonus, decay with years in office.
    pub fn approval_shift(&self, week: u32, term_decay: f64) -> f64 {
        let (honeymoon, _) = self.clock(week);
        honeymoon - term_decay * self.weeks_in_term(week) / WEEKS_PER_YEAR
    }

    /// Political capital from approval, seat share, the term clock and past defeats.
    pub fn update_capital(&mut self, week: u32, approval: f64, seat_share: f64) {
        self.damage *= self.damage_decay;
        // The honeymoon is already in approval (approval_shift); the lame duck is not.
        let (_, lame_duck) = self.clock(week);
        self.capital = (approval + 0.5 * (seat_share - 0.5) - lame_duck - self.damage).clamp(0.0, 1.0);
    }

    /// +1 while pushing cooperation, -1 while ending it, else the president's lean.
    pub fn stance(&self) -> f64 {
        match self.posture {
            Posture::Balloon { .. } | Posture::Pending { .. } => 1.0,
            Posture::Notice { .. } => -1.0,
            Posture::Idle | Posture::Frozen { .. } => self.ideology,
        }
    }

    /// Grievance activation the executive's posture sends to voters this week: an
    /// announcement is loud, a debate goes on, a secret is quiet until it is exposed.
    pub fn activation(&self, week: u32, familiarity: f64, us_pressure: f64) -> f64 {
        let (rung, publicity) = match self.posture {
            Posture::Balloon { rung, .. } => (rung, FLOATED),
            Posture::Pending { rung, since, secret, exposed, .. } => {
                let publicity = if secret && !exposed {
                    SECRET
                } else if week == since + 1 {
                    ANNOUNCED
                } else {
                    DEBATED
                };
                (rung, publicity)
            }
            _ => return 0.0,
        };
        self.announcement(rung, publicity, familiarity, us_pressure)
    }

    /// Grievance activation of making a move on `rung` public with this publicity (1 for
    /// an announcement, a signing among them): controversy, damped by familiarity and by
    /// US mediation.
    pub fn announcement(&self, rung: u8, publicity: f64, familiarity: f64, us_pressure: f64) -> f64 {
        self.controversy[rung as usize]
            * publicity
            * (1.0 - self.familiarity_damping * familiarity)
            * (1.0 - self.mediation * us_pressure)
    }

    /// Extra activation in the week a secret proposal comes out (procedural backlash).
    pub fn exposure_activation(&self, rung: u8, familiarity: f64, us_pressure: f64) -> f64 {
        self.announcement(rung, self.params.secrecy_backlash, familiarity, us_pressure)
    }

    /// The activation that putting `rung` on the table by each route would send voters, for
    /// the outlooks: an open announcement, a fast track while secret, and the week it is
    /// exposed.
    pub fn route_activations(&self, rung: u8, familiarity: f64, us_pressure: f64) -> [f64; 3] {
        [
            self.announcement(rung, ANNOUNCED, familiarity, us_pressure),
            self.announcement(rung, SECRET, familiarity, us_pressure),
            self.exposure_activation(rung, familiarity, us_pressure),
        ]
    }

    fn bar(&self) -> f64 {
        self.params.hurdle * (1.0 - self.params.risk_tolerance)
    }

    /// Strategic value of moving the logistics gap by `gap`. The threat counts in
    /// proportion to 1 + ideology: a conservative sees Tokyo as part of the answer to the
    /// North, a progressive looks first to engagement and to Washington. US pressure is
    /// not here: Washington's wish does not make a rung worth proposing by itself; its
    /// pressure makes crossing it dear (`ending_cost`, `dropping_cost`). His lean counts the
    /// more, the less he weighs his standing at home (`home_weight`).
    fn strategic(&self, ctx: &Context, gap: f64) -> f64 {
        let p = &self.params;
        p.threat_weight * (1.0 + self.ideology) * (ctx.agg.threat_mean - self.threat_baseline).max(0.0)
            + p.abandonment_weight * (1.0 - ctx.us_commitment)
            + p.logistics_weight * gap
            + p.ideology_weight * self.ideology * (2.0 - self.home_weight(ctx.week))
    }

    /// Expected domestic cost of pushing a rung now.
    fn domestic_cost(&self, ctx: &Context, rung: u8) -> f64 {
        self.cost_at(ctx, rung, ctx.agg.salience_mean)
    }

    /// How far the president still weighs his standing at home (the domestic cost of a move,
    /// and capital as a cushion): in full, then less over the last year of a term that ends
    /// for good, as his camp follows him less; he will not face the public again, and has no
    /// later agenda to spend his capital on. What he no longer gives his public he gives his
    /// own lean (`strategic`): end-of-term action follows the president's own preferences
    /// (Howell and Mayer 2005).
    fn home_weight(&self, week: u32) -> f64 {
        1.0 - self.params.lame_duck_discount * (1.0 - self.following(week))
    }

    /// Capital as a cushion, as far as he still weighs it.
    fn cushion(&self, week: u32) -> f64 {
        self.home_weight(week) * self.params.capital_weight * (self.capital - 0.5)
    }

    /// The domestic cost of `rung` with history this salient, as far as he still weighs it.
    fn cost_at(&self, ctx: &Context, rung: u8, salience: f64) -> f64 {
        let a = ctx.agg;
        self.home_weight(ctx.week)
            * self.params.cost_weight
            * self.controversy[rung as usize]
            * (a.grievance_mean + salience)
            * (1.0 - self.familiarity_damping * ctx.familiarity)
            * (1.5 - a.support_share)
    }

    /// The domestic cost that ending `rung` would spare: an agreement ends only at its
    /// expiry (`notice_expiry`), by when this week's salience above its baseline has faded
    /// at the voters' own rate; a spike of attention is no reason to end it.
    fn cost_spared(&self, ctx: &Context, rung: u8) -> f64 {
        let weeks = ctx.notice_expiry[rung as usize].saturating_sub(ctx.week) as f64;
        let excess = ctx.agg.salience_mean - self.salience_baseline;
        self.cost_at(ctx, rung, self.salience_baseline + excess * crate::math::powf(self.salience_decay, weeks))
    }

    /// The domestic case for ending `rung`: the cost it spares, his own camp's wish (the
    /// further its mean support for cooperation falls below one half, the more his base
    /// wants the agreement ended), Tokyo's hostility answered in kind (reciprocity: Keohane
    /// 1986), and capital as a cushion, as on a proposal.
    fn case_for_ending(&self, ctx: &Context, rung: u8) -> f64 {
        self.cost_spared(ctx, rung)
            + self.params.camp_weight * (0.5 - ctx.agg.party_support[self.party.index()])
            + self.params.reciprocity_weight * ctx.hostility
            + self.cushion(ctx.week)
    }

    /// Audience cost of backing down from a public commitment on `rung` (Fearon 1994).
    fn face(&self, rung: u8) -> f64 {
        self.params.audience_cost * self.controversy[rung as usize]
    }

    /// Cost of crossing Washington by ending an agreement in force: the trilateral framework
    /// is its standing interest, the more the harder it presses; and while it presses (an
    /// active demand: a public rebuke, linkage to other business) the demand is crossed as
    /// well, at the price of dropping a proposal it presses for.
    fn ending_cost(&self, ctx: &Context) -> f64 {
        self.params.us_weight * ctx.us_pressure + self.dropping_cost(ctx)
    }

    /// Cost of crossing Washington by dropping a proposal: only while it presses for one
    /// (an active demand); a proposal is Seoul's own initiative.
    fn dropping_cost(&self, ctx: &Context) -> f64 {
        self.params.us_weight * ctx.us_demand
    }

    /// Chance the Assembly sinks a proposal, by the legislative arithmetic
    /// (`Legislature::expect`): the ruling party's members, answering their districts'
    /// opposition to the pact, revolt, or the consent vote (where one is needed) fails.
    pub fn assembly_risk(&self, outlook: &Expectation) -> f64 {
        let consent = if self.consent_required { outlook.consent_risk } else { 0.0 };
        1.0 - (1.0 - outlook.revolt_risk) * (1.0 - consent)
    }

    /// Chance that a fast-tracked proposal of `rung` comes out before its window closes, as
    /// the president judges it: a president none of whose secrets has yet come out counts
    /// only part of the weekly chance.
    fn exposure_chance(&self, ctx: &Context, rung: u8) -> f64 {
        let weeks = fast_track_window(ctx.window[rung as usize]);
        1.0 - crate::math::powf(1.0 - self.exposure_belief(), weeks as f64)
    }

    /// The weekly chance of exposure the president counts on.
    fn exposure_belief(&self) -> f64 {
        let overconfidence = if self.seen_exposure { 0.0 } else { self.params.secrecy_overconfidence };
        self.params.exposure_rate * (1.0 - overconfidence)
    }

    /// Chance the Assembly sinks `rung` put on the table by `route`, at the salience that
    /// route gives it: a fast track is weighed as secret or exposed by the chance it
    /// comes out.
    fn route_risk(&self, ctx: &Context, rung: u8, route: Route) -> f64 {
        let o = &ctx.outlook;
        match route {
            Route::Now => self.assembly_risk(&o.now()),
            Route::Open => self.assembly_risk(&o.open()),
            Route::FastTrack => {
                let q = self.exposure_chance(ctx, rung);
                let [secret, exposed] = o.fast_track();
                (1.0 - q) * self.assembly_risk(&secret) + q * self.assembly_risk(&exposed)
            }
        }
    }

    /// Value of pushing `rung` by `route`: if the Assembly lets it through, its strategic
    /// value less its expected domestic cost, with capital as a cushion; if not, lost face.
    pub fn value(&self, ctx: &Context, rung: u8, route: Route) -> f64 {
        let net =
            self.strategic(ctx, ctx.gap_closed[rung as usize]) - self.domestic_cost(ctx, rung) + self.cushion(ctx.week);
        let risk = self.route_risk(ctx, rung, route);
        (1.0 - risk) * net - risk * self.face(rung)
    }

    /// The route for a proposal of `rung`: without a consent vote, the cabinet alone may
    /// fast-track it, and does when that is worth more than announcing it, that is when an
    /// announcement would stir enough opposition to the pact for the Assembly to sink it
    /// and secrecy, while it lasts, would not.
    fn route(&self, ctx: &Context, rung: u8) -> Route {
        if !self.consent_required && self.value(ctx, rung, Route::FastTrack) > self.value(ctx, rung, Route::Open) {
            Route::FastTrack
        } else {
            Route::Open
        }
    }

    /// Value of keeping an agreement in force rather than ending it: what losing it would
    /// cost in strategy and with Washington, less the domestic `case` for ending it.
    fn keep_value(&self, ctx: &Context, rung: u8, case: f64) -> f64 {
        self.strategic(ctx, ctx.gap_opened[rung as usize]) - case + self.ending_cost(ctx)
    }

    /// Face lost by ending an agreement his own camp signed.
    fn own_signature(&self, rung: u8) -> f64 {
        if self.signed_by[rung as usize] == Some(self.party) {
            self.face(rung)
        } else {
            0.0
        }
    }

    /// The week's decision. Costs land on capital here; the world applies the rest.
    pub fn decide(&mut self, ctx: &Context, rng: &mut RunRng) -> Action {
        let noise = self.params.decision_noise * normal(rng);
        let bar = self.bar();
        let week = ctx.week;
        let inherited = std::mem::take(&mut self.inherited);
        if let Some(r) = self.ordered.take() {
            self.propose(r, week, false, ctx);
            return Action::Propose { rung: r, secret: false };
        }
        match self.posture {
            Posture::Idle => {
                // Ending an agreement is weighed like anything else: worth more than keeping
                // it by the bar, counting the face of undoing his own camp's signature.
                if let Some(r) = ctx.terminable {
                    let case = self.case_for_ending(ctx, r);
                    if -self.keep_value(ctx, r, case) - self.own_signature(r) + noise > bar {
                        self.posture = Posture::Notice { rung: r, expires: ctx.notice_expiry[r as usize], case };
                        return Action::Notice(r);
                    }
                }
                // Two-level game: nothing is floated that Tokyo would turn down.
                let Some(r) = ctx.next_target.filter(|&r| ctx.japan_accepts[r as usize]) else {
                    return Action::Hold;
                };
                let route = self.route(ctx, r);
                if self.value(ctx, r, route) + noise > bar {
                    let secret = route == Route::FastTrack;
                    self.propose(r, week, secret, ctx);
                    Action::Propose { rung: r, secret }
                } else if self.value(ctx, r, Route::Open) + noise > bar - self.params.balloon_margin {
                    self.posture = Posture::Balloon { rung: r, since: week };
                    Action::TrialBalloon(r)
                } else {
                    Action::Hold
                }
            }
            Posture::Balloon { rung, .. } => {
                // The public reaction is now in the aggregates: the balloon stays up while the
                // value stays within the margin, becomes a proposal above the bar, and comes
                // down below the margin or when Tokyo turns it down.
                let v = self.value(ctx, rung, Route::Open) + noise;
                let accepted = ctx.japan_accepts[rung as usize];
                if accepted && v > bar {
                    self.propose(rung, week, false, ctx);
                    Action::Propose { rung, secret: false }
                } else if !accepted || v <= bar - self.params.balloon_margin {
                    self.posture = Posture::Idle;
                    Action::BalloonWithdrawn(rung)
                } else {
                    Action::Continue
                }
            }
            Posture::Frozen { rung } => {
                let v = self.value(ctx, rung, Route::Open) + noise;
                if ctx.japan_accepts[rung as usize] && v > bar {
                    self.propose(rung, week, false, ctx);
                    Action::Resume(rung)
                } else if v < -self.dropping_cost(ctx) {
                    self.posture = Posture::Idle;
                    Action::Inherit { rung, choice: EventOutcome::Dropped }
                } else {
                    Action::Continue
                }
            }
            Posture::Pending { rung, since, window, secret, exposed } => {
                // A revolt in the governing party postpones the pact whoever holds office.
                if ctx.assembly.revolt {
                    self.fail(rung, 1.0);
                    return Action::Collapse { rung, reason: EventOutcome::PostponedByRulingParty };
                }
                if inherited {
                    // Not his commitment: he carries it on if it clears his bar, drops it if
                    // it is worth less than crossing Washington, and otherwise shelves it.
                    let v = self.value(ctx, rung, Route::Now) + noise;
                    let choice = if v > bar {
                        EventOutcome::CarriedOn
                    } else if v < -self.dropping_cost(ctx) {
                        self.posture = Posture::Idle;
                        EventOutcome::Dropped
                    } else {
                        self.posture = Posture::Frozen { rung };
                        EventOutcome::Frozen
                    };
                    return Action::Inherit { rung, choice };
                }
                if secret && !exposed && rng.random::<f64>() < self.params.exposure_rate {
                    self.posture = Posture::Pending { rung, since, window, secret, exposed: true };
                    self.seen_exposure = true;
                    return Action::Exposed(rung);
                }
                // Retreating costs face (half, for a proposal still secret) and crosses
                // Washington; continuing costs the domestic price.
                let share = if secret && !exposed { 0.5 } else { 1.0 };
                if self.value(ctx, rung, Route::Now) + noise < -(share * self.face(rung) + self.dropping_cost(ctx)) {
                    self.fail(rung, share);
                    return Action::Retreat(rung);
                }
                if week < since + window {
                    return Action::Continue;
                }
                let reason = if !ctx.japan_accepts[rung as usize] {
                    Some(EventOutcome::JapanDeclined)
                } else if self.consent_required && !Legislature::consents(&ctx.assembly) {
                    Some(EventOutcome::ConsentVoteFailed)
                } else if rung >= crate::ladder::ACSA_CONDITIONAL && !ctx.diet_approves {
                    Some(EventOutcome::DietRejected)
                } else {
                    None
                };
                if let Some(reason) = reason {
                    self.fail(rung, 0.5);
                    return Action::Collapse { rung, reason };
                }
                self.posture = Posture::Idle;
                self.signed_by[rung as usize] = Some(self.party);
                Action::Sign(rung)
            }
            Posture::Notice { rung, expires, case } => {
                // A notice is a public commitment to the domestic case the president made:
                // he weighs the agreement against that case as it was when he gave notice,
                // so fading anger does not reopen the question. What comes from outside
                // does: a security shock or fear of abandonment (the strategic terms),
                // Washington's pressure, and a concession from Tokyo, which lowers the case
                // for good. Withdrawing it costs face, less the cover a US demand gives. A
                // predecessor's notice is not his: he weighs it on today's case and without
                // face, and adopts it if he lets it stand.
                let (case, face) = if inherited {
                    (self.case_for_ending(ctx, rung), 0.0)
                } else {
                    let case = case - self.params.reciprocity_weight * ctx.concession;
                    (case, self.face(rung) * (1.0 - self.mediation * ctx.us_demand).max(0.0))
                };
                self.posture = Posture::Notice { rung, expires, case };
                if self.keep_value(ctx, rung, case) + noise > face {
                    // By suspending it he makes the agreement his own: ending it later
                    // would reverse his own act.
                    self.posture = Posture::Idle;
                    self.signed_by[rung as usize] = Some(self.party);
                    self.damage += face;
                    self.capital = (self.capital - face).max(0.0);
                    return Action::Suspend(rung);
                }
                if week >= expires {
                    self.posture = Posture::Idle;
                    self.signed_by[rung as usize] = None;
                    return Action::Terminate(rung);
                }
                Action::Continue
            }
        }
    }

    /// Order an open proposal of `rung` at the next decision, whatever its value and the
    /// it then runs its course like any other. Refused while a proposal or a
    /// termination notice is pending.
    pub fn order_proposal(&mut self, rung: u8) -> std::result::Result<(), String> {
        match self.posture {
            Posture::Pending { rung: r, .. } => {
                Err(format!("a proposal of rung {r} is pending; wait until it is signed or fails"))
            }
            Posture::Notice { rung: r, .. } => Err(format!("a termination notice on rung {r} is pending")),
            Posture::Idle | Posture::Balloon { .. } | Posture::Frozen { .. } => match self.ordered {
                Some(r) => Err(format!("a proposal of rung {r} is already ordered for this week")),
                None => {
                    self.ordered = Some(rung);
                    Ok(())
                }
            },
        }
    }

    fn propose(&mut self, rung: u8, week: u32, secret: bool, ctx: &Context) {
        let window = if secret { fast_track_window(ctx.window[rung as usize]) } else { ctx.window[rung as usize] };
        self.posture = Posture::Pending { rung, since: week, window, secret, exposed: false };
    }

    /// A retreat or collapse: the audience cost lands on capital.
    fn fail(&mut self, rung: u8, share: f64) {
        self.damage += share * self.face(rung);
        self.capital = (self.capital - share * self.face(rung)).max(0.0);
        self.posture = Posture::Idle;
    }
}

/// The cabinet-only fast track halves the drafting window (at least a week).
fn fast_track_window(window: u32) -> u32 {
    (window / 2).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::run_rng;

    /// Outlooks known in advance: now, open, secret, exposed.
    impl Project for [Expectation; 4] {
        fn now(&self) -> Expectation {
            self[0]
        }
        fn open(&self) -> Expectation {
            self[1]
        }
        fn routes(&self) -> [Expectation; 3] {
            [self[1], self[2], self[3]]
        }
    }

    /// A calm Assembly, whatever the route.
    const CALM: Expectation =
        Expectation { governing_opposed: 0.1, revolt_risk: 0.0, consent_margin: 30.0, consent_risk: 0.0 };

    fn agg(threat: f64, grievance: f64, salience: f64, support_share: f64) -> Aggregates {
        Aggregates {
            threat_mean: threat,
            grievance_mean: grievance,
            salience_mean: salience,
            support_share,
            approval: 0.5,
            party_support: [0.5; 3],
            ..Default::default()
        }
    }

    fn ctx<'a>(week: u32, a: &'a Aggregates) -> Context<'a> {
        Context {
            week,
            agg: a,
            assembly: Assessment {
                support: 0.6,
                yes_votes: 180,
                governing_opposed: 0.1,
                revolt_risk: 0.0,
                revolt: false,
            },
            outlook: Outlooks::new(&[CALM; 4], true),
            us_pressure: 0.5,
            us_demand: 0.0,
            us_commitment: 0.7,
            japan_accepts: [true; 6],
            diet_approves: true,
            familiarity: 0.0,
            next_target: Some(4),
            terminable: Some(3),
            gap_closed: [0.0, 0.0, 0.0, 0.0, 0.6, 1.0],
            gap_opened: [0.0; 6],
            window: [4; 6],
            notice_expiry: [13; 6],
            hostility: 0.0,
            concession: 0.0,
        }
    }

    /// A president without noise, with the levers these tests are written for (they do
    /// not follow the calibrated defaults).
    fn quiet_exec() -> Executive {
        let mut sc = crate::scenario::Scenario::default();
        sc.executive.decision_noise = 0.0;
        sc.executive.risk_tolerance = 0.8;
        sc.executive.cost_weight = 1.0;
        sc.executive.hurdle = 1.0;
        sc.executive.balloon_margin = 0.18;
        sc.executive.exposure_rate = 0.3;
        sc.executive.secrecy_overconfidence = 0.0;
        sc.executive.lame_duck_discount = 0.0;
        sc.executive.us_weight = 1.0;
        sc.executive.ideology = 0.0;
        sc.ladder.controversy.acsa_conditional = 0.65;
        let office = sc.executive.office(&sc.calendar(), false);
        let stakes = Stakes::new(&sc.ladder, &sc.voters, &sc.legislature, sc.us.mediation);
        let mut e = Executive::new(&sc.executive, office, stakes);
        e.capital = 0.5;
        e
    }

    #[test]
    fn threat_moves_the_executive_to_propose() {
        let mut rng = run_rng(&[0; 32]);
        let calm = agg(0.4, 0.55, 0.1, 0.5);
        let mut e = quiet_exec();
        assert_eq!(e.decide(&ctx(0, &calm), &mut rng), Action::Hold);
        let scared = agg(0.8, 0.55, 0.1, 0.5);
        let mut e = quiet_exec();
        assert!(matches!(e.decide(&ctx(0, &scared), &mut rng), Action::Propose { rung: 4, .. }));
    }

    #[test]
    fn a_conservative_answers_threat_with_cooperation_a_progressive_does_not() {
        let mut rng = run_rng(&[0; 32]);
        let scared = agg(0.7, 0.55, 0.1, 0.9);
        let mut hawk = quiet_exec();
        hawk.ideology = 0.5;
        let mut dove = quiet_exec();
        dove.ideology = -0.5;
        assert!(hawk.value(&ctx(0, &scared), 4, Route::Open) > dove.value(&ctx(0, &scared), 4, Route::Open) + 0.3);
        assert!(matches!(hawk.decide(&ctx(0, &scared), &mut rng), Action::Propose { rung: 4, .. }));
        assert!(!matches!(dove.decide(&ctx(0, &scared), &mut rng), Action::Propose { .. }));
    }

    #[test]
    fn retreat_costs_capital_and_washington_makes_it_dearer() {
        let mut rng = run_rng(&[0; 32]);
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let backlash = agg(0.4, 0.7, 0.9, 0.2);
        let mut e = quiet_exec();
        assert!(matches!(e.decide(&ctx(0, &scared), &mut rng), Action::Propose { rung: 4, secret: false }));
        let before = e.capital;
        assert_eq!(e.decide(&ctx(1, &backlash), &mut rng), Action::Retreat(4));
        assert!(e.capital < before && e.damage > 0.0);
        // No fixed wait: the next week's value decides, and damage has lowered it.
        let mut again = quiet_exec();
        again.damage = e.damage;
        again.update_capital(2, 0.5, 0.5);
        assert!(again.value(&ctx(2, &scared), 4, Route::Open) < quiet_exec().value(&ctx(2, &scared), 4, Route::Open));
        // The same backlash under strong US pressure: the president stays the course.
        let mut e = quiet_exec();
        e.decide(&ctx(0, &scared), &mut rng);
        let mut pressed = ctx(1, &backlash);
        pressed.us_pressure = 1.0;
        pressed.us_demand = 1.0;
        assert_eq!(e.decide(&pressed, &mut rng), Action::Continue);
    }

    #[test]
    fn us_pressure_alone_does_not_make_a_rung_worth_proposing() {
        let calm = agg(0.4, 0.55, 0.1, 0.5);
        let e = quiet_exec();
        let (mut low, mut high) = (ctx(0, &calm), ctx(0, &calm));
        low.us_pressure = 0.0;
        high.us_pressure = 1.0;
        high.us_demand = 0.5;
        assert_eq!(e.value(&low, 4, Route::Open), e.value(&high, 4, Route::Open));
    }

    #[test]
    fn the_legislative_arithmetic_weighs_on_a_proposal_before_any_revolt() {
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let at = |revolt_risk: f64, consent_risk: f64, consent_required: bool| {
            let mut e = quiet_exec();
            e.consent_required = consent_required;
            let routes = [CALM, Expectation { revolt_risk, consent_risk, ..CALM }, CALM, CALM];
            let mut c = ctx(0, &scared);
            c.outlook = Outlooks::new(&routes, true);
            e.value(&c, 4, Route::Open)
        };
        let safe = at(0.0, 0.0, false);
        assert!(safe > 0.0);
        assert!(at(0.1, 0.0, false) < safe, "a revolt that may happen already costs");
        assert!(at(0.5, 0.0, false) < 0.6 * safe, "a coin-flip revolt halves what the proposal is worth");
        // The consent vote counts only where one is needed.
        assert_eq!(at(0.0, 0.5, false), safe);
        assert!(at(0.0, 0.5, true) < 0.6 * safe);
        // A proposal sure to fail is worth the face it would lose.
        let e = quiet_exec();
        assert!((at(1.0, 0.0, false) + e.face(4)).abs() < 1e-12);
    }

    #[test]
    fn revolt_collapses_a_pending_proposal() {
        let mut rng = run_rng(&[0; 32]);
        let mut e = quiet_exec();
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        e.decide(&ctx(0, &scared), &mut rng);
        let mut c = ctx(1, &scared);
        c.assembly.revolt = true;
        assert_eq!(e.decide(&c, &mut rng), Action::Collapse { rung: 4, reason: EventOutcome::PostponedByRulingParty });
    }

    #[test]
    fn signs_at_window_end_only_inside_both_win_sets() {
        let mut rng = run_rng(&[0; 32]);
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let mut e = quiet_exec();
        e.decide(&ctx(0, &scared), &mut rng);
        for w in 1..4 {
            assert_eq!(e.decide(&ctx(w, &scared), &mut rng), Action::Continue);
        }
        let mut c = ctx(4, &scared);
        c.japan_accepts[4] = false;
        assert_eq!(e.decide(&c, &mut rng), Action::Collapse { rung: 4, reason: EventOutcome::JapanDeclined });
        let mut e = quiet_exec();
        e.decide(&ctx(0, &scared), &mut rng);
        assert_eq!(e.decide(&ctx(4, &scared), &mut rng), Action::Sign(4));
    }

    #[test]
    fn a_pact_whose_announcement_would_provoke_a_revolt_goes_by_fast_track() {
        let scared = agg(0.9, 0.55, 0.1, 0.6);
        let propose = |open_risk: f64, consent_required: bool| {
            let mut e = quiet_exec();
            e.consent_required = consent_required;
            let open = Expectation { revolt_risk: open_risk, ..CALM };
            let routes = [CALM, open, CALM, open];
            let mut c = ctx(0, &scared);
            c.outlook = Outlooks::new(&routes, true);
            (e.decide(&c, &mut run_rng(&[0; 32])), e.posture)
        };
        // Announced, the ruling party would likely revolt; secret, it would not (while the
        // secret lasts): the cabinet fast-tracks it, on half the window.
        let (action, posture) = propose(0.4, false);
        assert_eq!(action, Action::Propose { rung: 4, secret: true });
        assert!(matches!(posture, Posture::Pending { window: 2, .. }));
        // No revolt either way: proposed openly. A consent vote to win: no fast track, and
        // announced it is worth too little to propose, so it is only floated.
        assert_eq!(propose(0.0, false).0, Action::Propose { rung: 4, secret: false });
        assert_eq!(propose(0.4, true).0, Action::TrialBalloon(4));
    }

    #[test]
    fn a_proposal_is_weighed_at_the_revolt_its_route_would_provoke() {
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let e = quiet_exec();
        // Quiet this week; announced, the ruling party would revolt; kept secret it would
        // not, and exposed it would.
        let open = Expectation { revolt_risk: 0.9, ..CALM };
        let routes = [CALM, open, CALM, open];
        let mut c = ctx(0, &scared);
        c.outlook = Outlooks::new(&routes, true);
        let calm = e.value(&ctx(0, &scared), 4, Route::Open);
        let open = e.value(&c, 4, Route::Open);
        let fast = e.value(&c, 4, Route::FastTrack);
        assert_eq!(e.value(&c, 4, Route::Now), calm, "this week's salience is not the announced one");
        assert!(open < 0.0 && calm > e.bar(), "{open} {calm}");
        // The fast track is worth the secret value as long as it stays secret: with a
        // two-week window and exposure at 0.3 a week, about half the time.
        let q = 1.0 - (1.0 - e.params.exposure_rate).powi(2);
        assert!((fast - ((1.0 - q) * calm + q * open)).abs() < 1e-9, "{fast}");
        assert!(open < fast && fast < calm);
    }

    #[test]
    fn a_president_who_has_seen_no_secret_come_out_counts_on_the_next_one_holding() {
        let scared = agg(0.9, 0.55, 0.1, 0.6);
        let mut e = quiet_exec();
        e.params.secrecy_overconfidence = 1.0;
        e.params.exposure_rate = 1.0;
        let open = Expectation { revolt_risk: 0.9, ..CALM };
        let routes = [CALM, open, CALM, open];
        let mut c = ctx(0, &scared);
        c.outlook = Outlooks::new(&routes, true);
        // He counts on the secret holding: the fast track is worth what a secret pact is.
        assert_eq!(e.exposure_chance(&c, 4), 0.0);
        assert_eq!(e.value(&c, 4, Route::FastTrack), e.value(&ctx(0, &scared), 4, Route::Now));
        let mut rng = run_rng(&[0; 32]);
        assert_eq!(e.decide(&c, &mut rng), Action::Propose { rung: 4, secret: true });
        // It comes out (the true weekly chance is 1): from then on he counts the true chance.
        assert_eq!(e.decide(&ctx(1, &scared), &mut rng), Action::Exposed(4));
        assert_eq!(e.exposure_chance(&c, 4), 1.0);
        let fast = e.value(&c, 4, Route::FastTrack);
        assert!((fast - e.value(&c, 4, Route::Open)).abs() < 1e-12, "{fast}");
        // A new president has not learnt it.
        e.inaugurate(Party::Conservative, 0.5, 2);
        assert_eq!(e.exposure_chance(&c, 4), 0.0);
        // Without overconfidence the chance counted is the true one whatever he has seen.
        let mut plain = quiet_exec();
        plain.params.exposure_rate = 1.0;
        assert_eq!(plain.exposure_chance(&c, 4), 1.0);
    }

    #[test]
    fn a_lame_duck_weighs_his_standing_at_home_less_and_less() {
        let angry = agg(0.6, 0.7, 0.5, 0.4);
        let mut e = quiet_exec();
        e.capital = 0.2;
        let end = e.term_end_week();
        let week = |weeks_left: f64| (end - weeks_left) as u32;
        let at = |e: &Executive, weeks_left: f64| {
            let c = ctx(week(weeks_left), &angry);
            (e.domestic_cost(&c, 4), e.value(&c, 4, Route::Now))
        };
        // Without the discount the term clock does not enter the value of a proposal.
        assert_eq!(at(&e, 80.0), at(&e, 1.0));
        e.params.lame_duck_discount = 1.0;
        let (cost, value) = at(&e, 80.0);
        assert_eq!(e.home_weight(week(80.0)), 1.0, "before the last year he weighs it in full");
        assert!((e.home_weight(week(26.0)) - 0.5).abs() < 0.03);
        let (late_cost, late_value) = at(&e, 1.0);
        assert!(late_cost < 0.05 * cost, "{late_cost} {cost}");
        // His own lean counts the more, the less he weighs home: nearly twice in his last week.
        let mut leaning = e.clone();
        leaning.ideology = 0.5;
        let strategic = |x: &Executive, weeks_left: f64| x.strategic(&ctx(week(weeks_left), &angry), 0.6);
        let gain = strategic(&leaning, 1.0) - strategic(&leaning, 80.0);
        assert!((strategic(&e, 1.0) - strategic(&e, 80.0)).abs() < 1e-12, "without a lean the clock adds nothing");
        let late = leaning.params.ideology_weight * 0.5 * (1.0 - leaning.home_weight(week(1.0)));
        assert!((gain - late).abs() < 1e-12 && late > 0.95 * leaning.params.ideology_weight * 0.5, "{gain} {late}");
        // Nor does his low capital hold him back: the cost and the cushion fade together.
        let strategic = e.strategic(&ctx(week(1.0), &angry), 0.6);
        assert!(late_value > value && (late_value - strategic).abs() < 0.05, "{late_value} {value} {strategic}");
        // A leader whose terms repeat faces the public again.
        let sc = crate::scenario::Scenario::default();
        let stakes = Stakes::new(&sc.ladder, &sc.voters, &sc.legislature, sc.us.mediation);
        let mut again = Executive::new(&sc.executive, sc.executive.office(&sc.calendar(), true), stakes);
        again.params.lame_duck_discount = 1.0;
        assert_eq!(again.home_weight(week(1.0)), 1.0);
    }

    #[test]
    fn does_not_propose_what_japan_would_refuse() {
        let mut rng = run_rng(&[0; 32]);
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let mut c = ctx(0, &scared);
        c.japan_accepts[4] = false;
        assert_eq!(quiet_exec().decide(&c, &mut rng), Action::Hold);
    }

    #[test]
    fn a_balloon_stays_up_while_its_value_holds() {
        let mut rng = run_rng(&[0; 32]);
        let mut e = quiet_exec();
        e.posture = Posture::Balloon { rung: 4, since: 0 };
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let bar = e.bar();
        // Find a threat that puts the value just under the bar: the balloon stays up.
        let threat = (0..200).map(|k| 0.4 + k as f64 * 0.002).find(|&t| {
            let a = agg(t, 0.55, 0.1, 0.9);
            e.value(&ctx(1, &a), 4, Route::Open) > bar - 0.5 * e.params.balloon_margin
        });
        let near = agg(threat.unwrap(), 0.55, 0.1, 0.9);
        assert!(e.value(&ctx(1, &near), 4, Route::Open) < bar);
        assert_eq!(e.decide(&ctx(1, &near), &mut rng), Action::Continue);
        let angry = agg(0.4, 0.8, 0.8, 0.3);
        assert_eq!(e.decide(&ctx(2, &angry), &mut rng), Action::BalloonWithdrawn(4));
        e.posture = Posture::Balloon { rung: 4, since: 3 };
        assert_eq!(e.decide(&ctx(3, &scared), &mut rng), Action::Propose { rung: 4, secret: false });
    }

    #[test]
    fn a_balloon_is_withdrawn_if_japan_turns_it_down() {
        let mut rng = run_rng(&[0; 32]);
        let mut e = quiet_exec();
        e.posture = Posture::Balloon { rung: 4, since: 0 };
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let mut c = ctx(1, &scared);
        c.japan_accepts[4] = false;
        assert_eq!(e.decide(&c, &mut rng), Action::BalloonWithdrawn(4));
    }

    #[test]
    fn notice_is_given_when_ending_is_worth_more_whatever_the_lean() {
        let angry = agg(0.35, 0.9, 0.9, 0.1);
        let mut c = ctx(0, &angry);
        c.next_target = None;
        c.us_pressure = 0.0;
        for lean in [-0.2, 0.2] {
            let mut e = quiet_exec();
            e.ideology = lean;
            assert_eq!(e.decide(&c, &mut run_rng(&[0; 32])), Action::Notice(3), "lean {lean}");
            assert_eq!(e.stance(), -1.0);
        }
        // Under US pressure the same anger is not worth crossing Washington for.
        c.us_pressure = 1.0;
        assert_eq!(quiet_exec().decide(&c, &mut run_rng(&[0; 32])), Action::Hold);
    }

    #[test]
    fn a_president_rarely_ends_his_own_camps_signature() {
        let mut rng = run_rng(&[0; 32]);
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let mut e = quiet_exec();
        e.decide(&ctx(0, &scared), &mut rng);
        assert_eq!(e.decide(&ctx(4, &scared), &mut rng), Action::Sign(4));
        // Anger just enough to end an agreement he did not sign ...
        let other = quiet_exec();
        let ending = |a: &Aggregates| {
            let mut c = ctx(5, a);
            c.next_target = None;
            c.terminable = Some(4);
            -other.keep_value(&c, 4, other.case_for_ending(&c, 4))
        };
        let grievance =
            (0..400).map(|k| 0.3 + k as f64 * 0.002).find(|&g| ending(&agg(0.35, g, 0.3, 0.4)) > other.bar());
        let angry = agg(0.35, grievance.unwrap() + 0.01, 0.3, 0.4);
        assert!(ending(&angry) < other.bar() + other.face(4));
        let mut c = ctx(5, &angry);
        c.next_target = None;
        c.terminable = Some(4);
        // ... is not enough to end his own; a successor of the other camp ends it.
        assert_eq!(e.decide(&c, &mut rng), Action::Hold);
        e.inaugurate(Party::Conservative, 0.0, 6);
        assert_eq!(e.decide(&c, &mut rng), Action::Notice(4));
    }

    /// A context with GSOMIA in force and nothing to propose.
    fn ending_ctx(a: &Aggregates, week: u32) -> Context<'_> {
        let mut c = ctx(week, a);
        c.next_target = None;
        c
    }

    #[test]
    fn a_spike_of_attention_is_no_reason_to_end_an_agreement() {
        // The same grievance, at resting salience and in a week of peak attention: the
        // spike has faded by the time the agreement would end, so the case barely moves.
        let calm = agg(0.35, 0.6, 0.1, 0.4);
        let spike = agg(0.35, 0.6, 0.95, 0.4);
        let e = quiet_exec();
        let case = |a: &Aggregates| e.case_for_ending(&ending_ctx(a, 0), 3);
        let proposal_cost = |a: &Aggregates| e.domestic_cost(&ending_ctx(a, 0), 3);
        assert!(proposal_cost(&spike) > 2.0 * proposal_cost(&calm), "a proposal pays the spike now");
        assert!(case(&spike) - case(&calm) < 0.15 * (proposal_cost(&spike) - proposal_cost(&calm)));
        assert_eq!(quiet_exec().decide(&ending_ctx(&spike, 0), &mut run_rng(&[0; 32])), Action::Hold);
    }

    #[test]
    fn tokyo_hostility_is_answered_in_kind_and_a_concession_withdraws_the_notice() {
        let calm = agg(0.35, 0.6, 0.1, 0.4);
        let hostile = |h: f64, concession: f64, week: u32| {
            let mut c = ending_ctx(&calm, week);
            c.hostility = h;
            c.concession = concession;
            c
        };
        let mut rng = run_rng(&[0; 32]);
        assert_eq!(quiet_exec().decide(&hostile(0.0, 0.0, 0), &mut rng), Action::Hold);
        let notice = || {
            let mut e = quiet_exec();
            assert_eq!(e.decide(&hostile(0.3, 0.0, 0), &mut run_rng(&[0; 32])), Action::Notice(3));
            e
        };
        // Tokyo's hostility fades: the notice stands and the agreement ends.
        let mut e = notice();
        let fate = (1..=13).map(|w| e.decide(&hostile(0.0, 0.0, w), &mut rng)).find(|a| *a != Action::Continue);
        assert_eq!(fate, Some(Action::Terminate(3)));
        // Tokyo concedes what its hostility had built: the notice is withdrawn.
        let mut e = notice();
        assert_eq!(e.decide(&hostile(0.0, 0.3, 1), &mut rng), Action::Suspend(3));
        // Having kept it, he owns it: the same hostility again is not enough to end it.
        assert_eq!(e.decide(&hostile(0.3, 0.0, 2), &mut rng), Action::Hold);
    }

    #[test]
    fn fading_anger_alone_does_not_suspend_a_notice_washington_does() {
        let angry = agg(0.35, 0.8, 0.6, 0.3);
        let calm = agg(0.35, 0.5, 0.1, 0.5);
        let run = |pressure: f64| {
            let mut rng = run_rng(&[8; 32]);
            let mut e = quiet_exec();
            let mut c = ctx(0, &angry);
            c.us_pressure = 0.0;
            assert_eq!(e.decide(&c, &mut rng), Action::Notice(3));
            (1..=13)
                .map(|w| {
                    let mut c = ctx(w, &calm);
                    c.us_pressure = pressure;
                    c.us_demand = pressure;
                    e.decide(&c, &mut rng)
                })
                .find(|a| *a != Action::Continue)
        };
        assert_eq!(run(0.0), Some(Action::Terminate(3)), "the public calms down, the notice stands");
        assert_eq!(run(1.0), Some(Action::Suspend(3)), "Washington presses, the notice is suspended");
    }

    #[test]
    fn a_new_president_carries_on_freezes_or_drops_a_pending_proposal() {
        let scared = agg(0.8, 0.55, 0.1, 0.9);
        let cold = agg(0.3, 0.6, 0.3, 0.4);
        let inherit = |lean: f64, a: &Aggregates| {
            let mut rng = run_rng(&[0; 32]);
            let mut e = quiet_exec();
            assert!(matches!(e.decide(&ctx(0, &scared), &mut rng), Action::Propose { rung: 4, .. }));
            e.inaugurate(Party::Progressive, lean, 1);
            (e.decide(&ctx(1, a), &mut rng), e.posture)
        };
        assert_eq!(inherit(0.0, &scared).0, Action::Inherit { rung: 4, choice: EventOutcome::CarriedOn });
        let (action, posture) = inherit(-0.5, &cold);
        assert_eq!(action, Action::Inherit { rung: 4, choice: EventOutcome::Dropped });
        assert_eq!(posture, Posture::Idle);
        let lukewarm = agg(0.55, 0.55, 0.1, 0.6);
        let (action, posture) = inherit(0.0, &lukewarm);
        assert_eq!(action, Action::Inherit { rung: 4, choice: EventOutcome::Frozen });
        assert_eq!(posture, Posture::Frozen { rung: 4 });
    }

    #[test]
    fn us_mediation_damps_the_backlash_to_a_proposal() {
        let mut e = quiet_exec();
        e.posture = Posture::Pending { rung: 4, since: 0, window: 10, secret: false, exposed: false };
        let (alone, mediated) = (e.activation(1, 0.0, 0.0), e.activation(1, 0.0, 1.0));
        assert!(alone > 0.0);
        assert!((mediated - alone * (1.0 - e.mediation)).abs() < 1e-12);
    }

    #[test]
    fn a_base_against_cooperation_makes_the_case_for_ending() {
        // The same public and the same Tokyo: a president whose own camp has turned against
        // security cooperation gives notice; one whose camp still wants it does not.
        let e = quiet_exec();
        let with_camps = |own: f64, other: f64| {
            let mut a = agg(0.35, 0.6, 0.1, 0.4);
            a.party_support[Party::Progressive.index()] = own;
            a.party_support[Party::Conservative.index()] = other;
            a
        };
        let hostile = |a: &Aggregates| {
            let mut c = ending_ctx(a, 0);
            c.hostility = 0.2;
            -e.keep_value(&c, 3, e.case_for_ending(&c, 3))
        };
        let worth = |own: f64| hostile(&with_camps(own, 0.5));
        assert!((worth(0.2) - worth(0.5) - 0.3 * e.params.camp_weight).abs() < 1e-12);
        assert!(worth(0.5) < e.bar() && worth(0.7) < worth(0.5));
        // The other camp's mood is not his base's.
        assert_eq!(hostile(&with_camps(0.5, 0.0)), worth(0.5));
        let support = (0..50).map(|k| 0.5 - 0.01 * k as f64).find(|&s| worth(s) > e.bar()).unwrap();
        let decide = |own: f64| {
            let a = with_camps(own, 0.5);
            let mut c = ending_ctx(&a, 0);
            c.hostility = 0.2;
            quiet_exec().decide(&c, &mut run_rng(&[0; 32]))
        };
        assert_eq!(decide(support - 0.02), Action::Notice(3));
        assert_eq!(decide(0.5), Action::Hold);
    }

    #[test]
    fn an_open_us_demand_costs_more_to_defy_than_the_same_standing_pressure() {
        let calm = agg(0.35, 0.6, 0.1, 0.4);
        let e = quiet_exec();
        let at = |pressure: f64, demand: f64| {
            let mut c = ending_ctx(&calm, 0);
            c.us_pressure = pressure;
            c.us_demand = demand;
            e.keep_value(&c, 3, 1.0)
        };
        // An administration that rests at 0.9 and one at 0.5 pressing up to 0.9: defying the
        // second is a public rebuke, dearer by the demand.
        assert!((at(0.9, 0.4) - at(0.9, 0.0) - e.params.us_weight * 0.4).abs() < 1e-12);
        // A notice given while Washington is quiet stands if pressure rises to 0.5 because a
        // new administration rests there, and is suspended if it rises as much by a demand.
        let angry = agg(0.35, 0.8, 0.6, 0.3);
        let run = |pressure: f64, demand: f64| {
            let mut rng = run_rng(&[8; 32]);
            let mut e = quiet_exec();
            let mut c = ctx(0, &angry);
            c.next_target = None;
            c.us_pressure = 0.0;
            assert_eq!(e.decide(&c, &mut rng), Action::Notice(3));
            (1..=13)
                .map(|w| {
                    let mut c = ending_ctx(&calm, w);
                    c.us_pressure = pressure;
                    c.us_demand = demand;
                    e.decide(&c, &mut rng)
                })
                .find(|a| *a != Action::Continue)
        };
        assert_eq!(run(0.5, 0.0), Some(Action::Terminate(3)), "Washington's standing interest alone");
        assert_eq!(run(0.5, 0.5), Some(Action::Suspend(3)), "the same pressure, pressed as a demand");
    }

    #[test]
    fn capital_follows_approval_and_clock() {
        let mut e = quiet_exec();
        e.update_capital(0, 0.6, 0.6);
        let high = e.capital;
        e.update_capital(0, 0.3, 0.4);
        assert!(e.capital < high);
        let (h0, _) = e.clock(0);
        let (h1, l1) = e.clock(200);
        assert!(h0 > h1 && l1 > 0.0, "2026-06 is a year into the term; week 200 is in its last year");
    }

    #[test]
    fn a_lame_ducks_camp_hears_his_stance_less_and_less() {
        let mut e = quiet_exec();
        e.posture = Posture::Pending { rung: 3, since: 0, window: 4, secret: false, exposed: false };
        let end = e.term_end_week();
        let at = |weeks_left: f64| e.stance_heard((end - weeks_left) as u32);
        assert_eq!(at(80.0), 1.0, "before the last year his camp hears him in full");
        assert!((at(26.0) - 0.5).abs() < 0.03, "half way through the last year: {}", at(26.0));
        assert!(at(1.0) < 0.05 && at(1.0) >= 0.0);
        assert!(at(60.0) > at(40.0) && at(40.0) > at(20.0));
        // The same clock as the lame duck in capital.
        let (_, lame) = e.clock((end - 26.0) as u32);
        assert!((lame - 0.15 * e.lame_duck((end - 26.0) as u32)).abs() < 1e-12);
        // A leader whose terms repeat keeps his camp.
        let sc = crate::scenario::Scenario::default();
        let stakes = Stakes::new(&sc.ladder, &sc.voters, &sc.legislature, sc.us.mediation);
        let mut again = Executive::new(&sc.executive, sc.executive.office(&sc.calendar(), true), stakes);
        again.posture = e.posture;
        assert_eq!(again.stance_heard((end - 1.0) as u32), 1.0);
    }
}
