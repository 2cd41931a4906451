//! The counterparts: the United States (hub) and Japan, reduced to the quantities the ROK
//! executive weighs. Episodes (pressure pushes, abandonment signals, disputes) jump and
//! decay back to the scenario's resting levels.

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

#[derive(Clone, Debug)]
pub struct Japan {
    base_willingness: f64,
    pub diet_approval: f64,
    dispute_decay: f64,
    dispute: f64,
}

impl Japan {
    pub fn new(sc: &Scenario) -> Self {
        Japan {
            base_willingness: sc.japan.willingness,
            diet_approval: sc.japan.diet_approval,
            dispute_decay: decay(sc.japan.dispute_half_life_weeks),
            dispute: 0.0,
        }
    }

    /// Disputes sour Tokyo too: triggers and frictions lower its willingness for a while.
    pub fn absorb(&mut self, shock: &Shock) {
        self.dispute += Japan::dispute_jump(shock.kind) * shock.magnitude;
    }

    /// Fall in Japan's willingness per unit magnitude of a dispute.
    pub fn dispute_jump(kind: ShockKind) -> f64 {
        match kind {
            ShockKind::JapanTrigger => 0.05,
            ShockKind::MilitaryFriction => 0.15,
            _ => 0.0,
        }
    }

    /// A Korean move to end an agreement is itself a dispute.
    pub fn offended(&mut self, amount: f64) {
        self.dispute += amount;
    }

    pub fn step(&mut self) {
        self.dispute *= self.dispute_decay;
    }

    /// Willingness to deepen cooperation; US pressure pushes Tokyo as well as Seoul.
    pub fn willingness(&self, us_pressure: f64) -> f64 {
        (self.base_willingness + 0.2 * (us_pressure - 0.5) - self.dispute).clamp(0.0, 1.0)
    }

    /// Two-level game: Japan's win-set holds a rung when willingness clears a bar that
    /// rises with the rung's controversy (0.3 for none, 0.6 for a full ACSA).
    pub fn accepts(&self, us_pressure: f64, controversy: f64) -> bool {
        self.willingness(us_pressure) >= 0.3 + 0.3 * controversy
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

    #[test]
    fn disputes_shrink_japans_win_set() {
        let sc = Scenario::default();
        let mut jp = Japan::new(&sc);
        assert!(jp.accepts(0.5, 1.0));
        jp.absorb(&shock(ShockKind::JapanTrigger, 8.0));
        assert!(!jp.accepts(0.5, 1.0));
        assert!(jp.accepts(0.5, 0.1));
    }
}
