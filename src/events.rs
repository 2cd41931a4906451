//! External events: stochastic (Poisson arrivals, Pareto magnitudes) and scheduled.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::rng::RunRng;
use crate::scenario::Scenario;

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ShockKind {
    MissileTest,
    NuclearTest,
    MaritimeClash,
    ChineseCoercion,
    UsAbandonment,
    JapanTrigger,
    MilitaryFriction,
    Disaster,
    UsPressure,
    KoreanDispute,
}

impl ShockKind {
    /// Fixed order: the run stream is consumed kind by kind in this order every week.
    pub const ALL: [ShockKind; 10] = [
        ShockKind::MissileTest,
        ShockKind::NuclearTest,
        ShockKind::MaritimeClash,
        ShockKind::ChineseCoercion,
        ShockKind::UsAbandonment,
        ShockKind::JapanTrigger,
        ShockKind::MilitaryFriction,
        ShockKind::Disaster,
        ShockKind::UsPressure,
        ShockKind::KoreanDispute,
    ];

    /// Security shocks: the ones `shocks.intensity` scales (the external-shock pathway).
    pub fn is_security(self) -> bool {
        matches!(
            self,
            ShockKind::MissileTest
                | ShockKind::NuclearTest
                | ShockKind::MaritimeClash
                | ShockKind::ChineseCoercion
                | ShockKind::UsAbandonment
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            ShockKind::MissileTest => "missile_test",
            ShockKind::NuclearTest => "nuclear_test",
            ShockKind::MaritimeClash => "maritime_clash",
            ShockKind::ChineseCoercion => "chinese_coercion",
            ShockKind::UsAbandonment => "us_abandonment",
            ShockKind::JapanTrigger => "japan_trigger",
            ShockKind::MilitaryFriction => "military_friction",
            ShockKind::Disaster => "disaster",
            ShockKind::UsPressure => "us_pressure",
            ShockKind::KoreanDispute => "korean_dispute",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shock {
    pub kind: ShockKind,
    pub magnitude: f64,
    pub scheduled: bool,
}

pub const WEEKS_PER_YEAR: f64 = 52.1775;

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
/// are taken as given. Japanese triggers come at their rate x (0.5 + the sitting Japanese
/// cabinet's nationalism).
pub fn draw_week(
    sc: &Scenario,
    week: u32,
    nationalism: f64,
    scheduled: &[(u32, ShockKind, f64)],
    rng: &mut RunRng,
    out: &mut Vec<Shock>,
) {
    out.clear();
    let s = &sc.shocks;
    for kind in ShockKind::ALL {
        let mut rate = s.params(kind).rate * s.rate_scale;
        if kind == ShockKind::JapanTrigger {
            rate *= 0.5 + nationalism;
        }
        let count = poisson(rng, rate / WEEKS_PER_YEAR);
        let intensity = if kind.is_security() { s.intensity } else { 1.0 };
        for _ in 0..count {
            let m = magnitude(rng, s.tail, intensity);
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
    fn rates_and_magnitudes_match_parameters() {
        let mut sc = Scenario::default();
        sc.shocks.intensity = 2.0;
        let mut rng = run_rng(&[3u8; 32]);
        let mut out = Vec::new();
        let weeks = 52_000u32;
        let (mut missiles, mut mag) = (0usize, 0.0);
        for w in 0..weeks {
            draw_week(&sc, w, sc.japan.nationalism, &[], &mut rng, &mut out);
            for s in &out {
                if s.kind == ShockKind::MissileTest {
                    missiles += 1;
                    mag += s.magnitude;
                }
            }
        }
        let per_year = missiles as f64 / (weeks as f64 / WEEKS_PER_YEAR);
        assert!((per_year - sc.shocks.missile_test.rate).abs() < 0.3, "{per_year}");
        let mean = mag / missiles as f64;
        assert!((mean - 2.0).abs() < 0.1, "{mean}");
    }

    #[test]
    fn nationalism_raises_trigger_rate() {
        let count = |nat: f64| {
            let mut sc = Scenario::default();
            sc.japan.nationalism = nat;
            let mut rng = run_rng(&[5u8; 32]);
            let mut out = Vec::new();
            (0..20_000)
                .map(|w| {
                    draw_week(&sc, w, sc.japan.nationalism, &[], &mut rng, &mut out);
                    out.iter().filter(|s| s.kind == ShockKind::JapanTrigger).count()
                })
                .sum::<usize>()
        };
        assert!(count(1.0) > 2 * count(0.0));
    }

    #[test]
    fn scheduled_events_arrive_on_their_week() {
        let mut sc = Scenario::default();
        sc.shocks.rate_scale = 0.0;
        let mut rng = run_rng(&[1u8; 32]);
        let mut out = Vec::new();
        let sched = [(4, ShockKind::NuclearTest, 1.5)];
        draw_week(&sc, 3, 0.6, &sched, &mut rng, &mut out);
        assert!(out.is_empty());
        draw_week(&sc, 4, 0.6, &sched, &mut rng, &mut out);
        assert_eq!(out, vec![Shock { kind: ShockKind::NuclearTest, magnitude: 1.5, scheduled: true }]);
    }
}
