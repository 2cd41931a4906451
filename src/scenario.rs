//! The scenario: every parameter of a run, composed from the sections that the rooms of
//! the model own, with the validation and the I/O.
//!
//! Each room declares its section with `params!` beside its code: each parameter once, with
//! its type, default, unit, valid range and meaning. `parameters()` walks the sections' rows
//! into the one table of units, ranges and meanings: validation walks it, the Python
//! `acsa.parameters()` shows it, and a test checks it covers every numeric leaf. Every
//! section is `#[serde(default)]`, so a partial TOML or JSON file fills the rest from the
//! embedded 2026 baseline, and `deny_unknown_fields`, so a misspelt key is an error.
//! Sources and reasons for each default are in docs/ODD.md.

use serde_json::Value;

use crate::calendar::{parse_date, Calendar};
use crate::error::{Error, Result};
use crate::events::{ScheduledEvent, ShockKind};
use crate::{
    elections, events, executive, japan, ladder, legislature, logistics, network, perception, record, us, voters,
};

/// One documented parameter: dotted path, unit, valid range and meaning. In a room's rows
/// the path is within its section; `parameters()` gives full paths. Names, flags, dates and
/// lists carry min = max = 0: serde and `Scenario::validate` check their rules.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub path: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub description: &'static str,
}

pub const fn param(path: &'static str, unit: &'static str, min: f64, max: f64, description: &'static str) -> Param {
    Param { path, unit, min, max, description }
}

/// A row of a section's parameter table: a parameter, or the rows of a table within it.
#[derive(Clone, Copy, Debug)]
pub enum Row {
    Leaf(Param),
    Table(&'static str, &'static [Row]),
}

/// Declares a section of the scenario once: each field with its doc comment (its meaning),
/// type and default, and, for a documented parameter, its unit and valid range
/// (`unit "weeks", range 0.1..=520.0`; a name, flag, date or list gives a unit and no
/// range) or the table of rows it holds (`table Seats::ROWS`). Generates the struct
/// (serde-defaulted, unknown keys refused), its `Default`, and `ROWS`, its rows of the
/// parameter table in the order of the fields. A field with neither unit nor table has no
/// row (lists of records that `Scenario::validate` checks). Attributes before `pub struct`
/// (its doc, `#[derive(Copy)]`) are kept.
macro_rules! params {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $field:ident: $ty:ty = $default:expr
                $(, unit $unit:literal $(, range $range:expr)?)?
                $(, table $rows:expr)?;
            )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            $($(#[doc = $doc])* pub $field: $ty,)*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $($field: $default,)* }
            }
        }

        impl $name {
            /// Rows of the parameter table, within the section, in the order of the fields.
            pub const ROWS: &'static [$crate::scenario::Row] = $crate::scenario::params!(@rows []
                $([$($doc)*] $field [$($unit $(, $range)?)?] [$($rows)?])*
            );
        }
    };
    (@rows [$($row:expr,)*]) => { &[$($row,)*] };
    (@rows [$($row:expr,)*] [$($doc:literal)*] $field:ident [] [] $($rest:tt)*) => {
        $crate::scenario::params!(@rows [$($row,)*] $($rest)*)
    };
    (@rows [$($row:expr,)*] [$($doc:literal)*] $field:ident [$unit:literal] [] $($rest:tt)*) => {
        $crate::scenario::params!(@rows [$($row,)* $crate::scenario::Row::Leaf($crate::scenario::param(
            stringify!($field), $unit, 0.0, 0.0, concat!($($doc),*),
        )),] $($rest)*)
    };
    (@rows [$($row:expr,)*] [$($doc:literal)*] $field:ident [$unit:literal, $range:expr] [] $($rest:tt)*) => {
        $crate::scenario::params!(@rows [$($row,)* $crate::scenario::Row::Leaf($crate::scenario::param(
            stringify!($field), $unit, *($range).start(), *($range).end(), concat!($($doc),*),
        )),] $($rest)*)
    };
    (@rows [$($row:expr,)*] [$($doc:literal)*] $field:ident [] [$rows:expr] $($rest:tt)*) => {
        $crate::scenario::params!(@rows [$($row,)* $crate::scenario::Row::Table(stringify!($field), $rows),] $($rest)*)
    };
}
pub(crate) use params;

params! {
    /// Every parameter of a run: the run's own, then each room's section.
    pub struct Scenario {
        /// Length of the run.
        horizon_weeks: u32 = 520, unit "weeks", range 1.0..=5200.0;
        /// Calendar date of week 0 (YYYY-MM-DD).
        start_date: String = "2026-06-01".into(), unit "date";
        voters: voters::Params = voters::Params::default(), table voters::Params::ROWS;
        perception: perception::Params = perception::Params::default(), table perception::Params::ROWS;
        network: network::Params = network::Params::default(), table network::Params::ROWS;
        shocks: events::Params = events::Params::default(), table events::Params::ROWS;
        japan: japan::Params = japan::Params::default(), table japan::Params::ROWS;
        us: us::Params = us::Params::default(), table us::Params::ROWS;
        legislature: legislature::Params = legislature::Params::default(), table legislature::Params::ROWS;
        executive: executive::Params = executive::Params::default(), table executive::Params::ROWS;
        ladder: ladder::Params = ladder::Params::default(), table ladder::Params::ROWS;
        logistics: logistics::Params = logistics::Params::default(), table logistics::Params::ROWS;
        elections: elections::Params = elections::Params::default(), table elections::Params::ROWS;
        outcome: record::Params = record::Params::default(), table record::Params::ROWS;
        /// Scheduled events for counterfactuals, on top of the stochastic ones.
        events: Vec<ScheduledEvent> = Vec::new();
    }
}

/// Every documented parameter, with its full dotted path.
pub fn parameters() -> &'static [Param] {
    fn flatten(prefix: &str, rows: &[Row], out: &mut Vec<Param>) {
        for row in rows {
            match row {
                Row::Leaf(p) => out.push(Param {
                    path: Box::leak(format!("{prefix}{}", p.path).into_boxed_str()),
                    description: p.description.trim(),
                    ..*p
                }),
                Row::Table(key, rows) => flatten(&format!("{prefix}{key}."), rows, out),
            }
        }
    }
    static ALL: std::sync::LazyLock<Vec<Param>> = std::sync::LazyLock::new(|| {
        let mut all = Vec::new();
        flatten("", Scenario::ROWS, &mut all);
        all
    });
    &ALL
}

/// Look up a dotted path in a JSON tree.
pub fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(root, |v, key| v.get(key))
}

impl Scenario {
    /// Parse a (possibly partial) JSON scenario, fill defaults, validate.
    pub fn from_json_str(text: &str) -> Result<Scenario> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| Error::config("<json>", format!("malformed JSON: {e}")))?;
        Scenario::from_value(value)
    }

    /// Parse a TOML scenario; `source` names the file in messages.
    pub fn from_toml_str(text: &str, source: &str) -> Result<Scenario> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| Error::config(source, format!("malformed TOML: {}", e.to_string().trim())))?;
        let value = toml_to_json(toml::Value::Table(table), "")?;
        Scenario::from_value(value)
    }

    /// A partial tree is laid over the default scenario, so any subset of keys may be given.
    pub fn from_value(value: Value) -> Result<Scenario> {
        let mut full = serde_json::to_value(Scenario::default()).expect("a scenario always serialises");
        merge(&mut full, value, "")?;
        let sc: Scenario = serde_path_to_error::deserialize(full).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { "<scenario>".to_string() } else { path };
            Error::config(path, e.into_inner().to_string())
        })?;
        sc.validate()?;
        Ok(sc)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a scenario always serialises")
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario always serialises to TOML")
    }

    /// Check every rule that the types alone do not enforce.
    pub fn validate(&self) -> Result<()> {
        let tree = serde_json::to_value(self).expect("a scenario always serialises");
        for param in parameters() {
            if param.min == 0.0 && param.max == 0.0 {
                continue; // names, flags and dates: checked below
            }
            let v = get_path(&tree, param.path).and_then(Value::as_f64);
            let Some(v) = v else {
                return Err(Error::config(param.path, "must be a number"));
            };
            if !v.is_finite() {
                return Err(Error::config(param.path, format!("must be a finite number, got {v}")));
            }
            if v < param.min || v > param.max {
                return Err(Error::config(
                    param.path,
                    format!(
                        "must be between {} and {} ({}), got {v}",
                        fmt_num(param.min),
                        fmt_num(param.max),
                        param.unit
                    ),
                ));
            }
        }
        for (v, path) in [(&self.voters, "voters"), (&self.japan.voters, "japan.voters")] {
            if v.share_progressive + v.share_conservative > 1.0 {
                return Err(Error::config(
                    format!("{path}.share_conservative"),
                    format!(
                        "share_progressive + share_conservative must be at most 1, got {}",
                        v.share_progressive + v.share_conservative
                    ),
                ));
            }
        }
        for (s, path) in [(&self.legislature.seats, "legislature.seats"), (&self.japan.seats, "japan.seats")] {
            let total = s.progressive + s.conservative + s.independent;
            if total != 300 {
                return Err(Error::config(path, format!("seats must sum to 300, got {total}")));
            }
        }
        // Generated networks stay within the tie limit, Japan's own in full mode too.
        let degree = self.network.degree as usize;
        if self.network.kind != network::NetworkKind::User {
            network::check_ties(self.voters.n as usize, degree, "network.degree", "voters.n x degree")?;
        }
        if self.japan.mode == japan::JapanMode::Full {
            let n = self.japan.voters.n as usize;
            network::check_ties(n, degree.min(n - 1), "japan.voters.n", "japan.voters.n x network.degree")?;
        }
        for (i, c) in self.japan.cabinets.iter().enumerate() {
            parse_date(&c.date).map_err(|r| Error::config(format!("japan.cabinets[{i}].date"), r))?;
            if !(0.0..=1.0).contains(&c.nationalism) {
                return Err(Error::config(
                    format!("japan.cabinets[{i}].nationalism"),
                    format!("must be between 0 and 1, got {}", c.nationalism),
                ));
            }
        }
        parse_date(&self.start_date).map_err(|r| Error::config("start_date", r))?;
        parse_date(&self.executive.term_start).map_err(|r| Error::config("executive.term_start", r))?;
        for (i, name) in self.ladder.in_force.iter().enumerate() {
            match ladder::rung_from_name(name) {
                Some(r) if r >= 1 => {}
                _ => {
                    return Err(Error::config(
                        format!("ladder.in_force[{i}]"),
                        format!("unknown rung '{name}'; expected one of {}", ladder::RUNG_NAMES[1..].join(", ")),
                    ))
                }
            }
        }
        parse_date(&self.elections.assembly_date).map_err(|r| Error::config("elections.assembly_date", r))?;
        parse_date(&self.us.inauguration_date).map_err(|r| Error::config("us.inauguration_date", r))?;
        parse_date(&self.ladder.renewal_date).map_err(|r| Error::config("ladder.renewal_date", r))?;
        for (i, f) in self.elections.fixed_winners.iter().enumerate() {
            parse_date(&f.date).map_err(|r| Error::config(format!("elections.fixed_winners[{i}].date"), r))?;
            if let Some(x) = f.ideology.filter(|x| !(-1.0..=1.0).contains(x)) {
                return Err(Error::config(
                    format!("elections.fixed_winners[{i}].ideology"),
                    format!("must be between -1 and 1, got {x}"),
                ));
            }
        }
        for (i, ev) in self.events.iter().enumerate() {
            self.event_week(ev, &format!("events[{i}]"))?;
        }
        Ok(())
    }

    /// The week of a scheduled event, checked by the rules of the `events` list: a magnitude
    /// from 0 to 100, exactly one of week or date, within the horizon. Errors name the field
    /// under `at`, the event's path ("" for an event given on its own).
    pub fn event_week(&self, ev: &ScheduledEvent, at: &str) -> Result<u32> {
        let field = |f: &str| if at.is_empty() { f.to_string() } else { format!("{at}.{f}") };
        if !ev.magnitude.is_finite() || ev.magnitude < 0.0 || ev.magnitude > 100.0 {
            return Err(Error::config(field("magnitude"), format!("must be between 0 and 100, got {}", ev.magnitude)));
        }
        if ev.week.is_some() == ev.date.is_some() {
            return Err(Error::config(if at.is_empty() { "week" } else { at }, "give exactly one of week or date"));
        }
        let week = week_of_event(ev, &self.calendar()).map_err(|r| Error::config(field("date"), r))?;
        if week >= self.horizon_weeks as i64 || week < 0 {
            return Err(Error::config(
                field(if ev.week.is_some() { "week" } else { "date" }),
                format!("falls in week {week}, outside the horizon 0..{}", self.horizon_weeks),
            ));
        }
        Ok(week as u32)
    }

    /// This scenario with `new`'s `LIVE_SECTIONS`, for the weeks still to run: `new` may
    /// differ from it nowhere else (anything else is fixed when a run starts, and changing
    /// it is an error naming its path).
    pub fn retuned(&self, new: Scenario) -> Result<Scenario> {
        new.validate()?;
        let tree = |sc: &Scenario| serde_json::to_value(sc).expect("a scenario always serialises");
        if let Some(path) = first_difference(&tree(self), &tree(&new), "") {
            if !LIVE_SECTIONS.iter().any(|s| path == *s || path.starts_with(&format!("{s}."))) {
                let live = LIVE_SECTIONS.map(|s| format!("{s}.*")).join(", ");
                return Err(Error::config(
                    path,
                    format!("fixed when the run starts; during a run only {live} can change"),
                ));
            }
        }
        Ok(Scenario { shocks: new.shocks, ..self.clone() })
    }

    /// Scheduled events as (week, kind, magnitude), sorted by week then by order given.
    pub fn scheduled(&self) -> Vec<(u32, ShockKind, f64)> {
        let calendar = self.calendar();
        let mut out: Vec<(u32, ShockKind, f64)> = self
            .events
            .iter()
            .filter_map(|ev| week_of_event(ev, &calendar).ok().map(|w| (w as u32, ev.kind, ev.magnitude)))
            .collect();
        out.sort_by_key(|e| e.0);
        out
    }

    /// The run's weeks (a valid scenario has a valid start date).
    pub fn calendar(&self) -> Calendar {
        Calendar { start_day: parse_date(&self.start_date).unwrap_or(0), horizon_weeks: self.horizon_weeks }
    }
}

/// Sections of the scenario that a run reads afresh each week, so that a change from a week
/// on (`Scenario::retuned`) takes effect whole: the shock environment.
pub const LIVE_SECTIONS: [&str; 1] = ["shocks"];

/// The dotted path of the first value that differs between two JSON trees, if any.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))).find_map(|k| {
                let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => first_difference(u, v, &path),
                    _ => Some(path),
                }
            })
        }
        _ => (a != b).then(|| at.to_string()),
    }
}

/// The week of the run in which a scheduled event falls.
fn week_of_event(ev: &ScheduledEvent, calendar: &Calendar) -> std::result::Result<i64, String> {
    match (&ev.week, &ev.date) {
        (Some(w), _) => Ok(*w as i64),
        (None, Some(d)) => Ok(calendar.week_of(parse_date(d)?)),
        _ => Err("give exactly one of week or date".into()),
    }
}

/// Deep-merge `over` onto `base`: tables merge key by key, anything else replaces. A table
/// is only ever replaced by a table (serde would read a list into one by position), and no
/// key is empty. `path` is where `base` stands, for the errors.
fn merge(base: &mut Value, over: Value, path: &str) -> Result<()> {
    let here = if path.is_empty() { "<scenario>" } else { path };
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                if k.is_empty() {
                    return Err(Error::config(here, "has an empty key"));
                }
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v, &if path.is_empty() { k } else { format!("{path}.{k}") })?,
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (Value::Object(_), v) => {
            let got = match v {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "true or false",
                _ => "nothing",
            };
            return Err(Error::config(here, format!("must be a table, got {got}")));
        }
        (slot, v) => *slot = v,
    }
    Ok(())
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// TOML value to JSON, refusing NaN and infinities with the path where they stand.
fn toml_to_json(v: toml::Value, path: &str) -> Result<Value> {
    let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    Ok(match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => match serde_json::Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None => return Err(Error::config(path, format!("must be a finite number, got {f}"))),
        },
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(
            a.into_iter().enumerate().map(|(i, x)| toml_to_json(x, &format!("{path}[{i}]"))).collect::<Result<_>>()?,
        ),
        toml::Value::Table(t) => {
            let mut m = serde_json::Map::new();
            for (k, x) in t {
                let child = toml_to_json(x, &join(&k))?;
                m.insert(k, child);
            }
            Value::Object(m)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    leaves(x, &p, out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn every_leaf_is_documented() {
        let tree = serde_json::to_value(Scenario::default()).unwrap();
        let mut all = Vec::new();
        leaves(&tree, "", &mut all);
        for leaf in all.iter().filter(|l| *l != "events" && *l != "elections.fixed_winners") {
            assert!(parameters().iter().any(|p| p.path == leaf), "undocumented parameter {leaf}");
        }
        for p in parameters() {
            assert!(get_path(&tree, p.path).is_some(), "documented parameter {} does not exist", p.path);
        }
    }

    #[test]
    fn default_is_valid_and_round_trips() {
        let sc = Scenario::default();
        sc.validate().unwrap();
        assert_eq!(Scenario::from_json_str(&sc.to_json()).unwrap(), sc);
        assert_eq!(Scenario::from_toml_str(&sc.to_toml(), "x.toml").unwrap(), sc);
    }

    #[test]
    fn partial_input_fills_defaults() {
        let sc = Scenario::from_toml_str("[voters]\nn = 1000\n", "x.toml").unwrap();
        assert_eq!(sc.voters.n, 1000);
        assert_eq!(sc.voters.stubbornness, voters::Params::default().stubbornness);
        let sc = Scenario::from_toml_str("[ladder.controversy]\nacsa_full = 0.9\n", "x.toml").unwrap();
        assert_eq!(sc.ladder.controversy.acsa_full, 0.9);
        assert_eq!(sc.ladder.controversy.gsomia, 0.5);
    }

    fn err_path(r: Result<Scenario>) -> String {
        match r {
            Err(Error::Config { path, .. }) => path,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn bad_input_names_the_path() {
        assert_eq!(err_path(Scenario::from_json_str(r#"{"voters": {"n": -5}}"#)), "voters.n");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"voters": {"stubbornness": 1.5}}"#)), "voters.stubbornness");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"voters": {"stubbornness": "high"}}"#)), "voters.stubbornness");
        assert!(err_path(Scenario::from_json_str(r#"{"voters": {"bogus": 1}}"#)).starts_with("voters"));
        assert_eq!(
            err_path(Scenario::from_toml_str("[voters]\nstubbornness = nan\n", "f.toml")),
            "voters.stubbornness"
        );
        assert_eq!(err_path(Scenario::from_toml_str("[voters\nn=1", "f.toml")), "f.toml");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"start_date": "2026-13-01"}"#)), "start_date");
        assert_eq!(
            err_path(Scenario::from_json_str(r#"{"legislature": {"seats": {"progressive": 200}}}"#)),
            "legislature.seats"
        );
        assert_eq!(
            err_path(Scenario::from_json_str(r#"{"events": [{"week": 9999, "kind": "nuclear_test"}]}"#)),
            "events[0].week"
        );
        assert_eq!(err_path(Scenario::from_json_str(r#"{"network": {"kind": "ring"}}"#)), "network.kind");
    }

    #[test]
    fn tables_are_never_lists_and_keys_never_empty() {
        // serde alone reads a list into a table by position, and an empty one as the defaults.
        let err = Scenario::from_toml_str("voters = [5000, 0.3]\n", "f.toml").unwrap_err().to_string();
        assert_eq!(err, "voters: must be a table, got a list");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"voters": []}"#)), "voters");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"japan": {"voters": 3}}"#)), "japan.voters");
        assert_eq!(err_path(Scenario::from_json_str(r#"[]"#)), "<scenario>");
        let err = Scenario::from_toml_str("\"\" = 1\n", "f.toml").unwrap_err().to_string();
        assert_eq!(err, "<scenario>: has an empty key");
        assert_eq!(err_path(Scenario::from_json_str(r#"{"voters": {"": 2}}"#)), "voters");
        // Dates are digits only, as the calendar that reads them.
        assert_eq!(err_path(Scenario::from_json_str(r#"{"start_date": "+999-01-01"}"#)), "start_date");
    }

    #[test]
    fn scheduled_event_by_date() {
        let sc = Scenario::from_json_str(
            r#"{"events": [{"date": "2026-06-15", "kind": "nuclear_test", "magnitude": 2.0}]}"#,
        )
        .unwrap();
        assert_eq!(sc.scheduled(), vec![(2, ShockKind::NuclearTest, 2.0)]);
    }
}
