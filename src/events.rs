//! External events: stochastic (Poisson arrivals, Pareto magnitudes) and scheduled, and
//! what each kind does to the rooms it reaches (`Params::impact`).
//!
//! A kind of shock is declared once, in `shock_kinds!` below: its name, its default rate
//! and effect with their rows of the parameter table, and whether `shocks.intensity` scales
//! it; its impact is one arm of `Params::impact`.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::calendar::WEEKS_PER_YEAR;
use crate::rng::{decay, RunRng};
use crate::scenario::{param, params, Row};

/// Annual rate and main effect of one kind of stochastic event.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShockParams {
    pub rate: f64,
    pub effect: f64,
}

macro_rules! shock_kinds {
    ($(
        $(#[$doc:meta])*
        $kind:ident {
            key: $key:ident,
            security: $security:literal,
            rate: $rate:literal, max_rate: $max_rate:literal, $rate_doc:literal,
            effect: $effect:literal, $effect_unit:literal, $effect_doc:literal $(,)?
        }
    )*) => {
        #[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
        #[serde(rename_all = "snake_case")]
        pub enum ShockKind {
            $($(#[$doc])* $kind,)*
        }

        impl ShockKind {
            /// In the order declared: the events stream is consumed kind by kind in this
            /// order every week.
            pub const ALL: [ShockKind; [$(stringify!($kind)),*].len()] = [$(ShockKind::$kind),*];

            pub fn name(self) -> &'static str {
                match self {
                    $(ShockKind::$kind => stringify!($key),)*
                }
            }

            /// Security shocks: the ones `shocks.intensity` scales (the external-shock pathway).
            pub fn is_security(self) -> bool {
                match self {
                    $(ShockKind::$kind => $security,)*
                }
            }
        }

        params! {
            /// The `[shocks]` section: the scales, then each kind's rate and effect.
            pub struct Params {
                /// Multiplies every stochastic event rate.
                rate_scale: f64 = 1.0, unit "multiplier", range 0.0..=100.0;
                /// Multiplies the magnitudes of stochastic security shocks (North Korean tests,
                /// maritime clashes, Chinese coercion, US abandonment signals).
                intensity: f64 = 1.0, unit "multiplier", range 0.0..=100.0;
                /// Tail index of event magnitudes (smaller = heavier tail); mean magnitude is 1 x
                /// intensity.
                tail: f64 = 2.5, unit "Pareto shape", range 1.05..=100.0;
                $(
                    $key: ShockParams = ShockParams { rate: $rate, effect: $effect }, table &[
                        Row::Leaf(param("rate", "per year", 0.0, $max_rate, $rate_doc)),
                        Row::Leaf(param("effect", $effect_unit, 0.0, 1.0, $effect_doc)),
                    ];
                )*
            }
        }

        impl Params {
            pub fn params(&self, kind: ShockKind) -> ShockParams {
                match kind {
                    $(ShockKind::$kind => self.$key,)*
                }
            }
        }

    };
}

shock_kinds! {
    MissileTest {
        key: missile_test, security: true,
        rate: 12.0, max_rate: 365.0, "North Korean missile test days.",
        effect: 0.03, "threat", "Threat jump per unit magnitude.",
    }
    NuclearTest {
        key: nuclear_test, security: true,
        rate: 0.2, max_rate: 52.0, "North Korean nuclear tests.",
        effect: 0.30, "threat", "Threat jump per unit magnitude.",
    }
    MaritimeClash {
        key: maritime_clash, security: true,
        rate: 0.15, max_rate: 52.0, "Inter-Korean maritime clashes.",
        effect: 0.15, "threat", "Threat jump per unit magnitude.",
    }
    ChineseCoercion {
        key: chinese_coercion, security: true,
        rate: 0.3, max_rate: 52.0, "Chinese coercion episodes.",
        effect: 0.10, "threat and US pressure", "Threat jump and US pressure rise per unit magnitude.",
    }
    UsAbandonment {
        key: us_abandonment, security: true,
        rate: 0.5, max_rate: 52.0, "US abandonment signals.",
        effect: 0.10, "commitment", "Fall in US commitment per unit magnitude.",
    }
    JapanTrigger {
        key: japan_trigger, security: false,
        rate: 1.5, max_rate: 52.0, "Japanese triggers (shrine visit, textbook, territorial claim, export controls) at nationalism 0.5.",
        effect: 0.03, "grievance", "Grievance rise per unit magnitude (salience rises with it).",
    }
    MilitaryFriction {
        key: military_friction, security: false,
        rate: 0.1, max_rate: 52.0, "Military frictions (radar lock type); freezes drills.",
        effect: 0.03, "grievance", "Grievance rise per unit magnitude.",
    }
    Disaster {
        key: disaster, security: false,
        rate: 0.5, max_rate: 52.0, "Regional disasters: an uncontroversial HADR opportunity.",
        effect: 0.05, "familiarity", "Familiarity gained per unit magnitude when drills are in force.",
    }
    UsPressure {
        key: us_pressure, security: false,
        rate: 0.5, max_rate: 52.0, "US pushes for trilateral integration (visits, summits, public demands).",
        effect: 0.2, "pressure", "Rise in US pressure per unit magnitude; fades with us.episode_half_life_weeks.",
    }
    KoreanDispute {
        key: korean_dispute, security: false,
        rate: 0.3, max_rate: 52.0, "Korean acts that offend Japan (court rulings on wartime labour, visits to Dokdo).",
        effect: 0.1, "willingness", "Fall in Japan's willingness per unit magnitude; the Japanese public's mood falls by japan.mood_spillover x this.",
    }
    Gesture {
        key: gesture, security: false,
        rate: 0.0, max_rate: 52.0, "Conciliatory gestures from Tokyo (an apology statement, a settlement of the forced-labour cases).",
        effect: 0.03, "0-1 scale", "Fall of the grievance anchor of the voters who accept a gesture, per unit magnitude (those who reject it: perception.gesture_backlash).",
    }
}

/// Salience input per unit magnitude of a Japanese trigger (a military friction or a
/// Korean dispute: half).
pub const TRIGGER_SALIENCE: f64 = 0.5;
/// Japan's dispute per unit magnitude of a Japanese trigger and of a military friction.
pub const TRIGGER_DISPUTE: f64 = 0.05;
pub const FRICTION_DISPUTE: f64 = 0.15;

/// What one shock does, room by room; zero where it does nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Impact {
    /// Threat jump of every voter (Korea's and, in full mode, Japan's), before exposure.
    pub threat: f64,
    /// Rise of Korean voters' grievance (fades with voters.grievance_shock_half_life_weeks).
    pub grievance: f64,
    /// Salience and rally input of Korean voters.
    pub salience: f64,
    /// Rise of US pressure and fall of US commitment (episodes that fade).
    pub us_pressure: f64,
    pub us_commitment: f64,
    /// Fall of Japan's willingness (a dispute that fades).
    pub japan_dispute: f64,
    /// The part of `japan_dispute` that Tokyo's own acts against Seoul build (negative
    /// for a concession): what Seoul may answer in kind.
    pub japan_hostility: f64,
    /// Offence felt by the Japanese public.
    pub japan_offence: f64,
    /// Familiarity gained if drills are running.
    pub familiarity: f64,
    /// Magnitude of a conciliatory gesture from Tokyo, which moves Korean voters' anchors
    /// (`perception::gesture`).
    pub gesture: f64,
    /// Drills freeze for ladder.friction_freeze_weeks.
    pub freezes_drills: bool,
}

/// A shock that lands this week.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shock {
    pub kind: ShockKind,
    pub magnitude: f64,
    pub scheduled: bool,
}

/// An event of the scenario's `events` list, on its week or its date.
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

impl Params {
    /// What a shock of `kind` and magnitude `m` does.
    pub fn impact(&self, kind: ShockKind, m: f64) -> Impact {
        let effect = self.params(kind).effect * m;
        let none = Impact::default();
        match kind {
            ShockKind::MissileTest | ShockKind::MaritimeClash => Impact { threat: effect, ..none },
            ShockKind::NuclearTest => {
                Impact { threat: effect, us_pressure: 0.5 * self.nuclear_test.effect * m, ..none }
            }
            ShockKind::ChineseCoercion => Impact { threat: effect, us_pressure: effect, ..none },
            ShockKind::UsAbandonment => Impact { us_commitment: effect, ..none },
            ShockKind::UsPressure => Impact { us_pressure: effect, ..none },
            ShockKind::JapanTrigger => {
                let dispute = TRIGGER_DISPUTE * m;
                Impact {
                    grievance: effect,
                    salience: TRIGGER_SALIENCE * m,
                    japan_dispute: dispute,
                    japan_hostility: dispute,
                    ..none
                }
            }
            ShockKind::MilitaryFriction => Impact {
                grievance: effect,
                salience: 0.5 * TRIGGER_SALIENCE * m,
                japan_dispute: FRICTION_DISPUTE * m,
                japan_hostility: FRICTION_DISPUTE * m,
                japan_offence: effect,
                freezes_drills: true,
                ..none
            },
            ShockKind::Disaster => Impact { familiarity: effect, ..none },
            ShockKind::KoreanDispute => {
                Impact { salience: 0.5 * TRIGGER_SALIENCE * m, japan_dispute: effect, japan_offence: effect, ..none }
            }
            // A concession undoes the dispute of a Japanese trigger of the same magnitude.
            ShockKind::Gesture => Impact {
                gesture: m,
                japan_dispute: -TRIGGER_DISPUTE * m,
                japan_hostility: -TRIGGER_DISPUTE * m,
                ..none
            },
        }
    }

    /// Expected events of `kind` per week: the annual rate x rate_scale, for Japanese
    /// triggers also x (0.5 + the sitting Japanese cabinet's nationalism).
    pub fn weekly_rate(&self, kind: ShockKind, nationalism: f64) -> f64 {
        let mut rate = self.params(kind).rate * self.rate_scale;
        if kind == ShockKind::JapanTrigger {
            rate *= 0.5 + nationalism;
        }
        rate / WEEKS_PER_YEAR
    }

    /// Long-run mean of a stock that every shock raises by `jump` of its impact and that
    /// decays with `half_life`: the sum over kinds of weekly rate x jump at the mean
    /// magnitude (1 x intensity) / (1 - weekly decay). Runs start their stocks there
    /// instead of at zero, so they do not drift through the first years.
    pub fn long_run_load(&self, nationalism: f64, half_life: f64, jump: impl Fn(&Impact) -> f64) -> f64 {
        ShockKind::ALL
            .into_iter()
            .map(|kind| {
                let mean = if kind.is_security() { self.intensity } else { 1.0 };
                self.weekly_rate(kind, nationalism) * jump(&self.impact(kind, mean)) / (1.0 - decay(half_life))
            })
            .sum()
    }
}

/// Poisson count by inversion (rates here are small; large ones stay exact, only slower).
fn poisson(rng: &mut RunRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    let mut k = 0u32;
    let mut p = crate::math::exp(-lambda);
    let mut cdf = p;
    let u: f64 = rng.random();
    while u > cdf && k < 10_000 {
        k += 1;
        p *= lambda / k as f64;
        cdf += p;
        if p == 0.0 {
            break;
        }
    }
    k
}

/// Pareto magnitude with tail index `tail`, scaled so its mean is `intensity`; capped at
/// 20 x intensity so one draw cannot saturate every state variable for the whole run.
fn magnitude(rng: &mut RunRng, tail: f64, intensity: f64) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let xm = (tail - 1.0) / tail;
    (intensity * xm * crate::math::powf(u, -1.0 / tail)).min(20.0 * intensity)
}

/// This week's shocks: the stochastic draws, then the scheduled ones. Scheduled magnitudes
/// are taken as given.
pub fn draw_week(
    p: &Params,
    week: u32,
    nationalism: f64,
    scheduled: &[(u32, ShockKind, f64)],
    rng: &mut RunRng,
    out: &mut Vec<Shock>,
) {
    out.clear();
    for kind in ShockKind::ALL {
        let count = poisson(rng, p.weekly_rate(kind, nationalism));
        let intensity = if kind.is_security() { p.intensity } else { 1.0 };
        for _ in 0..count {
            let m = magnitude(rng, p.tail, intensity);
            out.push(Shock { kind, magnitude: m, scheduled: false });
        }
    }
    for &(_, kind, m) in scheduled.iter().filter(|e| e.0 == week) {
        out.push(Shock { kind, magnitude: m, scheduled: true });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::run_rng;

    #[test]
    fn names_are_the_serialised_names() {
        for kind in ShockKind::ALL {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.name()));
        }
    }

    #[test]
    fn rates_and_magnitudes_match_parameters() {
        let p = Params { intensity: 2.0, ..Params::default() };
        let mut rng = run_rng(&[3u8; 32]);
        let mut out = Vec::new();
        let weeks = 52_000u32;
        let (mut missiles, mut mag) = (0usize, 0.0);
        for w in 0..weeks {
            draw_week(&p, w, 0.6, &[], &mut rng, &mut out);
            for s in &out {
                if s.kind == ShockKind::MissileTest {
                    missiles += 1;
                    mag += s.magnitude;
                }
            }
        }
        let per_year = missiles as f64 / (weeks as f64 / WEEKS_PER_YEAR);
        assert!((per_year - p.missile_test.rate).abs() < 0.3, "{per_year}");
        let mean = mag / missiles as f64;
        assert!((mean - 2.0).abs() < 0.1, "{mean}");
    }

    #[test]
    fn nationalism_raises_trigger_rate() {
        let count = |nationalism: f64| {
            let p = Params::default();
            let mut rng = run_rng(&[5u8; 32]);
            let mut out = Vec::new();
            (0..20_000)
                .map(|w| {
                    draw_week(&p, w, nationalism, &[], &mut rng, &mut out);
                    out.iter().filter(|s| s.kind == ShockKind::JapanTrigger).count()
                })
                .sum::<usize>()
        };
        assert!(count(1.0) > 2 * count(0.0));
    }

    #[test]
    fn scheduled_events_arrive_on_their_week() {
        let p = Params { rate_scale: 0.0, ..Params::default() };
        let mut rng = run_rng(&[1u8; 32]);
        let mut out = Vec::new();
        let sched = [(4, ShockKind::NuclearTest, 1.5)];
        draw_week(&p, 3, 0.6, &sched, &mut rng, &mut out);
        assert!(out.is_empty());
        draw_week(&p, 4, 0.6, &sched, &mut rng, &mut out);
        assert_eq!(out, vec![Shock { kind: ShockKind::NuclearTest, magnitude: 1.5, scheduled: true }]);
    }

    #[test]
    fn long_run_load_sums_the_kinds_that_feed_a_stock() {
        let p = Params::default();
        let threat = p.long_run_load(0.6, 8.0, |i| i.threat);
        let by_hand: f64 =
            [ShockKind::MissileTest, ShockKind::NuclearTest, ShockKind::MaritimeClash, ShockKind::ChineseCoercion]
                .into_iter()
                .map(|k| p.weekly_rate(k, 0.6) * p.params(k).effect / (1.0 - decay(8.0)))
                .sum();
        assert_eq!(threat, by_hand);
    }
}
