//! The National Assembly: 253 district seats over contiguous voter ranges and 47 list seats.
//!
//! A member's stance on the president's proposal is party line + district mood + noise. The
//! governing party backs its president under discipline; the opposition opposes in proportion
//! to how politicised the issue is; both are pulled by their own voters: by their support for
//! cooperation in general, and, while a pact is on the table, by their opposition to that
//! pact, in proportion to its salience. The governing party revolts when more than
//! `revolt_threshold` of its members oppose; the chance of that is smooth in the share its
//! members' voters oppose (`Legislature::expect`).

use multiversion::multiversion;

use crate::math::logistic;
use crate::party::Party;
use crate::rng::{normal, Counter, RunRng, Stream};
use crate::scenario::params;
use crate::voters::{Aggregates, DISTRICTS};

params! {
    /// Seats of each camp, scaled to 300 (the National Assembly's, or Japan's Diet's).
    pub struct Seats {
        /// Seats of the progressive camp (in Japan's Diet, the opposition left); the three must sum to 300.
        progressive: u32 = 188, unit "seats", range 0.0..=300.0;
        /// Seats of the conservative camp (in Japan's Diet, the ruling coalition).
        conservative: u32 = 108, unit "seats", range 0.0..=300.0;
        /// Other seats.
        independent: u32 = 4, unit "seats", range 0.0..=300.0;
    }
}

params! {
    /// The `[legislature]` section.
    pub struct Params {
        seats: Seats = Seats::default(), table Seats::ROWS;
        /// An agreement needs a National Assembly consent vote.
        consent_required: bool = false, unit "flag";
        /// Weight of the party line in a member's stance.
        discipline: f64 = 0.4, unit "share", range 0.0..=1.0;
        /// Weight of district mood in a member's stance.
        district_weight: f64 = 1.0, unit "per unit", range 0.0..=5.0;
        /// Spread of members' idiosyncratic stances.
        noise: f64 = 0.15, unit "stance", range 0.0..=5.0;
        /// Share of governing-party members opposed that forces postponement.
        revolt_threshold: f64 = 0.3, unit "share", range 0.0..=1.0;
    }
}

/// The normal distribution's CDF is close to logistic(1.702 x) (within 0.01).
const PROBIT_TO_LOGIT: f64 = 1.702;

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

/// The president's side in the Assembly this week: his party, and how far his camp still
/// holds to his line (`Executive::following`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Governing {
    pub party: Party,
    pub loyalty: f64,
}

/// How the Assembly stands on the question before it this week.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Assessment {
    /// Share of all 300 members in favour.
    pub support: f64,
    pub yes_votes: usize,
    /// Share of the governing party's members opposed.
    pub governing_opposed: f64,
    /// This week's chance of a revolt before the members' weekly noise
    /// (`Expectation::revolt_risk`).
    pub revolt_risk: f64,
    /// More than `revolt_threshold` of the governing party's members are opposed.
    pub revolt: bool,
}

/// How the Assembly would stand, over the members' weekly noise: a member opposes with
/// probability Φ(−stance / sd) (taken as logistic(−1.702 × stance / sd)), independently of
/// the others, and a count of members is taken as normal with the mean and variance of that
/// sum.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Expectation {
    /// Expected share of the governing party's members opposed.
    pub governing_opposed: f64,
    /// Chance that more than `revolt_threshold` of them oppose: the revolt risk.
    pub revolt_risk: f64,
    /// Expected members in favour less the 151 a consent vote needs.
    pub consent_margin: f64,
    /// Chance that 150 or fewer members are in favour: a consent vote fails.
    pub consent_risk: f64,
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

/// The mood of a member's voters: support for cooperation (2 y - 1), and while a pact is
/// on the table, with weight `salience` (its salience), the share not opposed to it less the
/// share opposed.
#[inline(always)]
fn mood(support: f64, opposed: f64, salience: f64) -> f64 {
    (1.0 - salience) * (2.0 * support - 1.0) + salience * (1.0 - 2.0 * opposed)
}

/// Each member's chance of opposing over the weekly noise of spread `sd`, from its stance:
/// Φ(−stance / sd), taken as logistic(−1.702 × stance / sd) (`Expectation`).
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512bw+avx512dq", "x86_64+avx2"))]
fn chances_opposed(stances: &[f64], sd: f64, out: &mut [f64]) {
    for (p, &stance) in out.iter_mut().zip(stances) {
        *p = logistic(-PROBIT_TO_LOGIT * stance / sd);
    }
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

    /// The party line of each camp (by `Party::index`), from the mood of the camp's voters:
    /// the governing party backs its president under discipline, as far as it still holds to
    /// his line (`gov.loyalty`), the opposition opposes in proportion to how politicised the
    /// issue is, and the rest follow their voters.
    fn lines(&self, agg: &Aggregates, gov: Governing, politicisation: f64, salience: f64) -> [f64; 3] {
        let exec_party = gov.party;
        Party::ALL.map(|party| {
            let p = party.index();
            let voters = mood(agg.party_support[p], agg.party_opposed[p], salience);
            if party == exec_party {
                let d = self.discipline * gov.loyalty;
                d + (1.0 - d) * voters
            } else if party != Party::Independent && exec_party != Party::Independent {
                let opposition = self.discipline * politicisation;
                -opposition + (1.0 - opposition) * voters
            } else {
                voters
            }
        })
    }

    /// Spread of a member's weekly noise.
    fn weekly_sd(&self) -> f64 {
        0.5 * self.noise
    }

    /// Stances on a proposal of the president's this week. `salience`: the salience of the
    /// pact on the table (0 if none is).
    pub fn assess(
        &self,
        agg: &Aggregates,
        gov: Governing,
        politicisation: f64,
        salience: f64,
        counter: &Counter,
        step: u32,
    ) -> Assessment {
        let exec_party = gov.party;
        let mut stances = [0f64; SEATS];
        let stances = self.mean_stances(agg, gov, politicisation, salience, &mut stances);
        let mut yes = 0usize;
        let (mut gov, mut gov_no) = (0usize, 0usize);
        for (k, (m, &mean)) in self.members.iter().zip(stances.iter()).enumerate() {
            let weekly = self.weekly_sd() * counter.normal(Stream::Legislator, step, k as u64);
            let stance = mean + weekly;
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
            revolt_risk: self.expectation(stances, exec_party).revolt_risk,
            revolt: governing_opposed > self.revolt_threshold,
        }
    }

    /// How the Assembly would stand on the president's proposal, over the members' weekly
    /// noise, if members weighed their voters' opposition to the pact on the table with
    /// `salience` (0 for none): for the executive to weigh a pact before or while it is on
    /// the table. The voters' opposition is `agg`'s (`Aggregates::party_opposed`,
    /// `district_opposed`), formed at that salience (`polity::Foresight` projects it for a
    /// move not yet made).
    pub fn expect(&self, agg: &Aggregates, gov: Governing, politicisation: f64, salience: f64) -> Expectation {
        let mut stances = [0f64; SEATS];
        self.expectation(self.mean_stances(agg, gov, politicisation, salience, &mut stances), gov.party)
    }

    /// Every member's stance before this week's noise, in member order, in the first seats
    /// of `out`: the party line of its camp (`lines`), plus the weighted mood of the
    /// member's voters (a district's, or the country's for a list seat), plus the member's
    /// own lean. The mood of each district is computed once, before the members.
    fn mean_stances<'a>(
        &self,
        agg: &Aggregates,
        gov: Governing,
        politicisation: f64,
        salience: f64,
        out: &'a mut [f64; SEATS],
    ) -> &'a [f64] {
        let lines = self.lines(agg, gov, politicisation, salience);
        let mut moods = [0f64; DISTRICTS];
        let districts = agg.district_support.iter().zip(&agg.district_opposed);
        for (m, (&support, &opposed)) in moods.iter_mut().zip(districts) {
            *m = mood(support, opposed, salience);
        }
        let national = mood(agg.support_mean, agg.pact_opposed, salience);
        let out = &mut out[..self.members.len()];
        for (stance, m) in out.iter_mut().zip(&self.members) {
            let own = match m.district {
                Some(d) => moods[d],
                None => national,
            };
            *stance = lines[m.party.index()] + self.district_weight * own + m.idiosyncrasy;
        }
        out
    }

    /// `expect` from the members' stances before the weekly noise.
    fn expectation(&self, stances: &[f64], exec_party: Party) -> Expectation {
        let sd = self.weekly_sd().max(1e-9);
        let mut opposes = [0f64; SEATS];
        let opposes = &mut opposes[..stances.len()];
        chances_opposed(stances, sd, opposes);
        // Mean and variance of the members in favour, and of the governing party's opposed.
        let (mut yes, mut yes_var) = (0.0, 0.0);
        let (mut gov, mut no, mut no_var) = (0usize, 0.0, 0.0);
        for (m, &p) in self.members.iter().zip(opposes.iter()) {
            yes += 1.0 - p;
            yes_var += p * (1.0 - p);
            if m.party == exec_party {
                gov += 1;
                no += p;
                no_var += p * (1.0 - p);
            }
        }
        // Chance that a normal count of this mean and variance exceeds `bar`.
        let above = |mean: f64, var: f64, bar: f64| logistic(PROBIT_TO_LOGIT * (mean - bar) / var.sqrt().max(1e-9));
        let majority = (SEATS / 2) as f64;
        Expectation {
            governing_opposed: if gov > 0 { no / gov as f64 } else { 0.0 },
            revolt_risk: if gov > 0 { above(no, no_var, self.revolt_threshold * gov as f64) } else { 0.0 },
            consent_margin: yes - (majority + 1.0),
            consent_risk: 1.0 - above(yes, yes_var, majority),
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
        opinion(support, 0.3)
    }

    /// Support for cooperation `support` and opposition to the pact on the table
    /// `opposed`, the same in every camp and district.
    fn opinion(support: f64, opposed: f64) -> Aggregates {
        Aggregates {
            support_mean: support,
            party_support: [support; 3],
            district_support: vec![support; DISTRICTS],
            pact_opposed: opposed,
            party_opposed: [opposed; 3],
            district_opposed: vec![opposed; DISTRICTS],
            ..Default::default()
        }
    }

    /// A progressive president whose camp holds to his line.
    fn loyal() -> Governing {
        Governing { party: Party::Progressive, loyalty: 1.0 }
    }

    fn chamber(sc: &Scenario) -> Legislature {
        Legislature::new(&sc.legislature, &sc.legislature.seats, &lean(), &mut run_rng(&[1; 32]))
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
        let calm = l.assess(&aggregates(0.7), loyal(), 0.2, 0.5, &c, 0);
        let angry = l.assess(&aggregates(0.1), loyal(), 0.2, 0.5, &c, 0);
        assert!(!calm.revolt && angry.revolt);
        assert!(calm.revolt_risk < 0.01 && angry.revolt_risk > 0.9, "{calm:?} {angry:?}");
        assert!(calm.support > angry.support);
        assert!(Legislature::consents(&calm));
    }

    #[test]
    fn politicisation_hardens_the_opposition() {
        let sc = Scenario::default();
        let l = Legislature::new(&sc.legislature, &sc.legislature.seats, &lean(), &mut run_rng(&[1; 32]));
        let c = Counter::new(&[2; 32]);
        let low = l.assess(&aggregates(0.55), loyal(), 0.0, 0.0, &c, 0);
        let high = l.assess(&aggregates(0.55), loyal(), 1.0, 0.0, &c, 0);
        assert!(high.support < low.support);
    }

    #[test]
    fn a_lame_ducks_party_answers_its_voters_rather_than_his_line() {
        // Opinion split on cooperation and a small majority against the pact, everywhere.
        let sc = Scenario::default();
        let l = chamber(&sc);
        let a = opinion(0.5, 0.56);
        let followed = l.expect(&a, loyal(), 0.2, 0.9);
        let lame = l.expect(&a, Governing { loyalty: 0.0, ..loyal() }, 0.2, 0.9);
        assert!(followed.revolt_risk < 0.05 && lame.revolt_risk > 0.95, "{followed:?} {lame:?}");
        assert!(lame.governing_opposed > followed.governing_opposed + 0.3);
    }

    #[test]
    fn ruling_party_revolts_against_an_unpopular_pact_while_cooperation_is_popular() {
        // Seven in ten support cooperation in every district, and eight in ten oppose the
        // pact on the table.
        let sc = Scenario::default();
        let l = chamber(&sc);
        let a = opinion(0.7, 0.8);
        let c = Counter::new(&[2; 32]);
        // Off the table, members answer to support for cooperation: no revolt, ever.
        let off: Vec<Assessment> = (0..50).map(|w| l.assess(&a, loyal(), 0.2, 0.0, &c, w)).collect();
        assert!(off.iter().all(|x| !x.revolt && x.governing_opposed < 0.1));
        // On the table and salient, the ruling party's members answer to their districts.
        let on: Vec<Assessment> = (0..50).map(|w| l.assess(&a, loyal(), 0.2, 0.9, &c, w)).collect();
        assert!(on.iter().all(|x| x.governing_opposed > sc.legislature.revolt_threshold), "{:?}", on[0]);
        assert!(on.iter().filter(|x| x.revolt).count() > 40);
        let e = l.expect(&a, loyal(), 0.2, 0.9);
        assert!(e.revolt_risk > 0.9 && e.consent_margin < 0.0, "{e:?}");
        // The same pact, opposed by two in ten: no revolt, a consent vote passes.
        let e = l.expect(&opinion(0.7, 0.2), loyal(), 0.2, 0.9);
        assert!(e.revolt_risk < 0.01 && e.consent_margin > 0.0, "{e:?}");
    }

    /// The opposition to the pact, the same everywhere, at which the expected revolt risk
    /// is `risk` (support for cooperation 0.7, salience 0.9), by bisection.
    fn opposition_at_risk(l: &Legislature, risk: f64) -> f64 {
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if l.expect(&opinion(0.7, mid), loyal(), 0.2, 0.9).revolt_risk < risk {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    #[test]
    fn revolt_risk_is_smooth_in_opposition_and_the_threshold_matters_below_it() {
        let mut sc = Scenario::default();
        let l = chamber(&sc);
        let e: Vec<Expectation> =
            (0..=1000).map(|k| l.expect(&opinion(0.7, k as f64 / 1000.0), loyal(), 0.2, 0.9)).collect();
        assert!(e.windows(2).all(|w| w[1].governing_opposed >= w[0].governing_opposed));
        assert!(e.windows(2).all(|w| w[1].revolt_risk >= w[0].revolt_risk));
        assert!(e[0].revolt_risk < 1e-3 && e[1000].revolt_risk > 0.999);
        // Between, the risk passes through intermediate values while the expected share
        // opposed is still below the threshold: the threshold counts before a revolt.
        let t = sc.legislature.revolt_threshold;
        let before = e.iter().filter(|x| x.governing_opposed < t && (0.02..0.5).contains(&x.revolt_risk)).count();
        assert!(before >= 2, "{before}");
        // A lower threshold: the same opinion carries a higher risk.
        let o = opposition_at_risk(&l, 0.05);
        sc.legislature.revolt_threshold = t - 0.05;
        let lower = chamber(&sc);
        assert!(lower.expect(&opinion(0.7, o), loyal(), 0.2, 0.9).revolt_risk > 0.2);
    }

    #[test]
    fn expectation_matches_the_weekly_assessments_on_average() {
        let sc = Scenario::default();
        let l = chamber(&sc);
        let c = Counter::new(&[5; 32]);
        // Opinion at which a revolt is a coin flip in expectation.
        let a = opinion(0.7, opposition_at_risk(&l, 0.5));
        let weeks = 400;
        let week: Vec<Assessment> = (0..weeks).map(|w| l.assess(&a, loyal(), 0.2, 0.9, &c, w)).collect();
        let mean = |f: &dyn Fn(&Assessment) -> f64| week.iter().map(f).sum::<f64>() / weeks as f64;
        let e = l.expect(&a, loyal(), 0.2, 0.9);
        let opposed = mean(&|x| x.governing_opposed);
        assert!((e.governing_opposed - opposed).abs() < 0.01, "{} vs {opposed}", e.governing_opposed);
        let revolts = mean(&|x| x.revolt as u8 as f64);
        assert!((0.35..0.65).contains(&revolts), "{revolts} revolts a week at an expected risk of 0.5");
        let margin = mean(&|x| x.yes_votes as f64) - 151.0;
        assert!((e.consent_margin - margin).abs() < 2.0, "{} vs {margin}", e.consent_margin);
    }
}
