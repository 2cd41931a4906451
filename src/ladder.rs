//! The cooperation ladder: which rungs are in force, and the stocks that drills
//! (familiarity F) and technical dialogue (readiness R) build.

use crate::calendar::{parse_date, Calendar, WEEKS_PER_YEAR};
use crate::rng::decay;
use crate::scenario::params;

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

/// Declares a table of one value for each rung above none, with `get(rung)`.
macro_rules! rung_table {
    ($(#[doc = $doc:literal])* $name:ident, unit $unit:literal, range $range:expr;
     $($(#[doc = $rdoc:literal])* $rung:ident = $value:expr;)*) => {
        params! {
            $(#[doc = $doc])*
            pub struct $name {
                $($(#[doc = $rdoc])* $rung: f64 = $value, unit $unit, range $range;)*
            }
        }

        impl $name {
            /// Value for rung 1..=5 (0 for rung 0).
            pub fn get(&self, rung: u8) -> f64 {
                [0.0, $(self.$rung),*].get(rung as usize).copied().unwrap_or(0.0)
            }
        }
    };
}

rung_table! {
    /// Controversy of each rung: how much grievance a proposal of it activates.
    Controversy, unit "0-1 scale", range 0.0..=1.0;
    /// Controversy of search-and-rescue / HADR drills.
    sarex = 0.1;
    /// Controversy of vice-ministerial technical drafting.
    dialogue = 0.2;
    /// Controversy of intelligence sharing.
    gsomia = 0.5;
    /// Controversy of a segmented ACSA.
    acsa_conditional = 0.85;
    /// Controversy of a full ACSA.
    acsa_full = 1.0;
}

rung_table! {
    /// How far each rung lets Japanese forces onto the peninsula.
    Presence, unit "0-1 scale", range 0.0..=1.0;
    /// How far search-and-rescue drills let Japanese forces onto the peninsula (ships at sea).
    sarex = 0.1;
    /// How far technical dialogue lets Japanese forces onto the peninsula (none).
    dialogue = 0.0;
    /// How far intelligence sharing lets Japanese forces onto the peninsula (none; a first
    /// military pact).
    gsomia = 0.2;
    /// How far a conditional ACSA lets Japanese forces onto the peninsula (supplies, no JSDF
    /// personnel or assets).
    acsa_conditional = 0.5;
    /// How far a full ACSA lets Japanese forces onto the peninsula (JSDF logistics on Korean
    /// soil).
    acsa_full = 1.0;
}

rung_table! {
    /// Weeks from proposal to signing at zero readiness, for each rung.
    WindowWeeks, unit "weeks", range 1.0..=520.0;
    /// Weeks from proposal to signing at zero readiness.
    sarex = 6.0;
    /// Weeks from proposal to signing at zero readiness.
    dialogue = 8.0;
    /// Weeks from proposal to signing at zero readiness.
    gsomia = 4.0;
    /// Weeks from proposal to signing at zero readiness.
    acsa_conditional = 20.0;
    /// Weeks from proposal to signing at zero readiness.
    acsa_full = 30.0;
}

params! {
    /// The `[ladder]` section.
    pub struct Params {
        /// Phase 1 drills (SAREX/HADR) may run.
        drills: bool = true, unit "flag";
        /// The segmented (conditional) ACSA rung is on the ladder.
        allow_conditional: bool = true, unit "flag";
        /// Rungs in force at the start, by name.
        in_force: Vec<String> = vec!["sarex".into(), "dialogue".into(), "gsomia".into()], unit "rung names";
        /// Agreements in force at the start renew every year on this date's anniversary; a notice to
        /// end one takes effect at the first anniversary at least 13 weeks (90 days) after it is given.
        renewal_date: String = "2016-11-23".into(), unit "date";
        controversy: Controversy = Controversy::default(), table Controversy::ROWS;
        presence: Presence = Presence::default(), table Presence::ROWS;
        window_weeks: WindowWeeks = WindowWeeks::default(), table WindowWeeks::ROWS;
        /// Familiarity F at the start: what drills have built since 1999 and the freeze of 2018-2024
        /// left (docs/ODD.md section 5).
        familiarity: f64 = 0.23, unit "0-1 scale", range 0.0..=1.0;
        /// Familiarity F gained per week of drills, times (1 - F).
        familiarity_gain: f64 = 0.003, unit "per week", range 0.0..=1.0;
        /// Half-life of familiarity without drills.
        familiarity_half_life_weeks: f64 = 156.0, unit "weeks", range 0.1..=5200.0;
        /// Share of grievance activation damped at F = 1.
        familiarity_damping: f64 = 0.5, unit "share", range 0.0..=1.0;
        /// Readiness R gained per week of dialogue in force, times (1 - R).
        readiness_gain: f64 = 0.005, unit "per week", range 0.0..=1.0;
        /// Share of the proposal window cut at R = 1.
        readiness_speedup: f64 = 0.5, unit "share", range 0.0..=1.0;
        /// Weeks drills stay frozen after a military friction.
        friction_freeze_weeks: u32 = 26, unit "weeks", range 0.0..=520.0;
    }
}

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
            familiarity: l.familiarity,
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
        assert_eq!(l.next_target(), Some(ACSA_CONDITIONAL), "dialogue is in force at the start");
        l.terminate(DIALOGUE);
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
        assert_eq!(l.familiarity, off.ladder.familiarity);
        for w in 0..52 {
            l.step(w);
        }
        assert!(l.familiarity < off.ladder.familiarity);
    }

    /// Familiarity after drills from `drills` to `freeze`, none until `resume`, drills
    /// again until `start` (dates), by the weekly rule of `Ladder::step`.
    fn built(l: &Params, drills: &str, freeze: &str, resume: &str, start: &str) -> f64 {
        let weeks = |a: &str, b: &str| (parse_date(b).unwrap() - parse_date(a).unwrap()) as f64 / 7.0;
        let gain = |f: f64, w: f64| 1.0 - (1.0 - f) * (1.0 - l.familiarity_gain).powf(w);
        let f = gain(0.0, weeks(drills, freeze));
        let f = f * 0.5f64.powf(weeks(freeze, resume) / l.familiarity_half_life_weeks);
        gain(f, weeks(resume, start))
    }

    #[test]
    fn starting_familiarity_follows_the_drill_record() {
        // SAREX from 1999, frozen by the radar dispute of 2018-12-20, resumption agreed on
        // 2026-01-30 (timeline.csv); the baseline starts on 2026-06-01.
        let sc = Scenario::default();
        let f = built(&sc.ladder, "1999-01-01", "2018-12-20", "2026-01-30", &sc.start_date);
        assert!((sc.ladder.familiarity - f).abs() < 0.005, "{f}");
        assert_eq!(Ladder::new(&sc.ladder, &sc.calendar()).familiarity, sc.ladder.familiarity);
    }
}
