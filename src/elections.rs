//! Elections: the calendar of presidential and National Assembly elections, the winners
//! a replay gives, and the weights of a voter's choice.

use serde::{Deserialize, Serialize};

use crate::calendar::{parse_date, Calendar};
use crate::party::Party;
use crate::scenario::params;

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

params! {
    /// The `[elections]` section.
    pub struct Params {
        /// Hold presidential and National Assembly elections on the calendar (off: the presidency and the
        /// seats stay as they start).
        enabled: bool = true, unit "flag";
        /// Date of the next National Assembly election; later ones follow every assembly_years.
        assembly_date: String = "2028-04-12".into(), unit "date";
        /// Years between National Assembly elections.
        assembly_years: u32 = 4, unit "years", range 1.0..=10.0;
        /// Pull of a voter's own camp in the vote.
        identity_weight: f64 = 2.0, unit "utility", range 0.0..=20.0;
        /// Reward or punishment of the incumbent's camp per unit of approval above or below 0.5.
        approval_weight: f64 = 3.0, unit "utility per unit", range 0.0..=20.0;
        /// Pull towards the conservative camp per unit of support for security cooperation above 0.5 (and
        /// away from the progressive camp).
        issue_weight: f64 = 2.0, unit "utility per unit", range 0.0..=20.0;
        /// Handicap of minor parties and independents (the third camp) in every vote.
        minor_party_penalty: f64 = 2.5, unit "utility", range 0.0..=20.0;
        /// Spread of each election's national swing between the two main camps (candidates, campaigns,
        /// scandals).
        campaign_swing_sd: f64 = 0.5, unit "utility", range 0.0..=10.0;
        /// Pro-cooperation lean of a newly elected progressive president.
        ideology_progressive: f64 = -0.2, unit "-1..1", range -1.0..=1.0;
        /// Pro-cooperation lean of a newly elected conservative president.
        ideology_conservative: f64 = 0.38, unit "-1..1", range -1.0..=1.0;
        /// Pro-cooperation lean of a newly elected president from the third camp.
        ideology_independent: f64 = 0.0, unit "-1..1", range -1.0..=1.0;
        /// Presidential elections whose winner is given (date, party, optional ideology), for replays: held
        /// on the date (a snap election) unless the term ends within 26 weeks of it, then at the term's end.
        fixed_winners: Vec<FixedWinner> = Vec::new(), unit "list";
    }
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
