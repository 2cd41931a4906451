//! The cooperation ladder: which rungs are in force, and the stocks that drills
//! (familiarity F) and technical dialogue (readiness R) build.

use serde::{Deserialize, Serialize};

use crate::calendar::{parse_date, Calendar, WEEKS_PER_YEAR};
use crate::rng::decay;
use crate::scenario::{param, Param};

pub const SAREX: u8 = 1;
pub const DIALOGUE: u8 = 2;
pub const GSOMIA: u8 = 3;
pub const ACSA_CONDITIONAL: u8 = 4;
pub const ACSA_FULL: u8 = 5;

/// Names of the rungs, by number.
pub const RUNG_NAMES: [&str; 6] = ["none", "sarex", "dialogue", "gsomia", "acsa_conditional", "acsa_full"];

pub fn rung_from_name(name: &str) -> Option<u8> {
    RUNG_NAMES.iter().position(|n| *n == name).map(|i| i as u8)
}

/// One value for each rung above none.
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

/// The `[ladder]` section.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub drills: bool,
    pub allow_conditional: bool,
    /// Rungs in force at the start, by name.
    pub in_force: Vec<String>,
    /// Date whose anniversary renews the agreements in force at the start.
    pub renewal_date: String,
    pub controversy: RungTable,
    pub presence: RungTable,
    pub window_weeks: RungTable,
    pub familiarity_gain: f64,
    pub familiarity_half_life_weeks: f64,
    pub familiarity_damping: f64,
    pub readiness_gain: f64,
    pub readiness_speedup: f64,
    pub friction_freeze_weeks: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            drills: true,
            allow_conditional: true,
            in_force: vec!["sarex".into(), "gsomia".into()],
            renewal_date: "2016-11-23".into(),
            controversy: RungTable { sarex: 0.1, dialogue: 0.2, gsomia: 0.5, acsa_conditional: 0.85, acsa_full: 1.0 },
            presence: RungTable { sarex: 0.1, dialogue: 0.0, gsomia: 0.2, acsa_conditional: 0.5, acsa_full: 1.0 },
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

/// Rows of the parameter table, within the section.
pub const PARAMETERS: &[Param] = &[
    param("drills", "flag", 0.0, 0.0, "Phase 1 drills (SAREX/HADR) may run."),
    param("allow_conditional", "flag", 0.0, 0.0, "The segmented (conditional) ACSA rung is on the ladder."),
    param("in_force", "rung names", 0.0, 0.0, "Rungs in force at the start."),
    param("renewal_date", "date", 0.0, 0.0, "Agreements in force at the start renew every year on this date's anniversary; a notice to end one takes effect at the first anniversary at least 13 weeks (90 days) after it is given."),
    param("controversy.sarex", "0-1 scale", 0.0, 1.0, "Controversy of search-and-rescue / HADR drills."),
    param("controversy.dialogue", "0-1 scale", 0.0, 1.0, "Controversy of vice-ministerial technical drafting."),
    param("controversy.gsomia", "0-1 scale", 0.0, 1.0, "Controversy of intelligence sharing."),
    param("controversy.acsa_conditional", "0-1 scale", 0.0, 1.0, "Controversy of a segmented ACSA."),
    param("controversy.acsa_full", "0-1 scale", 0.0, 1.0, "Controversy of a full ACSA."),
    param("presence.sarex", "0-1 scale", 0.0, 1.0, "How far search-and-rescue drills let Japanese forces onto the peninsula (ships at sea)."),
    param("presence.dialogue", "0-1 scale", 0.0, 1.0, "How far technical dialogue lets Japanese forces onto the peninsula (none)."),
    param("presence.gsomia", "0-1 scale", 0.0, 1.0, "How far intelligence sharing lets Japanese forces onto the peninsula (none; a first military pact)."),
    param("presence.acsa_conditional", "0-1 scale", 0.0, 1.0, "How far a conditional ACSA lets Japanese forces onto the peninsula (supplies, no JSDF personnel or assets)."),
    param("presence.acsa_full", "0-1 scale", 0.0, 1.0, "How far a full ACSA lets Japanese forces onto the peninsula (JSDF logistics on Korean soil)."),
    param("window_weeks.sarex", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    param("window_weeks.dialogue", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    param("window_weeks.gsomia", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    param("window_weeks.acsa_conditional", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    param("window_weeks.acsa_full", "weeks", 1.0, 520.0, "Weeks from proposal to signing at zero readiness."),
    param("familiarity_gain", "per week", 0.0, 1.0, "Familiarity F gained per week of drills, times (1 - F)."),
    param("familiarity_half_life_weeks", "weeks", 0.1, 5200.0, "Half-life of familiarity without drills."),
    param("familiarity_damping", "share", 0.0, 1.0, "Share of grievance activation damped at F = 1."),
    param("readiness_gain", "per week", 0.0, 1.0, "Readiness R gained per week of dialogue in force, times (1 - R)."),
    param("readiness_speedup", "share", 0.0, 1.0, "Share of the proposal window cut at R = 1."),
    param("friction_freeze_weeks", "weeks", 0.0, 520.0, "Weeks drills stay frozen after a military friction."),
];

#[derive(Clone, Debug)]
pub struct Ladder {
    pub in_force: [bool; 6],
    /// Week of the year (0 to 52.18, counted from the start date) on which each agreement
    /// in force renews.
    anniversary: [f64; 6],
    pub familiarity: f64,
    pub readiness: f64,
    /// Drills are frozen (after a military friction) until this week.
    pub drills_frozen_until: u32,
    drills_allowed: bool,
    allow_conditional: bool,
    familiarity_gain: f64,
    familiarity_decay: f64,
    readiness_gain: f64,
}

impl Ladder {
    pub fn new(l: &Params, calendar: &Calendar) -> Self {
        let mut in_force = [false; 6];
        in_force[0] = true;
        for name in &l.in_force {
            if let Some(r) = rung_from_name(name) {
                in_force[r as usize] = true;
            }
        }
        if !l.drills {
            in_force[SAREX as usize] = false;
        }
        if !l.allow_conditional {
            in_force[ACSA_CONDITIONAL as usize] = false;
        }
        let renewal = calendar.weeks_to(parse_date(&l.renewal_date).unwrap_or(0));
        Ladder {
            in_force,
            anniversary: [renewal.rem_euclid(WEEKS_PER_YEAR); 6],
            familiarity: 0.0,
            readiness: 0.0,
            drills_frozen_until: 0,
            drills_allowed: l.drills,
            allow_conditional: l.allow_conditional,
            familiarity_gain: l.familiarity_gain,
            familiarity_decay: decay(l.familiarity_half_life_weeks),
            readiness_gain: l.readiness_gain,
        }
    }

    /// Highest rung in force.
    pub fn top(&self) -> u8 {
        (0..6).rev().find(|&r| self.in_force[r]).unwrap_or(0) as u8
    }

    pub fn has_acsa(&self) -> bool {
        self.in_force[ACSA_CONDITIONAL as usize] || self.in_force[ACSA_FULL as usize]
    }

    fn allowed(&self, rung: u8) -> bool {
        match rung {
            SAREX => self.drills_allowed,
            ACSA_CONDITIONAL => self.allow_conditional,
            _ => true,
        }
    }

    /// Progress comes in phases: the next proposal is the lowest allowed rung not in force.
    pub fn next_target(&self) -> Option<u8> {
        (1..=5u8).find(|&r| {
            !self.in_force[r as usize]
                && self.allowed(r)
                && !(r == ACSA_CONDITIONAL && self.in_force[ACSA_FULL as usize])
        })
    }

    /// The pact on the table when the executive has none under way: the next rung it
    /// weighs, or, with every rung signed, the agreement it could end.
    pub fn weighed(&self) -> u8 {
        self.next_target().or(self.terminable()).unwrap_or(0)
    }

    /// The agreement an executive could give notice to end: the highest of GSOMIA and ACSA.
    pub fn terminable(&self) -> Option<u8> {
        [ACSA_FULL, ACSA_CONDITIONAL, GSOMIA].into_iter().find(|&r| self.in_force[r as usize])
    }

    /// A signed agreement renews each year on the week it was signed.
    pub fn sign(&mut self, rung: u8, week: u32) {
        self.in_force[rung as usize] = true;
        self.anniversary[rung as usize] = (week as f64).rem_euclid(WEEKS_PER_YEAR);
    }

    /// Agreements renew every year: a notice needs NOTICE_WEEKS (90 days) and ends the
    /// agreement at the first anniversary after that, as GSOMIA's 2019 notice (22 August)
    /// would have ended it on its anniversary (23 November).
    pub fn notice_expiry(&self, rung: u8, week: u32) -> u32 {
        let earliest = (week + crate::executive::NOTICE_WEEKS) as f64;
        let phase = self.anniversary[rung as usize];
        let years = ((earliest - phase) / WEEKS_PER_YEAR).ceil();
        (phase + years * WEEKS_PER_YEAR).ceil() as u32
    }

    pub fn terminate(&mut self, rung: u8) {
        self.in_force[rung as usize] = false;
    }

    pub fn drills_running(&self, week: u32) -> bool {
        self.in_force[SAREX as usize] && week >= self.drills_frozen_until
    }

    /// A military friction freezes drills and defence exchanges.
    pub fn freeze_drills(&mut self, week: u32, weeks: u32) {
        self.drills_frozen_until = self.drills_frozen_until.max(week + weeks);
    }

    /// A disaster is an uncontroversial chance to work together, if drills are running.
    pub fn disaster_relief(&mut self, week: u32, gain: f64) {
        if self.drills_running(week) {
            self.familiarity += gain * (1.0 - self.familiarity);
        }
    }

    /// Weekly stocks: drills build familiarity, dialogue builds readiness; both fade unused.
    pub fn step(&mut self, week: u32) {
        if self.drills_running(week) {
            self.familiarity += self.familiarity_gain * (1.0 - self.familiarity);
        } else {
            self.familiarity *= self.familiarity_decay;
        }
        if self.in_force[DIALOGUE as usize] {
            self.readiness += self.readiness_gain * (1.0 - self.readiness);
        } else {
            self.readiness *= self.familiarity_decay;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn next_rung_follows_phases() {
        let sc = Scenario::default();
        let mut l = Ladder::new(&sc.ladder, &sc.calendar());
        assert_eq!(l.top(), GSOMIA);
        assert_eq!(l.next_target(), Some(DIALOGUE));
        l.sign(DIALOGUE, 0);
        assert_eq!(l.next_target(), Some(ACSA_CONDITIONAL));
        l.sign(ACSA_CONDITIONAL, 0);
        assert_eq!(l.next_target(), Some(ACSA_FULL));
        assert_eq!(l.terminable(), Some(ACSA_CONDITIONAL));
        l.sign(ACSA_FULL, 0);
        assert_eq!(l.next_target(), None);
    }

    #[test]
    fn a_notice_ends_an_agreement_on_its_anniversary() {
        // GSOMIA renews on 23 November: 25.06 weeks after the 2026-06-01 start.
        let sc = Scenario::default();
        let mut l = Ladder::new(&sc.ladder, &sc.calendar());
        assert_eq!(l.notice_expiry(GSOMIA, 0), 26);
        assert_eq!(l.notice_expiry(GSOMIA, 12), 26);
        assert_eq!(l.notice_expiry(GSOMIA, 13), 78); // too late for this year's anniversary
        l.sign(ACSA_CONDITIONAL, 100);
        assert_eq!(l.notice_expiry(ACSA_CONDITIONAL, 100), 153);
        assert_eq!(l.notice_expiry(ACSA_CONDITIONAL, 139), 153);
        assert_eq!(l.notice_expiry(ACSA_CONDITIONAL, 140), 205);
    }

    #[test]
    fn conditional_can_be_left_off_the_ladder() {
        let mut sc = Scenario::default();
        sc.ladder.allow_conditional = false;
        sc.ladder.in_force = vec!["sarex".into(), "dialogue".into(), "gsomia".into()];
        assert_eq!(Ladder::new(&sc.ladder, &sc.calendar()).next_target(), Some(ACSA_FULL));
    }

    #[test]
    fn drills_build_familiarity_and_friction_freezes_them() {
        let mut sc = Scenario::default();
        sc.ladder.familiarity_gain = 0.01;
        let mut l = Ladder::new(&sc.ladder, &sc.calendar());
        for w in 0..52 {
            l.step(w);
        }
        let f = l.familiarity;
        assert!(f > 0.3);
        l.freeze_drills(52, 26);
        for w in 52..78 {
            l.step(w);
        }
        assert!(l.familiarity < f);
        let mut off = Scenario::default();
        off.ladder.drills = false;
        let mut l = Ladder::new(&off.ladder, &off.calendar());
        assert_eq!(l.next_target(), Some(DIALOGUE));
        for w in 0..52 {
            l.step(w);
        }
        assert_eq!(l.familiarity, 0.0);
    }
}
