//! Japan, the other side of the two-level game.
//!
//! Its executive's willingness to deepen cooperation (the win-set) follows US pressure,
//! disputes with Seoul, the Japanese public's mood and, in full mode, the cabinet's
//! political capital. The Diet approves an ACSA by vote. The cabinet's nationalism sets
//! the rate of Japanese triggers, and replays can seat new cabinets on their dates.
//!
//! Reduced mode keeps the public as one stock, its mood. Full mode runs Japan on the same
//! voter, legislature and executive engine as Korea, with its own voters (`japan.voters`),
//! whose "grievance" is antipathy toward Korea.

use serde::{Deserialize, Serialize};

use crate::calendar::{parse_date, Calendar};
use crate::events::Impact;
use crate::legislature::{Assessment, Legislature, Seats};
use crate::polity::{Inputs, Polity};
use crate::rng::{decay, normal, RunRng};
use crate::scenario::params;
use crate::us::UnitedStates;
use crate::voters;

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

params! {
    /// The `[japan]` section.
    pub struct Params {
        /// reduced: Japan as a few stocks; full: Japan on the same voter, legislature and executive
        /// engine, with its own voters (japan.voters).
        mode: JapanMode = JapanMode::Reduced, unit "choice";
        /// Japanese executive nationalism; trigger rate scales with 0.5 + nationalism.
        nationalism: f64 = 0.6, unit "0-1 scale", range 0.0..=1.0;
        /// Japan's resting willingness to deepen cooperation.
        willingness: f64 = 0.8, unit "0-1 scale", range 0.0..=1.0;
        /// Half-life of Japan's reluctance after a dispute.
        dispute_half_life_weeks: f64 = 52.0, unit "weeks", range 0.1..=1040.0;
        /// Resting share of the Japanese public with a good impression of Korea (reduced mode; full
        /// mode starts from japan.voters).
        mood: f64 = 0.37, unit "share", range 0.0..=1.0;
        /// Change in Japan's willingness per unit of public mood above or below its resting level.
        mood_weight: f64 = 0.5, unit "per unit", range 0.0..=5.0;
        /// Fall in Japanese mood per unit of Korean salience above baseline and per unit of a Korean
        /// offence (termination notice, dispute).
        mood_spillover: f64 = 0.5, unit "per unit", range 0.0..=5.0;
        // House of Representatives, 2024 election, scaled to 300: LDP-Komeito 215, CDP and the
        // left 166, others 84 of 465.
        seats: Seats = Seats { progressive: 107, conservative: 139, independent: 54 }, table Seats::ROWS;
        /// New Japanese cabinets (date, nationalism), for replays: from each date the executive's
        /// nationalism sets the trigger rate.
        cabinets: Vec<Cabinet> = Vec::new(), unit "list";
        /// Japan's own voters (full mode only): "grievance" is antipathy toward Korea.
        voters: voters::Params = japanese_voters(), table voters::Params::ROWS;
    }
}

/// Japanese voters: the same engine, with antipathy toward Korea as "grievance".
/// Sources and reasons are in docs/ODD.md section 9.
pub fn japanese_voters() -> voters::Params {
    voters::Params {
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
        ..voters::Params::default()
    }
}

/// Weekly fall in mood per unit of Korean salience more than SPIKE above its baseline,
/// times `japan.mood_spillover`: only spikes spill over. A Korean boycott summer
/// (salience 0.4 above baseline for 20 weeks) costs about 0.09 at the default spillover.
const SALIENCE_SPILLOVER: f64 = 0.03;
const SPIKE: f64 = 0.1;
/// Willingness per unit of the cabinet's political capital above 0.5 (full mode).
const CAPITAL_WEIGHT: f64 = 0.5;
/// Willingness per unit fall in US commitment below the scenario's level (`us.commitment`):
/// shared fear of abandonment draws Tokyo toward Seoul as it draws Seoul toward Tokyo
/// (Cha's quasi-alliance model). A more committed administration has the opposite effect.
const ABANDONMENT_WEIGHT: f64 = 0.5;
/// Spread of the Diet's yes share around its expected value (reduced mode).
const DIET_NOISE: f64 = 0.05;
/// Salience input to Japanese voters per unit of Korean offence (full mode).
const OFFENCE_SALIENCE: f64 = 0.5;

/// Long-run loads the run starts at (see `Japan::new`).
pub struct Loads {
    pub threat: f64,
    pub dispute: f64,
    pub hostility: f64,
    pub offence: f64,
}

pub struct Japan {
    base_willingness: f64,
    /// The sitting cabinet's nationalism: Japanese triggers come at rate x (0.5 + this).
    pub nationalism: f64,
    /// Cabinets still to be seated: (week, nationalism), in date order.
    cabinets: Vec<(u32, f64)>,
    dispute_decay: f64,
    dispute: f64,
    /// The part of the dispute that Tokyo's own acts built, less its concessions.
    hostility: f64,
    /// Mood the run starts with, at the long-run load of offences.
    mood_rest: f64,
    /// Reduced mode: the mood without any Korean offence (`japan.mood`).
    calm_mood: f64,
    mood_weight: f64,
    spillover: f64,
    /// Korean offences the Japanese public still feels (grievance units); fades like disputes.
    offence: f64,
    offence_this_week: f64,
    /// Share of the Japanese public with a good impression of Korea.
    pub mood: f64,
    ruling_share: f64,
    /// The scenario's US commitment, and this week's fall below it.
    commitment_level: f64,
    abandonment: f64,
    /// Full mode: Japan's own voters, Diet and cabinet.
    full: Option<Box<Polity>>,
    /// The Diet's stance on a pro-cooperation motion this week (full mode).
    assessment: Assessment,
}

impl Japan {
    /// Japan of section `j`, with its own voters, Diet and cabinet in full mode (`full`).
    /// The run starts at the long-run loads of disputes and Korean offences, so nothing
    /// drifts through the first years; the mood Japan starts with is its resting mood.
    /// `us_commitment` is the scenario's US commitment, against which Japan measures
    /// abandonment.
    pub fn new(j: &Params, calendar: &Calendar, us_commitment: f64, full: Option<Polity>, loads: Loads) -> Japan {
        let mut dated: Vec<(i64, f64)> =
            j.cabinets.iter().filter_map(|c| Some((parse_date(&c.date).ok()?, c.nationalism))).collect();
        dated.sort_by_key(|c| c.0);
        let cabinets = dated.iter().map(|&(day, n)| (calendar.week_of(day).max(0) as u32, n)).collect();
        let mut full = full.map(Box::new);
        let mut mood = j.mood - loads.offence;
        let mut assessment = Assessment::default();
        if let Some(e) = full.as_deref_mut() {
            // The Diet's stance and the cabinet's capital, read from the settled voters.
            let agg = e.voters.aggregate();
            assessment = e.institutions_week(0, &agg, 0.0, false);
            mood = agg.favourability;
        }
        let mood = mood.clamp(0.0, 1.0);
        Japan {
            base_willingness: j.willingness,
            nationalism: j.nationalism,
            cabinets,
            dispute_decay: decay(j.dispute_half_life_weeks),
            dispute: loads.dispute,
            hostility: loads.hostility,
            mood_rest: mood,
            calm_mood: j.mood,
            mood_weight: j.mood_weight,
            spillover: j.mood_spillover,
            offence: loads.offence,
            offence_this_week: 0.0,
            mood,
            ruling_share: j.seats.conservative as f64 / crate::legislature::SEATS as f64,
            commitment_level: us_commitment,
            abandonment: 0.0,
            full,
            assessment,
        }
    }

    /// A new cabinet whose date has come takes office.
    fn seat_cabinet(&mut self, week: u32) -> bool {
        let mut seated = false;
        while self.cabinets.first().is_some_and(|c| c.0 <= week) {
            self.nationalism = self.cabinets.remove(0).1;
            seated = true;
        }
        seated
    }

    /// Start of the week: disputes and offences fade; a scheduled cabinet takes office.
    /// Returns true when a new cabinet was seated.
    pub fn step(&mut self, week: u32) -> bool {
        self.dispute *= self.dispute_decay;
        self.hostility *= self.dispute_decay;
        self.offence *= self.dispute_decay;
        self.seat_cabinet(week)
    }

    /// Disputes sour Tokyo: triggers, frictions and Korean-side disputes lower its
    /// willingness for a while, and a gesture of its own eases them; frictions and Korean
    /// disputes also sour the public.
    pub fn absorb(&mut self, impact: &Impact) {
        self.dispute = (self.dispute + impact.japan_dispute).max(0.0);
        self.hostility = (self.hostility + impact.japan_hostility).max(0.0);
        self.offend_public(impact.japan_offence);
    }

    fn offend_public(&mut self, amount: f64) {
        self.offence += self.spillover * amount;
        self.offence_this_week += amount;
    }

    /// A Korean move to end an agreement is itself a dispute, felt by cabinet and public.
    pub fn offended(&mut self, amount: f64) {
        self.dispute += amount;
        self.offend_public(amount);
    }

    /// After Korea's week: Korean salience spills over into Japanese mood, and in full
    /// mode Japan's voters, Diet and cabinet take their own step. Offences since the last
    /// reaction (this week's events, last week's notice) reach the voters now.
    pub fn react(&mut self, week: u32, salience_excess: f64, threat_jump: f64, us: &UnitedStates) {
        let fresh = std::mem::take(&mut self.offence_this_week);
        self.offence += SALIENCE_SPILLOVER * self.spillover * (salience_excess - SPIKE).max(0.0);
        self.abandonment = self.commitment_level - us.commitment();
        match self.full.as_deref_mut() {
            None => self.mood = (self.calm_mood - self.offence).clamp(0.0, 1.0),
            Some(e) => {
                let inputs = Inputs {
                    threat_jump,
                    threat_base_shift: 0.5 * us.abandonment_shock(),
                    grievance_shock: self.offence,
                    trigger: OFFENCE_SALIENCE * fresh,
                    ..Inputs::default()
                };
                let agg = e.public_week(week, inputs);
                self.assessment = e.institutions_week(week, &agg, 0.0, false);
                self.mood = agg.favourability;
            }
        }
    }

    /// Tokyo's hostility toward Seoul: the dispute its own triggers and frictions have
    /// built and that has not yet faded or been conceded.
    pub fn hostility(&self) -> f64 {
        self.hostility
    }

    fn capital(&self) -> f64 {
        self.full.as_ref().map_or(0.5, |e| e.executive.capital)
    }

    /// Willingness to deepen cooperation; US pressure and fear of abandonment push Tokyo
    /// as well as Seoul.
    pub fn willingness(&self, us_pressure: f64) -> f64 {
        (self.base_willingness
            + 0.2 * (us_pressure - 0.5)
            + ABANDONMENT_WEIGHT * self.abandonment
            + self.mood_weight * (self.mood - self.mood_rest)
            + CAPITAL_WEIGHT * (self.capital() - 0.5)
            - self.dispute)
            .clamp(0.0, 1.0)
    }

    /// Japan's win-set holds a rung when willingness clears a bar that rises with the
    /// rung's controversy (0.3 for none, 0.6 for a full ACSA).
    pub fn accepts(&self, us_pressure: f64, controversy: f64) -> bool {
        self.willingness(us_pressure) >= 0.3 + 0.3 * controversy
    }

    /// Would the Diet approve an ACSA this week? Reduced mode: the ruling coalition votes
    /// yes and the rest follow the public mood; full mode: the Diet's own vote.
    pub fn diet_approves(&self, rng: &mut RunRng) -> bool {
        match self.full.as_deref() {
            None => {
                let yes = self.ruling_share + (1.0 - self.ruling_share) * self.mood + DIET_NOISE * normal(rng);
                yes > 0.5
            }
            Some(_) => Legislature::consents(&self.assessment),
        }
    }
}

impl Params {
    /// Nationalism of the cabinet in office in week 0: the last one dated on or before the
    /// start, else `japan.nationalism`.
    pub fn starting_nationalism(&self, calendar: &Calendar) -> f64 {
        self.cabinets
            .iter()
            .filter_map(|c| Some((parse_date(&c.date).ok()?, c.nationalism)))
            .filter(|c| calendar.week_of(c.0) <= 0)
            .max_by_key(|c| c.0)
            .map_or(self.nationalism, |c| c.1)
    }
}

/// Key of Japan's own counter-based streams, so its voters never share Korea's draws.
pub const JAPAN_STREAM: u64 = 0x4a50_4e00;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::ShockKind;
    use crate::rng::{run_rng, Counter};
    use crate::scenario::Scenario;

    fn shock(sc: &Scenario, kind: ShockKind, magnitude: f64) -> Impact {
        sc.shocks.impact(kind, magnitude)
    }

    fn calm_us() -> UnitedStates {
        UnitedStates::new(&Scenario::default().us, 0.0, 0.0)
    }

    fn japan(sc: &Scenario) -> Japan {
        let loads = Loads { threat: 0.0, dispute: 0.0, hostility: 0.0, offence: 0.0 };
        let full = (sc.japan.mode == JapanMode::Full)
            .then(|| crate::world::japan_engine(sc, &[3; 32], &Counter::new(&[3; 32]), &loads).unwrap());
        Japan::new(&sc.japan, &sc.calendar(), sc.us.commitment, full, loads)
    }

    #[test]
    fn disputes_shrink_japans_win_set() {
        let sc = Scenario::default();
        let mut jp = japan(&sc);
        assert!(jp.accepts(0.5, 1.0));
        jp.absorb(&shock(&sc, ShockKind::JapanTrigger, 8.0));
        assert!(!jp.accepts(0.5, 1.0));
        assert!(jp.accepts(0.5, 0.1));
    }

    #[test]
    fn korean_offences_sour_the_public_and_then_heal() {
        let sc = Scenario::default();
        let mut jp = japan(&sc);
        let before = (jp.mood, jp.willingness(0.5));
        jp.offended(0.3);
        jp.react(0, 0.5, 0.0, &calm_us());
        assert!(jp.mood < before.0 - 0.1, "{} {}", jp.mood, before.0);
        assert!(jp.willingness(0.5) < before.1);
        for w in 1..520 {
            jp.step(w);
            jp.react(w, 0.0, 0.0, &calm_us());
        }
        assert!((jp.mood - before.0).abs() < 0.01);
    }

    #[test]
    fn shared_fear_of_abandonment_widens_japans_win_set() {
        let sc = Scenario::default();
        let mut jp = japan(&sc);
        jp.absorb(&shock(&sc, ShockKind::JapanTrigger, 7.0));
        jp.react(0, 0.0, 0.0, &calm_us());
        assert!(!jp.accepts(0.5, 1.0));
        let mut wary = calm_us();
        wary.absorb(&shock(&sc, ShockKind::UsAbandonment, 4.0));
        jp.react(1, 0.0, 0.0, &wary);
        assert!(jp.accepts(0.5, 1.0));
    }

    #[test]
    fn the_diet_follows_coalition_and_mood() {
        let mut rng = run_rng(&[9; 32]);
        let votes = |ruling: u32, mood: f64, rng: &mut RunRng| {
            let mut sc = Scenario::default();
            sc.japan.seats.conservative = ruling;
            sc.japan.seats.independent = 0;
            sc.japan.seats.progressive = 300 - ruling;
            sc.japan.mood = mood;
            let jp = japan(&sc);
            (0..200).filter(|_| jp.diet_approves(rng)).count()
        };
        assert!(votes(160, 0.4, &mut rng) > 190);
        assert!(votes(60, 0.2, &mut rng) < 10);
    }

    #[test]
    fn cabinets_take_office_on_their_dates() {
        let mut sc = Scenario::default();
        sc.japan.cabinets = vec![
            Cabinet { date: "2026-05-01".into(), nationalism: 0.2 },
            Cabinet { date: "2026-08-01".into(), nationalism: 0.9 },
        ];
        let mut jp = japan(&sc);
        assert_eq!(jp.nationalism, sc.japan.nationalism);
        assert!(jp.step(0));
        assert_eq!(jp.nationalism, 0.2);
        assert!(!jp.step(5));
        assert!(jp.step(9));
        assert_eq!(jp.nationalism, 0.9);
    }

    #[test]
    fn full_mode_runs_japans_own_public() {
        let mut sc = Scenario::default();
        sc.japan.mode = JapanMode::Full;
        sc.japan.voters.n = 2_000;
        let mut jp = japan(&sc);
        assert!(jp.mood > 0.05 && jp.mood < 0.95, "{}", jp.mood);
        let calm = jp.mood;
        jp.offended(0.5);
        for w in 0..8 {
            jp.react(w, 0.3, 0.0, &calm_us());
            jp.step(w + 1);
        }
        assert!(jp.mood < calm - 0.05, "{} {}", jp.mood, calm);
        assert!(jp.capital() > 0.0 && jp.capital() <= 1.0);
    }
}
