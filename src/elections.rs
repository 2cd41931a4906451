//! Elections: the calendar of presidential and National Assembly elections, the winners
//! a replay gives, and the weights of a voter's choice.

use serde::{Deserialize, Serialize};

use crate::calendar::{parse_date, Calendar};
use crate::party::Party;
use crate::scenario::{param, Param};

/// A presidential election whose winner is given rather than voted (for replays), with
/// the winner's own pro-cooperation lean if known (else the camp's).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FixedWinner {
    pub date: String,
    pub party: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ideology: Option<f64>,
}

/// The `[elections]` section.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub enabled: bool,
    pub assembly_date: String,
    pub assembly_years: u32,
    pub identity_weight: f64,
    pub approval_weight: f64,
    pub issue_weight: f64,
    pub minor_party_penalty: f64,
    pub campaign_swing_sd: f64,
    pub ideology_progressive: f64,
    pub ideology_conservative: f64,
    pub ideology_independent: f64,
    /// Presidential elections with a given winner: held on their date if no calendar
    /// election falls within half a year of it (a snap election), else at the calendar one.
    pub fixed_winners: Vec<FixedWinner>,
}

impl Params {
    pub fn ideology(&self, party: Party) -> f64 {
        match party {
            Party::Progressive => self.ideology_progressive,
            Party::Conservative => self.ideology_conservative,
            Party::Independent => self.ideology_independent,
        }
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            enabled: true,
            assembly_date: "2028-04-12".into(),
            assembly_years: 4,
            identity_weight: 2.0,
            approval_weight: 3.0,
            issue_weight: 2.0,
            minor_party_penalty: 2.5,
            campaign_swing_sd: 0.5,
            ideology_progressive: -0.2,
            ideology_conservative: 0.5,
            ideology_independent: 0.0,
            fixed_winners: Vec::new(),
        }
    }
}

/// Rows of the parameter table, within the section.
pub const PARAMETERS: &[Param] = &[
    param("enabled", "flag", 0.0, 0.0, "Hold presidential and National Assembly elections on the calendar (off: the presidency and the seats stay as they start)."),
    param("assembly_date", "date", 0.0, 0.0, "Date of the next National Assembly election; later ones follow every assembly_years."),
    param("assembly_years", "years", 1.0, 10.0, "Years between National Assembly elections."),
    param("identity_weight", "utility", 0.0, 20.0, "Pull of a voter's own camp in the vote."),
    param("approval_weight", "utility per unit", 0.0, 20.0, "Reward or punishment of the incumbent's camp per unit of approval above or below 0.5."),
    param("issue_weight", "utility per unit", 0.0, 20.0, "Pull towards the conservative camp per unit of support for security cooperation above 0.5 (and away from the progressive camp)."),
    param("minor_party_penalty", "utility", 0.0, 20.0, "Handicap of minor parties and independents (the third camp) in every vote."),
    param("campaign_swing_sd", "utility", 0.0, 10.0, "Spread of each election's national swing between the two main camps (candidates, campaigns, scandals)."),
    param("ideology_progressive", "-1..1", -1.0, 1.0, "Pro-cooperation lean of a newly elected progressive president."),
    param("ideology_conservative", "-1..1", -1.0, 1.0, "Pro-cooperation lean of a newly elected conservative president."),
    param("ideology_independent", "-1..1", -1.0, 1.0, "Pro-cooperation lean of a newly elected president from the third camp."),
    param("fixed_winners", "list", 0.0, 0.0, "Presidential elections whose winner is given (date, party, optional ideology), for replays: held on the date (a snap election) unless the term ends within 26 weeks of it, then at the term's end."),
];

impl Params {
    /// Presidential elections with a given winner, as (week, winner, ideology), in date order.
    pub fn fixed_winners(&self, calendar: &Calendar) -> Vec<(i64, Party, f64)> {
        let mut v: Vec<(i64, Party, f64)> = self
            .fixed_winners
            .iter()
            .filter_map(|f| {
                let day = parse_date(&f.date).ok()?;
                let ideology = f.ideology.unwrap_or_else(|| self.ideology(f.party));
                Some((calendar.week_of(day), f.party, ideology))
            })
            .collect();
        v.sort_by_key(|f| f.0);
        v
    }
}
