//! What a run leaves behind: the weekly series, the event log and the outcome.

use serde::Serialize;

use crate::events::ShockKind;
use crate::party::Party;
use crate::scenario::params;

params! {
    /// The `[outcome]` section: what counts as a viable ACSA.
    pub struct Params {
        /// Weeks an ACSA must stay in force to count as viable.
        sustain_weeks: u32 = 52, unit "weeks", range 1.0..=5200.0;
    }
}

/// The type of a series column or an outcome field, as Python and the sweep store keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Bool,
    Int,
    Float,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::Int => "int",
            Type::Float => "float",
        }
    }
}

/// A named, typed column or field, with its meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Type,
    pub meaning: &'static str,
}

/// Declares the weekly series once: `Row` with one field a column (every value an f64,
/// for zero-copy hand-over; whole numbers are exact) and `COLUMNS`, each column's name,
/// type and meaning, in the same order.
macro_rules! series {
    ($($name:ident: $kind:ident, $meaning:literal;)*) => {
        /// One week of the series.
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct Row {
            $(#[doc = $meaning] pub $name: f64,)*
        }

        /// Series columns, in order.
        pub const COLUMNS: &[Field] = &[$(Field { name: stringify!($name), kind: Type::$kind, meaning: $meaning },)*];

        impl Row {
            /// The values in the order of `COLUMNS`.
            pub fn values(&self) -> [f64; COLUMNS.len()] {
                [$(self.$name,)*]
            }

            fn from_values(values: [f64; COLUMNS.len()]) -> Row {
                let [$($name,)*] = values;
                Row { $($name,)* }
            }
        }
    };
}

series! {
    week: Int, "Week index, from 0.";
    approval: Float, "Mean approval of the president (alpha).";
    support_mean: Float, "Mean support for security cooperation (y).";
    support_progressive: Float, "Mean support among progressives.";
    support_conservative: Float, "Mean support among conservatives.";
    support_independent: Float, "Mean support among independents.";
    support_share: Float, "Share of voters with support above 0.5.";
    favourability: Float, "Share of voters with grievance below voters.favourable_below.";
    favourability_18_29: Float, "The same share among voters aged 18-29 (age at the start or of the current simulated year).";
    favourability_30_39: Float, "The same share among voters aged 30-39.";
    favourability_40_59: Float, "The same share among voters aged 40-59.";
    favourability_60_plus: Float, "The same share among voters aged 60 and over.";
    grievance_mean: Float, "Mean grievance.";
    threat_mean: Float, "Mean threat perception.";
    salience_mean: Float, "Mean salience of history.";
    politicisation: Float, "Politicisation (pi), 0-1.";
    capital: Float, "The executive's capital after the week's decision.";
    rung: Int, "Highest rung in force (index into the rung names).";
    pending: Int, "Rung of a pending proposal or trial balloon, else 0.";
    legislative_support: Float, "Share of the 300 members in favour.";
    familiarity: Float, "Familiarity (F).";
    readiness: Float, "Readiness (R).";
    logistics_gap: Float, "Logistics gap (ODD 7.8).";
    logistics_delay_days: Float, "Mean ROK-JSDF crisis transfer time in days (ODD 7.8).";
    us_pressure: Float, "US pressure (P).";
    us_commitment: Float, "US commitment (C).";
    japan_willingness: Float, "Japan's willingness (W).";
    japan_mood: Float, "Share of the Japanese public with a good impression of Korea (M).";
    president_party: Int, "Camp of the president after the week's elections: 0 progressive, 1 conservative, 2 third camp.";
    governing_seat_share: Float, "Seat share of the president's camp.";
    pact_rung: Int, "The pact on the table this week, the rung voters judged (ODD 7.3.9; 0 if none).";
    pact_salience: Float, "Salience of the pact on the table (s_P).";
    pact_opposed: Float, "Share of adults opposed to the pact on the table.";
    pact_opposed_progressive: Float, "Share of progressives opposed to the pact on the table.";
    pact_opposed_conservative: Float, "Share of conservatives opposed to the pact on the table.";
    pact_opposed_independent: Float, "Share of independents opposed to the pact on the table.";
    governing_opposed: Float, "Share of the president's camp in the Assembly opposed to his proposal (ODD 7.5).";
    revolt_risk: Float, "The week's chance of a ruling-party revolt over the members' weekly noise (ODD 7.5).";
}

#[derive(Clone, Debug, Default)]
pub struct Recorder {
    columns: Vec<Vec<f64>>,
}

impl Recorder {
    pub fn with_capacity(weeks: usize) -> Self {
        Recorder { columns: (0..COLUMNS.len()).map(|_| Vec::with_capacity(weeks)).collect() }
    }

    pub fn push(&mut self, row: &Row) {
        for (c, v) in self.columns.iter_mut().zip(row.values()) {
            c.push(v);
        }
    }

    /// The latest row recorded, if any.
    pub fn last(&self) -> Option<Row> {
        let mut values = [0.0; COLUMNS.len()];
        for (v, c) in values.iter_mut().zip(&self.columns) {
            *v = *c.last()?;
        }
        Some(Row::from_values(values))
    }

    /// The series so far (a copy).
    pub fn series(&self) -> Vec<(&'static str, Vec<f64>)> {
        COLUMNS.iter().map(|c| c.name).zip(self.columns.iter().cloned()).collect()
    }

    pub fn into_series(self) -> Vec<(&'static str, Vec<f64>)> {
        COLUMNS.iter().map(|c| c.name).zip(self.columns).collect()
    }
}

/// Declares an enum of named values, each with a second text (`$text`: a group, a
/// meaning), and a variant that wraps another named enum (`$Inner::ALL`, `$Inner::name`),
/// whose second text is `$inner_text`. Gives `all()` in order, `name()`, `$text()`,
/// comparison with a name, and serialisation as the name.
macro_rules! named_enum {
    (
        $(#[$attr:meta])* $Enum:ident, $text:ident, $Wrap:ident($Inner:ident) = $inner_text:literal;
        $($(#[$vattr:meta])* $variant:ident = $name:literal, $vtext:literal;)*
    ) => {
        $(#[$attr])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $Enum {
            $($(#[$vattr])* $variant,)*
            $Wrap($Inner),
        }

        impl $Enum {
            /// Every value, in order: the declared ones, then the wrapped ones.
            pub fn all() -> impl Iterator<Item = $Enum> {
                [$($Enum::$variant,)*].into_iter().chain($Inner::ALL.map($Enum::$Wrap))
            }

            pub fn name(self) -> &'static str {
                match self {
                    $($Enum::$variant => $name,)*
                    $Enum::$Wrap(k) => k.name(),
                }
            }

            pub fn $text(self) -> &'static str {
                match self {
                    $($Enum::$variant => $vtext,)*
                    $Enum::$Wrap(_) => $inner_text,
                }
            }
        }

        impl std::fmt::Display for $Enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl PartialEq<&str> for $Enum {
            fn eq(&self, name: &&str) -> bool {
                self.name() == *name
            }
        }

        impl Serialize for $Enum {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}

named_enum! {
    /// What an event of the log is: a move of the executive, an event of the calendar, or a
    /// shock of one of the kinds of `events.rs`. Its group: "executive", "calendar" or
    /// "shock".
    EventKind, group, Shock(ShockKind) = "shock";
    Proposal = "proposal", "executive";
    Exposure = "exposure", "executive";
    TrialBalloon = "trial_balloon", "executive";
    Retreat = "retreat", "executive";
    Collapse = "collapse", "executive";
    Signed = "signed", "executive";
    TerminationNotice = "termination_notice", "executive";
    Suspension = "suspension", "executive";
    Terminated = "terminated", "executive";
    Inherited = "inherited", "executive";
    PresidentialElection = "presidential_election", "calendar";
    AssemblyElection = "assembly_election", "calendar";
    UsAdministration = "us_administration", "calendar";
    JapanCabinet = "japan_cabinet", "calendar";
}

named_enum! {
    /// How an event of the log came out: the executive's move, its reason or choice, or the
    /// camp that won an election; each with its meaning.
    EventOutcome, meaning, Won(Party) = "An election won by this camp (the Assembly: most seats).";
    Plain = "", "Nothing more to say: a shock drawn by chance, a new US administration or Japanese cabinet.";
    Scheduled = "scheduled", "A shock from the scenario's events list.";
    Floated = "floated", "A trial balloon is floated.";
    Withdrawn = "withdrawn", "A trial balloon comes down, or a proposal is withdrawn (retreat).";
    Open = "open", "A proposal made in public.";
    FastTrack = "fast_track", "A proposal decided by the cabinet alone, unannounced.";
    Resumed = "resumed", "A shelved proposal taken up again.";
    ProceduralBacklash = "procedural_backlash", "A fast-tracked proposal is exposed.";
    PostponedByRulingParty = "postponed_by_ruling_party", "Collapse: the governing party's members revolt.";
    JapanDeclined = "japan_declined", "Collapse: Tokyo will not sign.";
    ConsentVoteFailed = "consent_vote_failed", "Collapse: the National Assembly refuses consent.";
    DietRejected = "diet_rejected", "Collapse: Japan's Diet rejects an ACSA.";
    CarriedOn = "carried_on", "A new president carries on a predecessor's proposal.";
    Dropped = "dropped", "A new president drops a predecessor's proposal.";
    Frozen = "frozen", "A new president shelves a predecessor's proposal.";
    InForce = "in_force", "An agreement signed comes into force.";
    NoticeGiven = "notice_given", "Notice to end an agreement is given.";
    Kept = "kept", "A notice is suspended: the agreement stays.";
    Ended = "ended", "An agreement ends.";
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRecord {
    pub week: u32,
    pub kind: EventKind,
    pub magnitude: f64,
    /// The rung concerned (for shocks: the highest rung in force).
    pub rung: u8,
    pub outcome: EventOutcome,
}

/// Declares the outcome once: `Outcome`, one field each, and `OUTCOME_FIELDS`, each
/// field's name, type and meaning, in the same order.
macro_rules! outcome {
    ($($name:ident: $ty:ty, $kind:ident, $meaning:literal;)*) => {
        /// What a run comes to.
        #[derive(Clone, Debug, Default, PartialEq, Serialize)]
        pub struct Outcome {
            $(#[doc = $meaning] pub $name: $ty,)*
        }

        /// Outcome fields, in order.
        pub const OUTCOME_FIELDS: &[Field] =
            &[$(Field { name: stringify!($name), kind: Type::$kind, meaning: $meaning },)*];
    };
}

outcome! {
    viable: bool, Bool, "An ACSA rung stayed in force for outcome.sustain_weeks.";
    week_viable: Option<u32>, Int, "Week the viable spell began (missing if not viable).";
    max_rung: u8, Int, "Highest rung ever in force.";
    final_rung: u8, Int, "Highest rung in force at the end.";
    n_proposals: u32, Int, "Proposals (open or fast track).";
    n_collapses: u32, Int, "Proposals that collapsed, including lapses at a new administration.";
    n_retreats: u32, Int, "Proposals withdrawn by the executive.";
    n_trial_balloons: u32, Int, "Trial balloons floated.";
    n_signed: u32, Int, "Agreements signed.";
    n_termination_notices: u32, Int, "Termination notices given.";
    n_suspensions: u32, Int, "Notices suspended, including lapses at a new administration.";
    n_terminations: u32, Int, "Agreements terminated.";
    n_acsa_proposals: u32, Int, "Proposals of an ACSA rung.";
    n_party_changes: u32, Int, "Presidential elections won by a camp other than the sitting president's.";
    final_approval: f64, Float, "Mean approval in the last week.";
    mean_approval: f64, Float, "Mean approval over the run.";
    min_capital: f64, Float, "Lowest executive capital.";
    peak_threat: f64, Float, "Highest weekly mean threat.";
    peak_salience: f64, Float, "Highest weekly mean salience.";
    weeks: u32, Int, "Weeks run.";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_serialises_its_declared_fields_in_order_with_their_types() {
        let outcome = Outcome { week_viable: Some(3), ..Default::default() };
        let text = serde_json::to_string(&outcome).unwrap();
        let at: Vec<usize> = OUTCOME_FIELDS.iter().map(|f| text.find(&format!("\"{}\":", f.name)).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "fields out of order: {text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let object = value.as_object().unwrap();
        assert_eq!(object.len(), OUTCOME_FIELDS.len());
        for f in OUTCOME_FIELDS {
            let v = &object[f.name];
            let ok = match f.kind {
                Type::Bool => v.is_boolean(),
                Type::Int => v.is_u64(),
                Type::Float => v.is_f64(),
            };
            assert!(ok, "{} is not {}: {v}", f.name, f.kind.name());
        }
    }

    #[test]
    fn a_row_keeps_each_value_in_its_named_column() {
        let row = Row { week: 7.0, rung: 3.0, governing_seat_share: 0.5, ..Default::default() };
        let mut recorder = Recorder::with_capacity(1);
        recorder.push(&row);
        let run = Run { series: recorder.into_series(), events: Vec::new(), outcome: Outcome::default() };
        assert_eq!(run.series.len(), COLUMNS.len());
        assert_eq!(run.column("week"), Some(&[7.0][..]));
        assert_eq!(run.column("rung"), Some(&[3.0][..]));
        assert_eq!(run.column("governing_seat_share"), Some(&[0.5][..]));
        assert_eq!(run.column("approval"), Some(&[0.0][..]));
    }

    #[test]
    fn event_outcomes_have_distinct_names_and_every_camp_can_win() {
        let names: Vec<&str> = EventOutcome::all().map(EventOutcome::name).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert!(Party::ALL.iter().all(|p| names.contains(&p.name())));
    }

    #[test]
    fn event_kinds_have_distinct_names_and_every_shock_is_one() {
        let names: Vec<&str> = EventKind::all().map(EventKind::name).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        for k in ShockKind::ALL {
            assert!(EventKind::all().any(|e| e == EventKind::Shock(k) && e.group() == "shock"));
        }
    }
}
