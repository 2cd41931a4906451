//! The scenario: every parameter of a run, with its default, unit and valid range.
//!
//! Every section is `#[serde(default)]`, so a partial TOML or JSON file fills the rest from
//! the embedded 2026 baseline, and `deny_unknown_fields`, so a misspelt key is an error.
//! `parameters()` is the one table of units, ranges and meanings: validation walks it, the
//! Python `acsa.parameters()` shows it, and a test checks it covers every numeric leaf.
//! Sources and reasons for each default are in docs/ODD.md.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::events::ShockKind;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub horizon_weeks: u32,
    pub start_date: String,
    pub voters: Voters,
    pub network: Network,
    pub shocks: Shocks,
    pub japan: Japan,
    pub us: Us,
    pub legislature: Legislature,
    pub executive: Executive,
    pub ladder: Ladder,
    pub logistics: Logistics,
    pub elections: Elections,
    pub outcome: Outcome,
    /// Scheduled events for counterfactuals, on top of the stochastic ones.
    pub events: Vec<ScheduledEvent>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Voters {
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

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    WattsStrogatz,
    Sbm,
    User,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    pub kind: NetworkKind,
    pub degree: u32,
    pub rewire: f64,
    pub homophily: f64,
}

/// Annual rate and main effect of one kind of stochastic event.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShockParams {
    pub rate: f64,
    pub effect: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Shocks {
    pub rate_scale: f64,
    pub intensity: f64,
    pub tail: f64,
    pub missile_test: ShockParams,
    pub nuclear_test: ShockParams,
    pub maritime_clash: ShockParams,
    pub chinese_coercion: ShockParams,
    pub us_abandonment: ShockParams,
    pub japan_trigger: ShockParams,
    pub military_friction: ShockParams,
    pub disaster: ShockParams,
    pub us_pressure: ShockParams,
    pub korean_dispute: ShockParams,
}

impl Shocks {
    pub fn params(&self, kind: ShockKind) -> ShockParams {
        match kind {
            ShockKind::MissileTest => self.missile_test,
            ShockKind::NuclearTest => self.nuclear_test,
            ShockKind::MaritimeClash => self.maritime_clash,
            ShockKind::ChineseCoercion => self.chinese_coercion,
            ShockKind::UsAbandonment => self.us_abandonment,
            ShockKind::JapanTrigger => self.japan_trigger,
            ShockKind::MilitaryFriction => self.military_friction,
            ShockKind::Disaster => self.disaster,
            ShockKind::UsPressure => self.us_pressure,
            ShockKind::KoreanDispute => self.korean_dispute,
        }
    }
}

/// How Japan is modelled: as a counterpart reduced to a few stocks, or on the same voter,
/// legislature and executive engine as Korea with its own voters.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JapanMode {
    Reduced,
    Full,
}

/// A new Japanese cabinet (for replays): from `date`, the executive's nationalism.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cabinet {
    pub date: String,
    pub nationalism: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Japan {
    pub mode: JapanMode,
    pub nationalism: f64,
    pub willingness: f64,
    pub dispute_half_life_weeks: f64,
    pub mood: f64,
    pub mood_weight: f64,
    pub mood_spillover: f64,
    pub seats: Seats,
    pub cabinets: Vec<Cabinet>,
    /// Japan's own voters (full mode only): "grievance" is antipathy toward Korea.
    pub voters: Voters,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Us {
    pub pressure: f64,
    pub commitment: f64,
    pub mediation: f64,
    pub episode_half_life_weeks: f64,
    pub inauguration_date: String,
    pub term_years: u32,
    pub administration_sd: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Seats {
    pub progressive: u32,
    pub conservative: u32,
    pub independent: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Legislature {
    pub seats: Seats,
    pub consent_required: bool,
    pub discipline: f64,
    pub district_weight: f64,
    pub noise: f64,
    pub revolt_threshold: f64,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Progressive,
    Conservative,
    Independent,
}

impl Party {
    pub const ALL: [Party; 3] = [Party::Progressive, Party::Conservative, Party::Independent];
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Executive {
    pub party: Party,
    pub ideology: f64,
    pub term_start: String,
    pub term_years: u32,
    pub risk_tolerance: f64,
    pub hurdle: f64,
    pub audience_cost: f64,
    pub cooldown_weeks: u32,
    pub balloon_margin: f64,
    pub threat_weight: f64,
    pub us_weight: f64,
    pub abandonment_weight: f64,
    pub logistics_weight: f64,
    pub ideology_weight: f64,
    pub cost_weight: f64,
    pub capital_weight: f64,
    pub damage_half_life_weeks: f64,
    pub exposure_rate: f64,
    pub secrecy_backlash: f64,
    pub decision_noise: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RungTable {
    pub sarex: f64,
    pub dialogue: f64,
    pub gsomia: f64,
    pub acsa_conditional: f64,
    pub acsa_full: f64,
}

impl RungTable {
    /// Value for rung 1..=5 (0 for rung 0).
    pub fn get(&self, rung: u8) -> f64 {
        match rung {
            1 => self.sarex,
            2 => self.dialogue,
            3 => self.gsomia,
            4 => self.acsa_conditional,
            5 => self.acsa_full,
            _ => 0.0,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Ladder {
    pub drills: bool,
    pub allow_conditional: bool,
    /// Rungs in force at the start, by name.
    pub in_force: Vec<String>,
    /// Date whose anniversary renews the agreements in force at the start.
    pub renewal_date: String,
    pub controversy: RungTable,
    pub window_weeks: RungTable,
    pub familiarity_gain: f64,
    pub familiarity_half_life_weeks: f64,
    pub familiarity_damping: f64,
    pub readiness_gain: f64,
    pub readiness_speedup: f64,
    pub friction_freeze_weeks: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Logistics {
    pub offshore_share: f64,
    pub hop_days: f64,
    pub clearance_days: f64,
}

/// A presidential election whose winner is given rather than voted (for replays), with
/// the winner's own pro-cooperation lean if known (else the camp's).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FixedWinner {
    pub date: String,
    pub party: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ideology: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Elections {
    pub enabled: bool,
    pub assembly_date: String,
    pub assembly_years: u32,
    pub identity_weight: f64,
    pub approval_weight: f64,
    pub issue_weight: f64,
    pub minor_party_penalty: f64,
    pub campaign_swing_sd: f64,
    pub ideology_progressive: f64,
    pub ideology_conservative: f64,
    pub ideology_independent: f64,
    /// Presidential elections with a given winner: held on their date if no calendar
    /// election falls within half a year of it (a snap election), else at the calendar one.
    pub fixed_winners: Vec<FixedWinner>,
}

impl Elections {
    pub fn ideology(&self, party: Party) -> f64 {
        match party {
            Party::Progressive => self.ideology_progressive,
            Party::Conservative => self.ideology_conservative,
            Party::Independent => self.ideology_independent,
        }
    }
}

impl Default for Elections {
    fn default() -> Self {
        Elections {
            enabled: true,
            assembly_date: "2028-04-12".into(),
            assembly_years: 4,
            identity_weight: 2.0,
            approval_weight: 3.0,
            issue_weight: 2.0,
            minor_party_penalty: 2.5,
            campaign_swing_sd: 0.5,
            ideology_progressive: -0.2,
            ideology_conservative: 0.5,
            ideology_independent: 0.0,
            fixed_winners: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Outcome {
    pub sustain_weeks: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScheduledEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub kind: ShockKind,
    #[serde(default = "one")]
    pub magnitude: f64,
}

fn one() -> f64 {
    1.0
}

pub const RUNG_NAMES: [&str; 6] = ["none", "sarex", "dialogue", "gsomia", "acsa_conditional", "acsa_full"];

pub fn rung_from_name(name: &str) -> Option<u8> {
    RUNG_NAMES.iter().position(|n| *n == name).map(|i| i as u8)
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            horizon_weeks: 520,
            start_date: "2026-06-01".into(),
            voters: Voters::default(),
            network: Network::default(),
            shocks: Shocks::default(),
            japan: Japan::default(),
            us: Us::default(),
            legislature: Legislature::default(),
            executive: Executive::default(),
            ladder: Ladder::default(),
            logistics: Logistics::default(),
            elections: Elections::default(),
            outcome: Outcome::default(),
            events: Vec::new(),
        }
    }
}

impl Default for Voters {
    fn default() -> Self {
        Voters {
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

impl Default for Network {
    fn default() -> Self {
        Network { kind: NetworkKind::WattsStrogatz, degree: 10, rewire: 0.1, homophily: 0.8 }
    }
}

impl Default for Shocks {
    fn default() -> Self {
        let p = |rate, effect| ShockParams { rate, effect };
        Shocks {
            rate_scale: 1.0,
            intensity: 1.0,
            tail: 2.5,
            missile_test: p(12.0, 0.03),
            nuclear_test: p(0.2, 0.30),
            maritime_clash: p(0.15, 0.15),
            chinese_coercion: p(0.3, 0.10),
            us_abandonment: p(0.5, 0.10),
            japan_trigger: p(1.5, 0.03),
            military_friction: p(0.1, 0.03),
            disaster: p(0.5, 0.05),
            us_pressure: p(0.5, 0.2),
            korean_dispute: p(0.3, 0.1),
        }
    }
}

impl Default for Japan {
    fn default() -> Self {
        Japan {
            mode: JapanMode::Reduced,
            nationalism: 0.6,
            willingness: 0.8,
            dispute_half_life_weeks: 52.0,
            mood: 0.37,
            mood_weight: 0.5,
            mood_spillover: 0.5,
            // House of Representatives, 2024 election, scaled to 300: LDP-Komeito 215,
            // CDP and the left 166, others 84 of 465.
            seats: Seats { progressive: 107, conservative: 139, independent: 54 },
            cabinets: Vec::new(),
            voters: Voters::japan(),
        }
    }
}

impl Voters {
    /// Japanese voters: the same engine, with antipathy toward Korea as "grievance".
    /// Sources and reasons are in docs/ODD.md section 9.
    pub fn japan() -> Voters {
        Voters {
            n: 5_000,
            share_progressive: 0.20,
            share_conservative: 0.40,
            grievance_mean: 0.44,
            party_grievance_gap: -0.10,
            threat_baseline: 0.45,
            party_threat_gap: 0.05,
            support_intercept: 0.6,
            approval_aligned: 0.70,
            approval_opposed: 0.15,
            approval_independent: 0.35,
            ..Voters::default()
        }
    }
}

impl Default for Us {
    fn default() -> Self {
        Us {
            pressure: 0.5,
            commitment: 0.7,
            mediation: 0.3,
            episode_half_life_weeks: 26.0,
            inauguration_date: "2029-01-20".into(),
            term_years: 4,
            administration_sd: 0.15,
        }
    }
}

impl Default for Seats {
    fn default() -> Self {
        Seats { progressive: 188, conservative: 108, independent: 4 }
    }
}

impl Default for Legislature {
    fn default() -> Self {
        Legislature {
            seats: Seats::default(),
            consent_required: false,
            discipline: 0.4,
            district_weight: 1.0,
            noise: 0.15,
            revolt_threshold: 0.3,
        }
    }
}

impl Default for Executive {
    fn default() -> Self {
        Executive {
            party: Party::Progressive,
            ideology: -0.2,
            term_start: "2025-06-04".into(),
            term_years: 5,
            risk_tolerance: 0.5,
            hurdle: 1.2,
            audience_cost: 0.3,
            cooldown_weeks: 26,
            balloon_margin: 0.15,
            threat_weight: 1.0,
            us_weight: 0.2,
            abandonment_weight: 0.4,
            logistics_weight: 0.2,
            ideology_weight: 0.3,
            cost_weight: 2.0,
            capital_weight: 0.5,
            damage_half_life_weeks: 26.0,
            exposure_rate: 0.3,
            secrecy_backlash: 2.0,
            decision_noise: 0.05,
        }
    }
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder {
            drills: true,
            allow_conditional: true,
            in_force: vec!["sarex".into(), "gsomia".into()],
            renewal_date: "2016-11-23".into(),
            controversy: RungTable { sarex: 0.1, dialogue: 0.2, gsomia: 0.5, acsa_conditional: 0.85, acsa_full: 1.0 },
            window_weeks: RungTable { sarex: 6.0, dialogue: 8.0, gsomia: 4.0, acsa_conditional: 20.0, acsa_full: 30.0 },
            familiarity_gain: 0.003,
            familiarity_half_life_weeks: 156.0,
            familiarity_damping: 0.5,
            readiness_gain: 0.005,
            readiness_speedup: 0.5,
            friction_freeze_weeks: 26,
        }
    }
}

impl Default for Logistics {
    fn default() -> Self {
        Logistics { offshore_share: 0.6, hop_days: 1.0, clearance_days: 3.0 }
    }
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome { sustain_weeks: 52 }
    }
}

/// One documented parameter: dotted path, unit, valid range and meaning.
#[derive(Clone, Copy)]
pub struct Param {
    pub path: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub description: &'static str,
}

const fn p(path: &'static str, unit: &'static str, min: f64, max: f64, description: &'static str) -> Param {
    Param { path, unit, min, max, description }
}

/// Every leaf parameter: the table below, then Japan's voters (full mode), which share the
/// voters' units, ranges and meanings.
pub fn parameters() -> &'static [Param] {
    static ALL: std::sync::LazyLock<Vec<Param>> = std::sync::LazyLock::new(|| {
        let japanese = PARAMETERS
            .iter()
            .filter(|p| p.path.starts_with("voters."))
            .map(|p| Param { path: Box::leak(format!("japan.{}", p.path).into_boxed_str()), ..*p });
        PARAMETERS.iter().map(|p| Param { ..*p }).chain(japanese).collect()
    });
    &ALL
}

/// The documented parameters. Names, flags and dates carry min = max = 0: serde and
/// `validate` check their rules.
const PARAMETERS: &[Param] = &[
    p("horizon_weeks", "weeks", 1.0, 5200.0, "Length of the run."),
    p("start_date", "date", 0.0, 0.0, "Calendar date of week 0 (YYYY-MM-DD)."),
    p("voters.n", "voters", 253.0, 20_000_000.0, "Number of voter agents (at least one per district)."),
    p("voters.share_progressive", "share", 0.0, 1.0, "Share of voters identifying with the progressive camp."),
    p("voters.share_conservative", "share", 0.0, 1.0, "Share identifying with the conservative camp; independents are the rest."),
    p("voters.district_lean_sd", "share", 0.0, 0.5, "Spread of districts' partisan lean (shifts progressive vs conservative shares)."),
    p("voters.grievance_mean", "0-1 scale", 0.0, 1.0, "Mean historical grievance anchor g0 of a 48-year-old voter."),
    p("voters.grievance_sd", "0-1 scale", 0.0, 0.5, "Spread of the grievance anchor across voters."),
    p("voters.age_gradient", "per year of age", -0.05, 0.05, "Grievance anchor rise per year of age (older voters hold more grievance)."),
    p("voters.party_grievance_gap", "0-1 scale", -0.5, 0.5, "Progressives' anchor minus conservatives' anchor."),
    p("voters.cohort_shift", "per year", -0.1, 0.1, "Fall in the grievance anchor of each newly adult cohort per simulated year (perception-shift pathway)."),
    p("voters.turnover", "per year", 0.0, 0.2, "Share of voters replaced by new adults each year (mortality-weighted by age)."),
    p("voters.stubbornness", "share", 0.0, 1.0, "Friedkin-Johnsen weight on one's own anchor against neighbours."),
    p("voters.confidence_bound", "0-1 scale", 0.0, 1.0, "Bounded confidence: ignore neighbours whose grievance differs by more than this (1 = off)."),
    p("voters.threat_baseline", "0-1 scale", 0.0, 1.0, "Threat perception to which shocks decay."),
    p("voters.party_threat_gap", "0-1 scale", -0.5, 0.5, "Conservatives' baseline threat minus progressives'."),
    p("voters.threat_half_life_weeks", "weeks", 0.1, 520.0, "Half-life of a threat jump."),
    p("voters.salience_baseline", "0-1 scale", 0.0, 1.0, "Resting salience of history."),
    p("voters.salience_half_life_weeks", "weeks", 0.1, 520.0, "Half-life of a salience spike."),
    p("voters.grievance_shock_half_life_weeks", "weeks", 0.1, 1040.0, "Half-life of the grievance raised by a Japanese trigger."),
    p("voters.support_intercept", "logit", -10.0, 10.0, "Logit of support for security cooperation at baseline threat and zero grievance."),
    p("voters.support_threat_weight", "logit per unit", 0.0, 20.0, "Rise in support logit per unit of threat above baseline."),
    p("voters.support_grievance_weight", "logit per unit", 0.0, 20.0, "Fall in support logit per unit of grievance x (0.5 + salience)."),
    p("voters.support_sd", "logit", 0.0, 5.0, "Spread of individual support intercepts."),
    p("voters.party_cue", "logit", 0.0, 10.0, "Party cue at full politicisation: co-partisans follow the president's stance, opponents oppose it."),
    p("voters.approval_aligned", "probability", 0.0, 1.0, "Resting approval of the president among co-partisans."),
    p("voters.approval_opposed", "probability", 0.0, 1.0, "Resting approval among the other camp."),
    p("voters.approval_independent", "probability", 0.0, 1.0, "Resting approval among independents."),
    p("voters.approval_half_life_weeks", "weeks", 0.1, 520.0, "Half-life of approval shocks (backlash, rally)."),
    p("voters.backlash", "per unit", 0.0, 5.0, "Approval lost per unit of proposal activation x grievance."),
    p("voters.rally", "per unit", 0.0, 5.0, "Approval gained per unit of Japanese trigger x grievance (a dispute with Japan)."),
    p("voters.term_decay", "per year", 0.0, 0.5, "Fall in resting approval per year in office."),
    p("voters.favourable_below", "0-1 scale", 0.0, 1.0, "A voter holds a good impression of Japan when grievance is below this."),
    p("network.kind", "choice", 0.0, 0.0, "watts_strogatz (default), sbm or user."),
    p("network.degree", "neighbours", 1.0, 1000.0, "Neighbours each voter listens to."),
    p("network.rewire", "probability", 0.0, 1.0, "Watts-Strogatz rewiring probability."),
    p("network.homophily", "probability", 0.0, 1.0, "Probability a rewired (or SBM) tie goes to the same party."),
    p("shocks.rate_scale", "multiplier", 0.0, 100.0, "Multiplies every stochastic event rate."),
    p("shocks.intensity", "multiplier", 0.0, 100.0, "Multiplies the magnitudes of stochastic security shocks (North Korean tests, maritime clashes, Chinese coercion, US abandonment signals)."),
    p("shocks.tail", "Pareto shape", 1.05, 100.0, "Tail index of event magnitudes (smaller = heavier tail); mean magnitude is 1 x intensity."),
    p("shocks.missile_test.rate", "per year", 0.0, 365.0, "North Korean missile test days."),
    p("shocks.missile_test.effect", "threat", 0.0, 1.0, "Threat jump per unit magnitude."),
    p("shocks.nuclear_test.rate", "per year", 0.0, 52.0, "North Korean nuclear tests."),
    p("shocks.nuclear_test.effect", "threat", 0.0, 1.0, "Threat jump per unit magnitude."),
    p("shocks.maritime_clash.rate", "per year", 0.0, 52.0, "Inter-Korean maritime clashes."),
    p("shocks.maritime_clash.effect", "threat", 0.0, 1.0, "Threat jump per unit magnitude."),
    p("shocks.chinese_coercion.rate", "per year", 0.0, 52.0, "Chinese coercion episodes."),
    p("shocks.chinese_coercion.effect", "threat and US pressure", 0.0, 1.0, "Threat jump and US pressure rise per unit magnitude."),
    p("shocks.us_abandonment.rate", "per year", 0.0, 52.0, "US abandonment signals."),
    p("shocks.us_abandonment.effect", "commitment", 0.0, 1.0, "Fall in US commitment per unit magnitude."),
    p("shocks.japan_trigger.rate", "per year", 0.0, 52.0, "Japanese triggers (shrine visit, textbook, territorial claim, export controls) at nationalism 0.5."),
    p("shocks.japan_trigger.effect", "grievance", 0.0, 1.0, "Grievance rise per unit magnitude (salience rises with it)."),
    p("shocks.military_friction.rate", "per year", 0.0, 52.0, "Military frictions (radar lock type); freezes drills."),
    p("shocks.military_friction.effect", "grievance", 0.0, 1.0, "Grievance rise per unit magnitude."),
    p("shocks.disaster.rate", "per year", 0.0, 52.0, "Regional disasters: an uncontroversial HADR opportunity."),
    p("shocks.disaster.effect", "familiarity", 0.0, 1.0, "Familiarity gained per unit magnitude when drills are in force."),
    p("shocks.us_pressure.rate", "per year", 0.0, 52.0, "US pushes for trilateral integration (visits, summits, public demands)."),
    p("shocks.us_pressure.effect", "pressure", 0.0, 1.0, "Rise in US pressure per unit magnitude; fades with us.episode_half_life_weeks."),
    p("shocks.korean_dispute.rate", "per year", 0.0, 52.0, "Korean acts that offend Japan (court rulings on wartime labour, visits to Dokdo)."),
    p("shocks.korean_dispute.effect", "willingness", 0.0, 1.0, "Fall in Japan's willingness per unit magnitude; the Japanese public's mood falls by japan.mood_spillover x this."),
    p("japan.nationalism", "0-1 scale", 0.0, 1.0, "Japanese executive nationalism; trigger rate scales with 0.5 + nationalism."),
    p("japan.willingness", "0-1 scale", 0.0, 1.0, "Japan's resting willingness to deepen cooperation."),
    p("japan.dispute_half_life_weeks", "weeks", 0.1, 1040.0, "Half-life of Japan's reluctance after a dispute."),
    p("japan.mode", "choice", 0.0, 0.0, "reduced: Japan as a few stocks; full: Japan on the same voter, legislature and executive engine, with its own voters (japan.voters)."),
    p("japan.mood", "share", 0.0, 1.0, "Resting share of the Japanese public with a good impression of Korea (reduced mode; full mode starts from japan.voters)."),
    p("japan.mood_weight", "per unit", 0.0, 5.0, "Change in Japan's willingness per unit of public mood above or below its resting level."),
    p("japan.mood_spillover", "per unit", 0.0, 5.0, "Fall in Japanese mood per unit of Korean salience above baseline and per unit of a Korean offence (termination notice, dispute)."),
    p("japan.seats.progressive", "seats", 0.0, 300.0, "Diet seats of the opposition left (scaled to 300; sum must be 300)."),
    p("japan.seats.conservative", "seats", 0.0, 300.0, "Diet seats of the ruling coalition."),
    p("japan.seats.independent", "seats", 0.0, 300.0, "Other Diet seats."),
    p("japan.cabinets", "list", 0.0, 0.0, "New Japanese cabinets (date, nationalism), for replays: from each date the executive's nationalism sets the trigger rate."),
    p("us.pressure", "0-1 scale", 0.0, 1.0, "Resting US pressure for trilateral integration."),
    p("us.commitment", "0-1 scale", 0.0, 1.0, "Resting credibility of the US commitment; abandonment fear is 1 - commitment."),
    p("us.mediation", "share", 0.0, 1.0, "Share of proposal backlash damped per unit of US pressure."),
    p("us.episode_half_life_weeks", "weeks", 0.1, 1040.0, "Half-life of pressure and commitment episodes."),
    p("us.inauguration_date", "date", 0.0, 0.0, "Next US presidential inauguration; later ones follow every us.term_years."),
    p("us.term_years", "years", 1.0, 10.0, "Years between US inaugurations."),
    p("us.administration_sd", "0-1 scale", 0.0, 1.0, "Spread of a new US administration's resting pressure and commitment around us.pressure and us.commitment."),
    p("legislature.seats.progressive", "seats", 0.0, 300.0, "Progressive-camp seats (sum of seats must be 300)."),
    p("legislature.seats.conservative", "seats", 0.0, 300.0, "Conservative-camp seats."),
    p("legislature.seats.independent", "seats", 0.0, 300.0, "Other seats."),
    p("legislature.consent_required", "flag", 0.0, 0.0, "An agreement needs a National Assembly consent vote."),
    p("legislature.discipline", "share", 0.0, 1.0, "Weight of the party line in a member's stance."),
    p("legislature.district_weight", "per unit", 0.0, 5.0, "Weight of district mood in a member's stance."),
    p("legislature.noise", "stance", 0.0, 5.0, "Spread of members' idiosyncratic stances."),
    p("legislature.revolt_threshold", "share", 0.0, 1.0, "Share of governing-party members opposed that forces postponement."),
    p("executive.party", "choice", 0.0, 0.0, "progressive, conservative or independent."),
    p("executive.ideology", "-1..1", -1.0, 1.0, "Pro-cooperation lean of the president (conservative > 0)."),
    p("executive.term_start", "date", 0.0, 0.0, "Inauguration date of the sitting president."),
    p("executive.term_years", "years", 1.0, 10.0, "Length of a presidential term."),
    p("executive.risk_tolerance", "share", 0.0, 1.0, "Lowers the bar a proposal's net value must clear: bar = hurdle x (1 - risk_tolerance)."),
    p("executive.hurdle", "value", 0.0, 5.0, "Bar for a proposal at zero risk tolerance."),
    p("executive.audience_cost", "value per controversy", 0.0, 5.0, "Capital lost on retreat or collapse, per unit of the rung's controversy."),
    p("executive.cooldown_weeks", "weeks", 0.0, 520.0, "Weeks before another proposal after a retreat or collapse."),
    p("executive.balloon_margin", "value", 0.0, 5.0, "Net value this close below the bar floats a trial balloon instead."),
    p("executive.threat_weight", "value per unit", 0.0, 10.0, "Strategic value per unit of mean threat above baseline."),
    p("executive.us_weight", "value per unit", 0.0, 10.0, "Strategic value per unit of US pressure."),
    p("executive.abandonment_weight", "value per unit", 0.0, 10.0, "Strategic value per unit of abandonment fear."),
    p("executive.logistics_weight", "value per unit", 0.0, 10.0, "Strategic value per unit of logistics gap closed."),
    p("executive.ideology_weight", "value per unit", 0.0, 10.0, "Strategic value per unit of ideology."),
    p("executive.cost_weight", "value per unit", 0.0, 10.0, "Weight of expected domestic cost: controversy x (grievance + salience) x (1 - damping x F) x (1.5 - support share)."),
    p("executive.capital_weight", "value per unit", 0.0, 10.0, "Value per unit of political capital above 0.5."),
    p("executive.damage_half_life_weeks", "weeks", 0.1, 1040.0, "Half-life of capital lost to retreats and collapses."),
    p("executive.exposure_rate", "per week", 0.0, 1.0, "Weekly chance a fast-tracked (unannounced) proposal is exposed."),
    p("executive.secrecy_backlash", "multiplier", 1.0, 10.0, "Activation multiplier when a secret proposal is exposed."),
    p("executive.decision_noise", "value", 0.0, 5.0, "Spread of the weekly idiosyncratic term in the executive's judgement."),
    p("ladder.drills", "flag", 0.0, 0.0, "Phase 1 drills (SAREX/HADR) may run."),
    p("ladder.allow_conditional", "flag", 0.0, 0.0, "The segmented (conditional) ACSA rung is on the ladder."),
    p("ladder.in_force", "rung names", 0.0, 0.0, "Rungs in force at the start."),
    p("ladder.renewal_date", "date", 0.0, 0.0, "Agreements in force at the start renew every year on this date's anniversary; a notice to end one takes effect at the first anniversary at least 13 weeks (90 days) after it is given."),
    p("ladder.controversy.sarex", "0-1 scale", 0.0, 1.0, "Controversy of search-and-rescue / HADR drills."),
    p("ladder.controversy.dialogue", "0-1 scale", 0.0, 1.0, "Controversy of vice-ministerial technical drafting."),
    p("ladder.controversy.gsomia", "0-1 scale", 0.0, 1.0, "Controversy of intelligence sharing."),
    p("ladder.controversy.acsa_conditional", "0-1 scale", 0.0, 1.0, "Controversy of a segmented ACSA."),
    p("ladder.controversy.acsa_full", "0-1 scale", 0.0, 1.0, "Controversy of a full ACSA."),
    p("ladder.window_weeks.sarex", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    p("ladder.window_weeks.dialogue", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    p("ladder.window_weeks.gsomia", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    p("ladder.window_weeks.acsa_conditional", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    p("ladder.window_weeks.acsa_full", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    p("ladder.familiarity_gain", "per week", 0.0, 1.0, "Familiarity F gained per week of drills, times (1 - F)."),
    p("ladder.familiarity_half_life_weeks", "weeks", 0.1, 5200.0, "Half-life of familiarity without drills."),
    p("ladder.familiarity_damping", "share", 0.0, 1.0, "Share of grievance activation damped at F = 1."),
    p("ladder.readiness_gain", "per week", 0.0, 1.0, "Readiness R gained per week of dialogue in force, times (1 - R)."),
    p("ladder.readiness_speedup", "share", 0.0, 1.0, "Share of the proposal window cut at R = 1."),
    p("ladder.friction_freeze_weeks", "weeks", 0.0, 520.0, "Weeks drills stay frozen after a military friction."),
    p("logistics.offshore_share", "share", 0.0, 1.0, "Share of crisis cross-servicing demand outside Korean soil (covered by a conditional ACSA)."),
    p("logistics.hop_days", "days", 0.0, 60.0, "Transfer time over one link between two of the four logistics nodes."),
    p("logistics.clearance_days", "days", 0.0, 60.0, "Extra clearance time when ROK-JSDF demand routes through the US hub."),
    p("elections.enabled", "flag", 0.0, 0.0, "Hold presidential and National Assembly elections on the calendar (off: the presidency and the seats stay as they start)."),
    p("elections.assembly_date", "date", 0.0, 0.0, "Date of the next National Assembly election; later ones follow every assembly_years."),
    p("elections.assembly_years", "years", 1.0, 10.0, "Years between National Assembly elections."),
    p("elections.identity_weight", "utility", 0.0, 20.0, "Pull of a voter's own camp in the vote."),
    p("elections.approval_weight", "utility per unit", 0.0, 20.0, "Reward or punishment of the incumbent's camp per unit of approval above or below 0.5."),
    p("elections.issue_weight", "utility per unit", 0.0, 20.0, "Pull towards the conservative camp per unit of support for security cooperation above 0.5 (and away from the progressive camp)."),
    p("elections.minor_party_penalty", "utility", 0.0, 20.0, "Handicap of minor parties and independents (the third camp) in every vote."),
    p("elections.campaign_swing_sd", "utility", 0.0, 10.0, "Spread of each election's national swing between the two main camps (candidates, campaigns, scandals)."),
    p("elections.ideology_progressive", "-1..1", -1.0, 1.0, "Pro-cooperation lean of a newly elected progressive president."),
    p("elections.ideology_conservative", "-1..1", -1.0, 1.0, "Pro-cooperation lean of a newly elected conservative president."),
    p("elections.ideology_independent", "-1..1", -1.0, 1.0, "Pro-cooperation lean of a newly elected president from the third camp."),
    p("elections.fixed_winners", "list", 0.0, 0.0, "Presidential elections whose winner is given (date, party, optional ideology), for replays: held on the date (a snap election) unless the term ends within 26 weeks of it, then at the term's end."),
    p("outcome.sustain_weeks", "weeks", 1.0, 5200.0, "Weeks an ACSA must stay in force to count as viable."),
];

/// Look up a dotted path in a JSON tree.
pub fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(root, |v, key| v.get(key))
}

impl Scenario {
    /// Parse a (possibly partial) JSON scenario, fill defaults, validate.
    pub fn from_json_str(text: &str) -> Result<Scenario> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| Error::config("<json>", format!("malformed JSON: {e}")))?;
        Scenario::from_value(value)
    }

    /// Parse a TOML scenario; `source` names the file in messages.
    pub fn from_toml_str(text: &str, source: &str) -> Result<Scenario> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| Error::config(source, format!("malformed TOML: {}", e.to_string().trim())))?;
        let value = toml_to_json(toml::Value::Table(table), "")?;
        Scenario::from_value(value)
    }

    /// A partial tree is laid over the default scenario, so any subset of keys may be given.
    pub fn from_value(value: Value) -> Result<Scenario> {
        let mut full = serde_json::to_value(Scenario::default()).expect("a scenario always serialises");
        merge(&mut full, value);
        let sc: Scenario = serde_path_to_error::deserialize(full).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { "<scenario>".to_string() } else { path };
            Error::config(path, e.into_inner().to_string())
        })?;
        sc.validate()?;
        Ok(sc)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a scenario always serialises")
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario always serialises to TOML")
    }

    /// Check every rule that the types alone do not enforce.
    pub fn validate(&self) -> Result<()> {
        let tree = serde_json::to_value(self).expect("a scenario always serialises");
        for param in parameters() {
            if param.min == 0.0 && param.max == 0.0 {
                continue; // names, flags and dates: checked below
            }
            let v = get_path(&tree, param.path).and_then(Value::as_f64);
            let Some(v) = v else {
                return Err(Error::config(param.path, "must be a number"));
            };
            if !v.is_finite() {
                return Err(Error::config(param.path, format!("must be a finite number, got {v}")));
            }
            if v < param.min || v > param.max {
                return Err(Error::config(
                    param.path,
                    format!(
                        "must be between {} and {} ({}), got {v}",
                        fmt_num(param.min),
                        fmt_num(param.max),
                        param.unit
                    ),
                ));
            }
        }
        for (v, path) in [(&self.voters, "voters"), (&self.japan.voters, "japan.voters")] {
            if v.share_progressive + v.share_conservative > 1.0 {
                return Err(Error::config(
                    format!("{path}.share_conservative"),
                    format!(
                        "share_progressive + share_conservative must be at most 1, got {}",
                        v.share_progressive + v.share_conservative
                    ),
                ));
            }
        }
        for (s, path) in [(&self.legislature.seats, "legislature.seats"), (&self.japan.seats, "japan.seats")] {
            let total = s.progressive + s.conservative + s.independent;
            if total != 300 {
                return Err(Error::config(path, format!("seats must sum to 300, got {total}")));
            }
        }
        for (i, c) in self.japan.cabinets.iter().enumerate() {
            parse_date(&c.date).map_err(|r| Error::config(format!("japan.cabinets[{i}].date"), r))?;
            if !(0.0..=1.0).contains(&c.nationalism) {
                return Err(Error::config(
                    format!("japan.cabinets[{i}].nationalism"),
                    format!("must be between 0 and 1, got {}", c.nationalism),
                ));
            }
        }
        let start = parse_date(&self.start_date).map_err(|r| Error::config("start_date", r))?;
        parse_date(&self.executive.term_start).map_err(|r| Error::config("executive.term_start", r))?;
        for (i, name) in self.ladder.in_force.iter().enumerate() {
            match rung_from_name(name) {
                Some(r) if r >= 1 => {}
                _ => {
                    return Err(Error::config(
                        format!("ladder.in_force[{i}]"),
                        format!(
                        "unknown rung '{name}'; expected one of sarex, dialogue, gsomia, acsa_conditional, acsa_full"
                    ),
                    ))
                }
            }
        }
        parse_date(&self.elections.assembly_date).map_err(|r| Error::config("elections.assembly_date", r))?;
        parse_date(&self.us.inauguration_date).map_err(|r| Error::config("us.inauguration_date", r))?;
        parse_date(&self.ladder.renewal_date).map_err(|r| Error::config("ladder.renewal_date", r))?;
        for (i, f) in self.elections.fixed_winners.iter().enumerate() {
            parse_date(&f.date).map_err(|r| Error::config(format!("elections.fixed_winners[{i}].date"), r))?;
            if let Some(x) = f.ideology.filter(|x| !(-1.0..=1.0).contains(x)) {
                return Err(Error::config(
                    format!("elections.fixed_winners[{i}].ideology"),
                    format!("must be between -1 and 1, got {x}"),
                ));
            }
        }
        for (i, ev) in self.events.iter().enumerate() {
            let path = format!("events[{i}]");
            if !ev.magnitude.is_finite() || ev.magnitude < 0.0 || ev.magnitude > 100.0 {
                return Err(Error::config(
                    format!("{path}.magnitude"),
                    format!("must be between 0 and 100, got {}", ev.magnitude),
                ));
            }
            match (&ev.week, &ev.date) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(Error::config(path, "give exactly one of week or date"));
                }
                _ => {}
            }
            let week = self.event_week(ev, start).map_err(|r| Error::config(format!("{path}.date"), r))?;
            if week >= self.horizon_weeks as i64 || week < 0 {
                let field = if ev.week.is_some() { "week" } else { "date" };
                return Err(Error::config(
                    format!("{path}.{field}"),
                    format!("falls in week {week}, outside the horizon 0..{}", self.horizon_weeks),
                ));
            }
        }
        Ok(())
    }

    fn event_week(&self, ev: &ScheduledEvent, start_day: i64) -> std::result::Result<i64, String> {
        match (&ev.week, &ev.date) {
            (Some(w), _) => Ok(*w as i64),
            (None, Some(d)) => Ok((parse_date(d)? - start_day).div_euclid(7)),
            _ => Err("give exactly one of week or date".into()),
        }
    }

    /// Scheduled events as (week, kind, magnitude), sorted by week then by order given.
    pub fn scheduled(&self) -> Vec<(u32, ShockKind, f64)> {
        let start = parse_date(&self.start_date).unwrap_or(0);
        let mut out: Vec<(u32, ShockKind, f64)> = self
            .events
            .iter()
            .filter_map(|ev| self.event_week(ev, start).ok().map(|w| (w as u32, ev.kind, ev.magnitude)))
            .collect();
        out.sort_by_key(|e| e.0);
        out
    }

    /// Days since 1970-01-01 of the start date.
    pub fn start_day(&self) -> i64 {
        parse_date(&self.start_date).unwrap_or(0)
    }
}

/// Deep-merge `over` onto `base`: tables merge key by key, anything else replaces.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// TOML value to JSON, refusing NaN and infinities with the path where they stand.
fn toml_to_json(v: toml::Value, path: &str) -> Result<Value> {
    let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    Ok(match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => match serde_json::Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None => return Err(Error::config(path, format!("must be a finite number, got {f}"))),
        },
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(
            a.into_iter().enumerate().map(|(i, x)| toml_to_json(x, &format!("{path}[{i}]"))).collect::<Result<_>>()?,
        ),
        toml::Value::Table(t) => {
            let mut m = serde_json::Map::new();
            for (k, x) in t {
                let child = toml_to_json(x, &join(&k))?;
                m.insert(k, child);
            }
            Value::Object(m)
        }
    })
}

/// Parse YYYY-MM-DD into days since 1970-01-01 (proleptic Gregorian).
pub fn parse_date(s: &str) -> std::result::Result<i64, String> {
    let bad = || format!("must be a date YYYY-MM-DD, got '{s}'");
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let y: i64 = parts[0].parse().map_err(|_| bad())?;
    let m: u32 = parts[1].parse().map_err(|_| bad())?;
    let d: u32 = parts[2].parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days_from_civil.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Calendar year (fractional) of a day count, for ages and term clocks.
pub fn year_of_day(day: i64) -> f64 {
    1970.0 + day as f64 / 365.2425
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    leaves(x, &p, out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn every_leaf_is_documented() {
        let tree = serde_json::to_value(Scenario::default()).unwrap();
        let mut all = Vec::new();
        leaves(&tree, "", &mut all);
        for leaf in all.iter().filter(|l| *l != "events" && *l != "elections.fixed_winners") {
            assert!(parameters().iter().any(|p| p.path == leaf), "undocumented parameter {leaf}");
        }
        for p in parameters() {
            assert!(get_path(&tree, p.path).is_some(), "documented parameter {} does not exist", p.path);
        }
    }

    #[test]
    fn default_is_valid_and_round_trips() {
        let sc = Scenario::default();
        sc.validate().unwrap();
        assert_eq!(Scenario::from_json_str(&sc.to_json()).unwrap(), sc);
        assert_eq!(Scenario::from_toml_str(&sc.to_toml(), "x.toml").unwrap(), sc);
    }

    #[test]
    fn partial_input_fills_defaults() {
        let sc = Scenario::from_toml_str("[voters]\nn = 1000\n", "x.toml").unwrap();
        assert_eq!(sc.voters.n, 1000);
        assert_eq!(sc.voters.stubbornness, Voters::default().stubbornness);
        let sc = Scenario::from_toml_str("[ladder.controversy]\nacsa_full = 0.9\n", "x.toml").unwrap();
        assert_eq!(sc.ladder.controversy.acsa_full, 0.9);
        assert_eq!(sc.ladder.controversy.gsomia, 0.5);
    }

    fn err_path(r: Result<Scenario>) -> String {
        match r {
            Err(Error::Config { path, .. }) => path,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn bad_input_names_the_path() {
        assert_eq!(err_path(Scenario::from_json_str(r#"{"voters": {"n": -5}}"#)), "voters.n");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"voters": {"stubbornness": 1.5}}"#)), "voters.stubbornness");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"voters": {"stubbornness": "high"}}"#)), "voters.stubbornness");
        assert!(err_path(Scenario::from_json_str(r#"{"voters": {"bogus": 1}}"#)).starts_with("voters"));
        assert_eq!(
            err_path(Scenario::from_toml_str("[voters]\nstubbornness = nan\n", "f.toml")),
            "voters.stubbornness"
        );
        assert_eq!(err_path(Scenario::from_toml_str("[voters\nn=1", "f.toml")), "f.toml");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"start_date": "2026-13-01"}"#)), "start_date");
        assert_eq!(
            err_path(Scenario::from_json_str(r#"{"legislature": {"seats": {"progressive": 200}}}"#)),
            "legislature.seats"
        );
        assert_eq!(
            err_path(Scenario::from_json_str(r#"{"events": [{"week": 9999, "kind": "nuclear_test"}]}"#)),
            "events[0].week"
        );
        assert_eq!(err_path(Scenario::from_json_str(r#"{"network": {"kind": "ring"}}"#)), "network.kind");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert_eq!(parse_date("2000-03-01").unwrap(), 11017);
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("2024-02-29").is_ok());
    }

    #[test]
    fn scheduled_event_by_date() {
        let sc = Scenario::from_json_str(
            r#"{"events": [{"date": "2026-06-15", "kind": "nuclear_test", "magnitude": 2.0}]}"#,
        )
        .unwrap();
        assert_eq!(sc.scheduled(), vec![(2, ShockKind::NuclearTest, 2.0)]);
    }
}
