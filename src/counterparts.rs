//! The counterparts: the United States (the hub), reduced to the quantities the ROK
//! executive weighs, and Japan (`crate::japan`). US episodes (pressure pushes,
//! abandonment signals) jump and decay back to the administration's resting levels.

pub use crate::japan::Japan;

use crate::events::{Shock, ShockKind};
use crate::rng::{decay, normal, RunRng};
use crate::scenario::Scenario;

#[derive(Clone, Debug)]
pub struct UnitedStates {
    base_pressure: f64,
    base_commitment: f64,
    pub mediation: f64,
    episode_decay: f64,
    pressure_episode: f64,
    commitment_loss: f64,
}

impl UnitedStates {
    pub fn new(sc: &Scenario) -> Self {
        UnitedStates {
            base_pressure: sc.us.pressure,
            base_commitment: sc.us.commitment,
            mediation: sc.us.mediation,
            episode_decay: decay(sc.us.episode_half_life_weeks),
            pressure_episode: 0.0,
            commitment_loss: 0.0,
        }
    }

    /// Washington pushes trilateral integration after coercion and nuclear provocations,
    /// and an abandonment signal lowers the credibility of its commitment.
    pub fn absorb(&mut self, shock: &Shock, sc: &Scenario) {
        let m = shock.magnitude;
        match shock.kind {
            ShockKind::ChineseCoercion => self.pressure_episode += sc.shocks.chinese_coercion.effect * m,
            ShockKind::NuclearTest => self.pressure_episode += 0.5 * sc.shocks.nuclear_test.effect * m,
            ShockKind::UsPressure => self.pressure_episode += sc.shocks.us_pressure.effect * m,
            ShockKind::UsAbandonment => self.commitment_loss += sc.shocks.us_abandonment.effect * m,
            _ => {}
        }
    }

    pub fn step(&mut self) {
        self.pressure_episode *= self.episode_decay;
        self.commitment_loss *= self.episode_decay;
    }

    /// A new administration in Washington brings its own resting pressure and commitment,
    /// drawn around the scenario's levels.
    pub fn new_administration(&mut self, sc: &Scenario, rng: &mut RunRng) {
        let sd = sc.us.administration_sd;
        self.base_pressure = (sc.us.pressure + sd * normal(rng)).clamp(0.0, 1.0);
        self.base_commitment = (sc.us.commitment + sd * normal(rng)).clamp(0.0, 1.0);
    }

    pub fn pressure(&self) -> f64 {
        (self.base_pressure + self.pressure_episode).clamp(0.0, 1.0)
    }

    pub fn commitment(&self) -> f64 {
        (self.base_commitment - self.commitment_loss).clamp(0.0, 1.0)
    }

    /// Fall in commitment below its resting level: raises Korean threat perception.
    pub fn abandonment_shock(&self) -> f64 {
        self.base_commitment - self.commitment()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shock(kind: ShockKind, magnitude: f64) -> Shock {
        Shock { kind, magnitude, scheduled: true }
    }

    #[test]
    fn us_episodes_jump_and_decay() {
        let sc = Scenario::default();
        let mut us = UnitedStates::new(&sc);
        us.absorb(&shock(ShockKind::ChineseCoercion, 2.0), &sc);
        us.absorb(&shock(ShockKind::UsAbandonment, 2.0), &sc);
        assert!(us.pressure() > sc.us.pressure + 0.1);
        assert!(us.commitment() < sc.us.commitment - 0.1);
        for _ in 0..520 {
            us.step();
        }
        assert!((us.pressure() - sc.us.pressure).abs() < 1e-3);
    }
}
