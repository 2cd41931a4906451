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

use crate::counterparts::UnitedStates;
use crate::events::{Shock, ShockKind};
use crate::executive::Executive;
use crate::legislature::{Assessment, Legislature};
use crate::network::Graph;
use crate::rng::{decay, normal, Counter, RunRng};
use crate::scenario::{parse_date, JapanMode, Party, Scenario};
use crate::voters::{Pulse, Voters};

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
/// Grievance-averaging rounds that settle Japan's voters before week 0.
const SETTLE_ROUNDS: usize = 30;

/// Japan's own voters, Diet and cabinet (full mode).
struct Engine {
    sc: Scenario,
    counter: Counter,
    graph: Graph,
    voters: Voters,
    diet: Legislature,
    cabinet: Executive,
    /// The Diet's stance on a pro-cooperation motion this week.
    assessment: Assessment,
}

/// Long-run loads the run starts at (see `Japan::new`).
pub struct Loads {
    pub threat: f64,
    pub dispute: f64,
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
    full: Option<Box<Engine>>,
}

impl Japan {
    /// `counter` and `rng` seed Japan's own voters in full mode. The run starts at the
    /// long-run loads of routine security threat (shared by both publics), disputes and
    /// Korean offences, so nothing drifts through the first years; the mood Japan starts
    /// with is its resting mood.
    pub fn new(sc: &Scenario, counter: &Counter, rng: &mut RunRng, loads: Loads) -> Japan {
        let j = &sc.japan;
        let start = sc.start_day();
        let mut dated: Vec<(i64, f64)> =
            j.cabinets.iter().filter_map(|c| Some((parse_date(&c.date).ok()?, c.nationalism))).collect();
        dated.sort_by_key(|c| c.0);
        let cabinets = dated.iter().map(|&(day, n)| (((day - start).div_euclid(7)).max(0) as u32, n)).collect();
        let full = (j.mode == JapanMode::Full).then(|| Box::new(Engine::new(sc, counter, rng, &loads)));
        let mood = full.as_ref().map_or(j.mood - loads.offence, |e| e.voters.aggregate().favourability).clamp(0.0, 1.0);
        Japan {
            base_willingness: j.willingness,
            nationalism: j.nationalism,
            cabinets,
            dispute_decay: decay(j.dispute_half_life_weeks),
            dispute: loads.dispute,
            mood_rest: mood,
            calm_mood: j.mood,
            mood_weight: j.mood_weight,
            spillover: j.mood_spillover,
            offence: loads.offence,
            offence_this_week: 0.0,
            mood,
            ruling_share: j.seats.conservative as f64 / crate::legislature::SEATS as f64,
            commitment_level: sc.us.commitment,
            abandonment: 0.0,
            full,
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
        self.offence *= self.dispute_decay;
        self.seat_cabinet(week)
    }

    /// Disputes sour Tokyo: triggers, frictions and Korean-side disputes lower its
    /// willingness for a while; frictions and Korean disputes also sour the public.
    pub fn absorb(&mut self, shock: &Shock, sc: &Scenario) {
        self.dispute += Japan::dispute_jump(shock.kind, sc) * shock.magnitude;
        match shock.kind {
            ShockKind::KoreanDispute => self.offend_public(sc.shocks.korean_dispute.effect * shock.magnitude),
            ShockKind::MilitaryFriction => self.offend_public(sc.shocks.military_friction.effect * shock.magnitude),
            _ => {}
        }
    }

    /// Fall in Japan's willingness per unit magnitude of an event.
    pub fn dispute_jump(kind: ShockKind, sc: &Scenario) -> f64 {
        match kind {
            ShockKind::JapanTrigger => 0.05,
            ShockKind::MilitaryFriction => 0.15,
            ShockKind::KoreanDispute => sc.shocks.korean_dispute.effect,
            _ => 0.0,
        }
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
                let pulse = Pulse {
                    step: week,
                    threat_jump,
                    threat_base_shift: 0.5 * us.abandonment_shock(),
                    grievance_shock: self.offence,
                    activation: 0.0,
                    trigger: OFFENCE_SALIENCE * fresh,
                    exec_party: Some(e.cabinet.party),
                    exec_stance: e.cabinet.stance(),
                    politicisation: 0.0,
                    approval_shift: e.cabinet.approval_shift(week, e.sc.voters.term_decay),
                };
                if week > 0 && week.is_multiple_of(52) {
                    e.voters.replace_cohort(&e.sc, week, &pulse, &e.counter);
                }
                let agg = e.voters.step(&e.graph, &pulse, &e.counter);
                e.assessment = e.diet.assess(&agg, e.cabinet.party, 0.0, &e.counter, week);
                let seat_share = e.diet.seats(e.cabinet.party) as f64 / crate::legislature::SEATS as f64;
                e.cabinet.update_capital(week, agg.approval, seat_share);
                self.mood = agg.favourability;
            }
        }
    }

    fn capital(&self) -> f64 {
        self.full.as_ref().map_or(0.5, |e| e.cabinet.capital)
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
            Some(e) => Legislature::consents(&e.assessment),
        }
    }
}

impl Engine {
    fn new(sc: &Scenario, counter: &Counter, rng: &mut RunRng, loads: &Loads) -> Engine {
        let mut jp = sc.clone();
        jp.voters = sc.japan.voters.clone();
        jp.legislature.seats = sc.japan.seats.clone();
        jp.executive.party = Party::Conservative;
        jp.executive.ideology = 2.0 * sc.japan.willingness - 1.0;
        jp.executive.term_start = sc.start_date.clone();
        // The ruling party's leadership term; without Japanese elections the clock repeats.
        jp.executive.term_years = 3;
        jp.elections.enabled = false;
        let counter = counter.derive(JAPAN_STREAM);
        let mut voters = Voters::new(&jp, &counter, rng);
        let net = &jp.network;
        let degree = (net.degree as usize).min(voters.n() - 1);
        let graph = Graph::watts_strogatz(&voters.party, degree, net.rewire, net.homophily, &counter);
        voters.settle(&graph, SETTLE_ROUNDS, loads.offence);
        voters.raise_threat(loads.threat);
        let agg = voters.aggregate();
        let diet = Legislature::new(&jp, &agg.district_lean, rng);
        let mut cabinet = Executive::new(&jp);
        let assessment = diet.assess(&agg, Party::Conservative, 0.0, &counter, 0);
        let seat_share = diet.seats(Party::Conservative) as f64 / crate::legislature::SEATS as f64;
        cabinet.update_capital(0, agg.approval, seat_share);
        Engine { sc: jp, counter, graph, voters, diet, cabinet, assessment }
    }
}

/// Nationalism of the cabinet in office in week 0: the last one dated on or before the
/// start, else `japan.nationalism`.
pub fn starting_nationalism(sc: &Scenario) -> f64 {
    let start = sc.start_day();
    sc.japan
        .cabinets
        .iter()
        .filter_map(|c| Some((parse_date(&c.date).ok()?, c.nationalism)))
        .filter(|c| c.0 - start < 7)
        .max_by_key(|c| c.0)
        .map_or(sc.japan.nationalism, |c| c.1)
}

/// Events that offend the Japanese public as well as its cabinet.
pub const PUBLIC_OFFENDERS: [ShockKind; 2] = [ShockKind::MilitaryFriction, ShockKind::KoreanDispute];

/// Key of Japan's own counter-based streams, so its voters never share Korea's draws.
const JAPAN_STREAM: u64 = 0x4a50_4e00;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::run_rng;

    fn shock(kind: ShockKind, magnitude: f64) -> Shock {
        Shock { kind, magnitude, scheduled: true }
    }

    fn calm_us() -> UnitedStates {
        UnitedStates::new(&Scenario::default())
    }

    fn japan(sc: &Scenario) -> Japan {
        let loads = Loads { threat: 0.0, dispute: 0.0, offence: 0.0 };
        Japan::new(sc, &Counter::new(&[3; 32]), &mut run_rng(&[3; 32]), loads)
    }

    #[test]
    fn disputes_shrink_japans_win_set() {
        let sc = Scenario::default();
        let mut jp = japan(&sc);
        assert!(jp.accepts(0.5, 1.0));
        jp.absorb(&shock(ShockKind::JapanTrigger, 8.0), &sc);
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
        jp.absorb(&shock(ShockKind::JapanTrigger, 7.0), &sc);
        jp.react(0, 0.0, 0.0, &calm_us());
        assert!(!jp.accepts(0.5, 1.0));
        let mut wary = calm_us();
        wary.absorb(&shock(ShockKind::UsAbandonment, 4.0), &sc);
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
            crate::scenario::Cabinet { date: "2026-05-01".into(), nationalism: 0.2 },
            crate::scenario::Cabinet { date: "2026-08-01".into(), nationalism: 0.9 },
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
