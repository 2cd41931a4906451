//! What a run leaves behind: the weekly series, the event log and the outcome.

use serde::{Deserialize, Serialize};

use crate::scenario::{param, Param};

/// The `[outcome]` section: what counts as a viable ACSA.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub sustain_weeks: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params { sustain_weeks: 52 }
    }
}

/// Rows of the parameter table, within the section.
pub const PARAMETERS: &[Param] =
    &[param("sustain_weeks", "weeks", 1.0, 5200.0, "Weeks an ACSA must stay in force to count as viable.")];

/// Series columns, in order. Every value is an f64 for zero-copy hand-over.
pub const COLUMNS: [&str; 26] = [
    "week",
    "approval",
    "support_mean",
    "support_progressive",
    "support_conservative",
    "support_independent",
    "support_share",
    "favourability",
    "grievance_mean",
    "threat_mean",
    "salience_mean",
    "politicisation",
    "capital",
    "rung",
    "pending",
    "legislative_support",
    "familiarity",
    "readiness",
    "logistics_gap",
    "logistics_delay_days",
    "us_pressure",
    "us_commitment",
    "japan_willingness",
    "japan_mood",
    "president_party",
    "governing_seat_share",
];

pub type Row = [f64; COLUMNS.len()];

#[derive(Clone, Debug, Default)]
pub struct Recorder {
    columns: Vec<Vec<f64>>,
}

impl Recorder {
    pub fn with_capacity(weeks: usize) -> Self {
        Recorder { columns: (0..COLUMNS.len()).map(|_| Vec::with_capacity(weeks)).collect() }
    }

    pub fn push(&mut self, row: &Row) {
        for (c, v) in self.columns.iter_mut().zip(row) {
            c.push(*v);
        }
    }

    /// The latest row recorded, if any.
    pub fn last(&self) -> Option<Row> {
        let mut row: Row = [0.0; COLUMNS.len()];
        for (v, c) in row.iter_mut().zip(&self.columns) {
            *v = *c.last()?;
        }
        Some(row)
    }

    /// The series so far (a copy).
    pub fn series(&self) -> Vec<(&'static str, Vec<f64>)> {
        COLUMNS.iter().copied().zip(self.columns.iter().cloned()).collect()
    }

    pub fn into_series(self) -> Vec<(&'static str, Vec<f64>)> {
        COLUMNS.iter().copied().zip(self.columns).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRecord {
    pub week: u32,
    pub kind: &'static str,
    pub magnitude: f64,
    /// The rung concerned (for shocks: the highest rung in force).
    pub rung: u8,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Outcome {
    pub viable: bool,
    pub week_viable: Option<u32>,
    pub max_rung: u8,
    pub final_rung: u8,
    pub n_proposals: u32,
    pub n_collapses: u32,
    pub n_retreats: u32,
    pub n_trial_balloons: u32,
    pub n_signed: u32,
    pub n_termination_notices: u32,
    pub n_suspensions: u32,
    pub n_terminations: u32,
    pub n_acsa_proposals: u32,
    pub n_party_changes: u32,
    pub final_approval: f64,
    pub mean_approval: f64,
    pub min_capital: f64,
    pub peak_threat: f64,
    pub peak_salience: f64,
    pub weeks: u32,
}

#[derive(Clone, Debug)]
pub struct Run {
    pub series: Vec<(&'static str, Vec<f64>)>,
    pub events: Vec<EventRecord>,
    pub outcome: Outcome,
}

impl Run {
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.series.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_slice())
    }
}
