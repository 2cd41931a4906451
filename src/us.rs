//! The United States (the hub), reduced to the quantities the ROK executive weighs.
//! Episodes (pressure pushes, abandonment signals) jump and decay back to the
//! administration's resting levels; each new administration brings its own.

use crate::events::Impact;
use crate::rng::{decay, normal, RunRng};
use crate::scenario::params;

params! {
    /// The `[us]` section.
    pub struct Params {
        /// Resting US pressure for trilateral integration.
        pressure: f64 = 0.5, unit "0-1 scale", range 0.0..=1.0;
        /// Resting credibility of the US commitment; abandonment fear is 1 - commitment.
        commitment: f64 = 0.7, unit "0-1 scale", range 0.0..=1.0;
        /// Share of proposal backlash damped per unit of US pressure.
        mediation: f64 = 0.3, unit "share", range 0.0..=1.0;
        /// Half-life of pressure and commitment episodes.
        episode_half_life_weeks: f64 = 26.0, unit "weeks", range 0.1..=1040.0;
        /// Next US presidential inauguration; later ones follow every us.term_years.
        inauguration_date: String = "2029-01-20".into(), unit "date";
        /// Years between US inaugurations.
        term_years: u32 = 4, unit "years", range 1.0..=10.0;
        /// Spread of a new US administration's resting pressure and commitment around us.pressure and
        /// us.commitment.
        administration_sd: f64 = 0.15, unit "0-1 scale", range 0.0..=1.0;
    }
}

#[derive(Clone, Debug)]
pub struct UnitedStates {
    params: Params,
    base_pressure: f64,
    base_commitment: f64,
    pub mediation: f64,
    episode_decay: f64,
    pressure_episode: f64,
    commitment_loss: f64,
}

impl UnitedStates {
    /// Washington of section `p`, its episodes started at their long-run loads (the mean
    /// pressure episode and commitment loss that routine shocks keep up), so nothing drifts
    /// through the first years.
    pub fn new(p: &Params, pressure_load: f64, commitment_load: f64) -> Self {
        UnitedStates {
            params: p.clone(),
            base_pressure: p.pressure,
            base_commitment: p.commitment,
            mediation: p.mediation,
            episode_decay: decay(p.episode_half_life_weeks),
            pressure_episode: pressure_load,
            commitment_loss: commitment_load,
        }
    }

    /// Washington pushes trilateral integration after coercion and nuclear provocations,
    /// and an abandonment signal lowers the credibility of its commitment.
    pub fn absorb(&mut self, impact: &Impact) {
        self.pressure_episode += impact.us_pressure;
        self.commitment_loss += impact.us_commitment;
    }

    pub fn step(&mut self) {
        self.pressure_episode *= self.episode_decay;
        self.commitment_loss *= self.episode_decay;
    }

    /// A new administration in Washington brings its own resting pressure and commitment,
    /// drawn around the scenario's levels.
    pub fn new_administration(&mut self, rng: &mut RunRng) {
        let p = &self.params;
        self.base_pressure = (p.pressure + p.administration_sd * normal(rng)).clamp(0.0, 1.0);
        self.base_commitment = (p.commitment + p.administration_sd * normal(rng)).clamp(0.0, 1.0);
    }

    pub fn pressure(&self) -> f64 {
        (self.base_pressure + self.pressure_episode).clamp(0.0, 1.0)
    }

    /// Pressure above the administration's resting level: an active US demand.
    pub fn demand(&self) -> f64 {
        (self.pressure() - self.base_pressure).max(0.0)
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
    use crate::events::ShockKind;

    #[test]
    fn us_episodes_jump_and_decay() {
        let shocks = crate::events::Params::default();
        let p = Params::default();
        let mut us = UnitedStates::new(&p, 0.0, 0.0);
        us.absorb(&shocks.impact(ShockKind::ChineseCoercion, 2.0));
        us.absorb(&shocks.impact(ShockKind::UsAbandonment, 2.0));
        assert!(us.pressure() > p.pressure + 0.1);
        assert!(us.commitment() < p.commitment - 0.1);
        for _ in 0..520 {
            us.step();
        }
        assert!((us.pressure() - p.pressure).abs() < 1e-3);
    }
}
