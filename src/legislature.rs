//! The National Assembly: 253 district seats over contiguous voter ranges and 47 list seats.
//!
//! A member's stance on the president's proposal is party line + district mood + noise. The
//! governing party backs its president under discipline; the opposition opposes in proportion
//! to how politicised the issue is; both are pulled by their own voters.

use serde::{Deserialize, Serialize};

use crate::party::Party;
use crate::rng::{normal, Counter, RunRng, Stream};
use crate::scenario::{param, Param};
use crate::voters::{Aggregates, DISTRICTS};

/// Seats of each camp, scaled to 300.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Seats {
    pub progressive: u32,
    pub conservative: u32,
    pub independent: u32,
}

/// The `[legislature]` section.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub seats: Seats,
    pub consent_required: bool,
    pub discipline: f64,
    pub district_weight: f64,
    pub noise: f64,
    pub revolt_threshold: f64,
}

impl Default for Seats {
    fn default() -> Self {
        Seats { progressive: 188, conservative: 108, independent: 4 }
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seats: Seats::default(),
            consent_required: false,
            discipline: 0.4,
            district_weight: 1.0,
            noise: 0.15,
            revolt_threshold: 0.3,
        }
    }
}

/// Rows of the parameter table, within the section.
pub const PARAMETERS: &[Param] = &[
    param("seats.progressive", "seats", 0.0, 300.0, "Progressive-camp seats (sum of seats must be 300)."),
    param("seats.conservative", "seats", 0.0, 300.0, "Conservative-camp seats."),
    param("seats.independent", "seats", 0.0, 300.0, "Other seats."),
    param("consent_required", "flag", 0.0, 0.0, "An agreement needs a National Assembly consent vote."),
    param("discipline", "share", 0.0, 1.0, "Weight of the party line in a member's stance."),
    param("district_weight", "per unit", 0.0, 5.0, "Weight of district mood in a member's stance."),
    param("noise", "stance", 0.0, 5.0, "Spread of members' idiosyncratic stances."),
    param("revolt_threshold", "share", 0.0, 1.0, "Share of governing-party members opposed that forces postponement."),
];

pub const SEATS: usize = 300;
pub const LIST_SEATS: usize = 47;

#[derive(Clone, Debug)]
pub struct Member {
    pub party: Party,
    /// District index, or None for a list seat.
    pub district: Option<usize>,
    idiosyncrasy: f64,
}

#[derive(Clone, Debug)]
pub struct Legislature {
    pub members: Vec<Member>,
    discipline: f64,
    district_weight: f64,
    noise: f64,
    revolt_threshold: f64,
}

/// How the Assembly stands on the question before it this week.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Assessment {
    /// Share of all 300 members in favour.
    pub support: f64,
    pub yes_votes: usize,
    /// Share of the governing party's members opposed.
    pub governing_opposed: f64,
    pub revolt: bool,
}

/// Split `total` seats in proportion to `weights` by largest remainder (ties to the first).
fn largest_remainder(total: usize, weights: [u32; 3]) -> [usize; 3] {
    let sum: u32 = weights.iter().sum();
    if sum == 0 {
        return [0, 0, total];
    }
    let quotas = weights.map(|w| total as f64 * w as f64 / sum as f64);
    let mut seats = quotas.map(|q| q.floor() as usize);
    let mut order = [0usize, 1, 2];
    order.sort_by(|&a, &b| (quotas[b] - quotas[b].floor()).total_cmp(&(quotas[a] - quotas[a].floor())));
    let mut left = total - seats.iter().sum::<usize>();
    for k in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        seats[k] += 1;
        left -= 1;
    }
    seats
}

impl Legislature {
    /// A chamber with the rules `l` and the seats `s`: list seats in proportion to each
    /// camp's seats, the rest as districts, given to the districts whose voters lean most
    /// towards that camp.
    pub fn new(l: &Params, s: &Seats, district_lean: &[f64], rng: &mut RunRng) -> Legislature {
        let totals = [s.progressive as usize, s.conservative as usize, s.independent as usize];
        let mut list = largest_remainder(LIST_SEATS, [s.progressive, s.conservative, s.independent]);
        for k in 0..3 {
            list[k] = list[k].min(totals[k]);
        }
        // Any list seats a tiny party could not fill go to the largest camp.
        let short = LIST_SEATS - list.iter().sum::<usize>();
        let big = (0..3).max_by_key(|&k| totals[k] - list[k]).unwrap();
        list[big] += short;
        let district = [0, 1, 2].map(|k| totals[k] - list[k]);

        let mut order: Vec<usize> = (0..DISTRICTS).collect();
        order.sort_by(|&a, &b| district_lean[b].total_cmp(&district_lean[a]).then(a.cmp(&b)));
        let mut owner = vec![Party::Independent; DISTRICTS];
        for (rank, &d) in order.iter().enumerate() {
            owner[d] = if rank < district[0] {
                Party::Progressive
            } else if rank >= DISTRICTS - district[1] {
                Party::Conservative
            } else {
                Party::Independent
            };
        }

        let mut legislature = Legislature {
            members: Vec::new(),
            discipline: l.discipline,
            district_weight: l.district_weight,
            noise: l.noise,
            revolt_threshold: l.revolt_threshold,
        };
        legislature.seat(&owner, list, rng);
        legislature
    }

    /// An election: each district seat goes to the camp with most votes there (plurality),
    /// the 47 list seats in proportion to national votes (largest remainder).
    pub fn elect(&mut self, tallies: &[[u32; 3]], rng: &mut RunRng) {
        let owner: Vec<Party> = tallies
            .iter()
            .map(|t| {
                let best = (0..3).max_by_key(|&k| (t[k], std::cmp::Reverse(k))).unwrap();
                Party::ALL[best]
            })
            .collect();
        let national = tallies.iter().fold([0u32; 3], |acc, t| [acc[0] + t[0], acc[1] + t[1], acc[2] + t[2]]);
        self.seat(&owner, largest_remainder(LIST_SEATS, national), rng);
    }

    /// Fill the 300 seats: district owners in district order, then list seats by camp.
    fn seat(&mut self, owner: &[Party], list: [usize; 3], rng: &mut RunRng) {
        self.members.clear();
        for (d, &party) in owner.iter().enumerate() {
            self.members.push(Member { party, district: Some(d), idiosyncrasy: self.noise * normal(rng) });
        }
        for p in Party::ALL {
            for _ in 0..list[p.index()] {
                self.members.push(Member { party: p, district: None, idiosyncrasy: self.noise * normal(rng) });
            }
        }
    }

    pub fn seats(&self, party: Party) -> usize {
        self.members.iter().filter(|m| m.party == party).count()
    }

    /// Stances on a proposal of the president's (`stance` +1 to deepen cooperation).
    pub fn assess(
        &self,
        agg: &Aggregates,
        exec_party: Party,
        politicisation: f64,
        counter: &Counter,
        step: u32,
    ) -> Assessment {
        let mut yes = 0usize;
        let (mut gov, mut gov_no) = (0usize, 0usize);
        for (k, m) in self.members.iter().enumerate() {
            let voters = 2.0 * agg.party_support[m.party.index()] - 1.0;
            let line = if m.party == exec_party {
                self.discipline + (1.0 - self.discipline) * voters
            } else if m.party != Party::Independent && exec_party != Party::Independent {
                let opposition = self.discipline * politicisation;
                -opposition + (1.0 - opposition) * voters
            } else {
                voters
            };
            // A list member answers to the whole country, a district member to the district.
            let mood = match m.district {
                Some(d) => 2.0 * agg.district_support[d] - 1.0,
                None => 2.0 * agg.support_mean - 1.0,
            };
            let weekly = 0.5 * self.noise * counter.normal(Stream::Legislator, step, k as u64);
            let stance = line + self.district_weight * mood + m.idiosyncrasy + weekly;
            yes += (stance > 0.0) as usize;
            if m.party == exec_party {
                gov += 1;
                gov_no += (stance <= 0.0) as usize;
            }
        }
        let governing_opposed = if gov > 0 { gov_no as f64 / gov as f64 } else { 0.0 };
        Assessment {
            support: yes as f64 / self.members.len() as f64,
            yes_votes: yes,
            governing_opposed,
            revolt: governing_opposed > self.revolt_threshold,
        }
    }

    /// Consent vote: a simple majority of the whole Assembly.
    pub fn consents(a: &Assessment) -> bool {
        a.yes_votes > SEATS / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::run_rng;
    use crate::scenario::Scenario;

    fn aggregates(support: f64) -> Aggregates {
        Aggregates { party_support: [support; 3], district_support: vec![support; DISTRICTS], ..Default::default() }
    }

    fn lean() -> Vec<f64> {
        (0..DISTRICTS).map(|d| d as f64 / DISTRICTS as f64 - 0.5).collect()
    }

    #[test]
    fn seats_sum_to_300_and_follow_scenario() {
        let sc = Scenario::default();
        let l = Legislature::new(&sc.legislature, &sc.legislature.seats, &lean(), &mut run_rng(&[1; 32]));
        assert_eq!(l.members.len(), SEATS);
        assert_eq!(l.seats(Party::Progressive), 188);
        assert_eq!(l.seats(Party::Conservative), 108);
        assert_eq!(l.members.iter().filter(|m| m.district.is_none()).count(), LIST_SEATS);
        // The most progressive-leaning district elects a progressive.
        let top = l.members.iter().find(|m| m.district == Some(DISTRICTS - 1)).unwrap();
        assert_eq!(top.party, Party::Progressive);
    }

    #[test]
    fn odd_seat_splits_still_sum_to_300() {
        let mut sc = Scenario::default();
        sc.legislature.seats.progressive = 299;
        sc.legislature.seats.conservative = 0;
        sc.legislature.seats.independent = 1;
        let l = Legislature::new(&sc.legislature, &sc.legislature.seats, &lean(), &mut run_rng(&[1; 32]));
        assert_eq!(l.members.len(), SEATS);
        assert_eq!(l.seats(Party::Independent), 1);
    }

    #[test]
    fn elections_give_districts_to_their_plurality_and_lists_by_share() {
        let sc = Scenario::default();
        let mut l = Legislature::new(&sc.legislature, &sc.legislature.seats, &lean(), &mut run_rng(&[1; 32]));
        // Conservatives win every district narrowly; nationally 40 / 45 / 15.
        let tallies: Vec<[u32; 3]> = (0..DISTRICTS).map(|_| [40, 45, 15]).collect();
        l.elect(&tallies, &mut run_rng(&[2; 32]));
        assert_eq!(l.members.len(), SEATS);
        assert_eq!(
            l.members.iter().filter(|m| m.district.is_some() && m.party == Party::Conservative).count(),
            DISTRICTS
        );
        let list = |p| l.members.iter().filter(|m| m.district.is_none() && m.party == p).count();
        assert_eq!((list(Party::Progressive), list(Party::Conservative), list(Party::Independent)), (19, 21, 7));
    }

    #[test]
    fn unpopular_proposal_provokes_a_revolt() {
        let sc = Scenario::default();
        let l = Legislature::new(&sc.legislature, &sc.legislature.seats, &lean(), &mut run_rng(&[1; 32]));
        let c = Counter::new(&[2; 32]);
        let calm = l.assess(&aggregates(0.7), Party::Progressive, 0.2, &c, 0);
        let angry = l.assess(&aggregates(0.1), Party::Progressive, 0.2, &c, 0);
        assert!(!calm.revolt && angry.revolt);
        assert!(calm.support > angry.support);
        assert!(Legislature::consents(&calm));
    }

    #[test]
    fn politicisation_hardens_the_opposition() {
        let sc = Scenario::default();
        let l = Legislature::new(&sc.legislature, &sc.legislature.seats, &lean(), &mut run_rng(&[1; 32]));
        let c = Counter::new(&[2; 32]);
        let low = l.assess(&aggregates(0.55), Party::Progressive, 0.0, &c, 0);
        let high = l.assess(&aggregates(0.55), Party::Progressive, 1.0, &c, 0);
        assert!(high.support < low.support);
    }
}
