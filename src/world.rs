//! The world and its weekly step loop: events, counterparts, voters, aggregation,
//! legislature, executive, ladder, record (docs/ODD.md section 3, in that order).

use crate::counterparts::{Japan, UnitedStates};
use crate::error::{Error, Result};
use crate::events::{draw_week, Shock, ShockKind, WEEKS_PER_YEAR};
use crate::executive::{Action, Context, Executive, Posture};
use crate::japan::{Loads, PUBLIC_OFFENDERS};
use crate::ladder::{Ladder, ACSA_CONDITIONAL};
use crate::legislature::{Legislature, SEATS};
use crate::logistics;
use crate::network::Graph;
use crate::record::{EventRecord, Outcome, Recorder, Row, Run};
use crate::rng::{decay, run_rng, Counter, RunRng};
use crate::scenario::{NetworkKind, Party, Scenario};
use crate::voters::{Aggregates, Pulse, VoteWeights, Voters};

/// Salience input per unit magnitude of a Japanese trigger (military friction: half).
const TRIGGER_SALIENCE: f64 = 0.5;
/// Salience and rally input of a Korean termination notice, itself a dispute with Japan.
const NOTICE_DISPUTE: f64 = 0.3;
/// Politicisation follows salience: it closes this share of the gap in a week when rising,
/// and fades with this half-life when falling.
const POLITICISATION_RISE: f64 = 0.15;
const POLITICISATION_HALF_LIFE_WEEKS: f64 = 26.0;
/// Weeks within the horizon of a date that recurs every `years`: the next one on `date`.
fn calendar(sc: &Scenario, date: &str, years: u32) -> Vec<u32> {
    let first = (crate::scenario::parse_date(date).unwrap_or(0) - sc.start_day()) as f64 / 7.0;
    let every = years as f64 * WEEKS_PER_YEAR;
    (0..)
        .map(|k| (first + k as f64 * every).round())
        .take_while(|&w| w < sc.horizon_weeks as f64)
        .filter(|&w| w >= 0.0)
        .map(|w| w as u32)
        .collect()
}

/// Presidential elections with a given winner, as (week, winner, ideology), in date order.
fn fixed_winners(sc: &Scenario) -> Vec<(i64, Party, f64)> {
    let mut v: Vec<(i64, Party, f64)> = sc
        .elections
        .fixed_winners
        .iter()
        .filter_map(|f| {
            let day = crate::scenario::parse_date(&f.date).ok()?;
            let ideology = f.ideology.unwrap_or_else(|| sc.elections.ideology(f.party));
            Some(((day - sc.start_day()).div_euclid(7), f.party, ideology))
        })
        .collect();
    v.sort_by_key(|f| f.0);
    v
}

/// A given winner is used once: by the calendar election at the end of the term if that
/// falls within half a year of its date (the model's calendar is approximate), else by an
/// election held on its own date (a snap election, as after an impeachment).
const FIXED_WINNER_WINDOW: i64 = 26;

fn party_name(p: Party) -> &'static str {
    match p {
        Party::Progressive => "progressive",
        Party::Conservative => "conservative",
        Party::Independent => "independent",
    }
}

/// Largest network built in memory (4 bytes a tie).
const MAX_TIES: u64 = 1_000_000_000;
/// Grievance averaging rounds before week 0, so the run starts settled.
const SETTLE_ROUNDS: usize = 30;

/// Long-run mean of a stock fed by Poisson events (weekly rate x jump per event) that
/// decays with `half_life`: the run starts its stocks there instead of at zero, so they do
/// not drift through the first years. Event magnitudes have mean 1 (x intensity).
fn long_run(weekly_rate: f64, jump: f64, half_life: f64) -> f64 {
    weekly_rate * jump / (1.0 - decay(half_life))
}

fn weekly_rate(sc: &Scenario, kind: ShockKind) -> f64 {
    let nationalism = if kind == ShockKind::JapanTrigger { 0.5 + crate::japan::starting_nationalism(sc) } else { 1.0 };
    sc.shocks.params(kind).rate * sc.shocks.rate_scale * nationalism / WEEKS_PER_YEAR
}

/// Grievance load of Japanese triggers and military frictions.
fn expected_trigger_load(sc: &Scenario) -> f64 {
    [ShockKind::JapanTrigger, ShockKind::MilitaryFriction]
        .into_iter()
        .map(|k| long_run(weekly_rate(sc, k), sc.shocks.params(k).effect, sc.voters.grievance_shock_half_life_weeks))
        .sum()
}

/// Threat load of routine security shocks (mean exposure is 1).
fn expected_threat_load(sc: &Scenario) -> f64 {
    [ShockKind::MissileTest, ShockKind::NuclearTest, ShockKind::MaritimeClash, ShockKind::ChineseCoercion]
        .into_iter()
        .map(|k| {
            let jump = sc.shocks.params(k).effect * sc.shocks.intensity;
            long_run(weekly_rate(sc, k), jump, sc.voters.threat_half_life_weeks)
        })
        .sum()
}

/// Japan's reluctance load from triggers, frictions and Korean disputes.
fn expected_dispute_load(sc: &Scenario) -> f64 {
    [ShockKind::JapanTrigger, ShockKind::MilitaryFriction, ShockKind::KoreanDispute]
        .into_iter()
        .map(|k| long_run(weekly_rate(sc, k), Japan::dispute_jump(k, sc), sc.japan.dispute_half_life_weeks))
        .sum()
}

/// The Japanese public's load of Korean offences (frictions and Korean disputes).
fn expected_offence_load(sc: &Scenario) -> f64 {
    PUBLIC_OFFENDERS
        .into_iter()
        .map(|k| {
            let jump = sc.japan.mood_spillover * sc.shocks.params(k).effect;
            long_run(weekly_rate(sc, k), jump, sc.japan.dispute_half_life_weeks)
        })
        .sum()
}

pub struct World<'a> {
    sc: &'a Scenario,
    rng: RunRng,
    counter: Counter,
    graph: Graph,
    voters: Voters,
    legislature: Legislature,
    executive: Executive,
    ladder: Ladder,
    us: UnitedStates,
    japan: Japan,
    scheduled: Vec<(u32, ShockKind, f64)>,
    shocks: Vec<Shock>,
    grievance_shock: f64,
    grievance_decay: f64,
    politicisation: f64,
    politicisation_decay: f64,
    seat_share: f64,
    /// Extra voter input carried to next week: exposure of a secret, a notice's dispute.
    carried_activation: f64,
    carried_trigger: f64,
    acsa_since: Option<u32>,
    /// Presidential elections with a given winner not yet held: (week, winner, ideology).
    fixed_winners: Vec<(i64, Party, f64)>,
    /// Weeks of National Assembly elections and of US inaugurations within the horizon.
    assembly_weeks: Vec<u32>,
    us_inaugurations: Vec<u32>,
    recorder: Recorder,
    events: Vec<EventRecord>,
    outcome: Outcome,
    approval_sum: f64,
}

/// Run one scenario from a 32-byte seed. `graph` is the user network (network.kind = "user").
pub fn simulate(sc: &Scenario, seed: &[u8; 32], graph: Option<Graph>) -> Result<Run> {
    let mut world = World::new(sc, seed, graph)?;
    for week in 0..sc.horizon_weeks {
        world.step(week);
    }
    Ok(world.finish())
}

impl<'a> World<'a> {
    pub fn new(sc: &'a Scenario, seed: &[u8; 32], graph: Option<Graph>) -> Result<World<'a>> {
        sc.validate()?;
        let n = sc.voters.n as usize;
        let counter = Counter::new(seed);
        let mut rng = run_rng(seed);
        let mut voters = Voters::new(sc, &counter, &mut rng);
        let graph = match (sc.network.kind, graph) {
            (NetworkKind::User, Some(g)) => Graph::from_csr(g.indptr, g.indices, n)?,
            (NetworkKind::User, None) => {
                return Err(Error::config("network.kind", "is 'user' but no graph was given"));
            }
            (kind, Some(_)) => {
                return Err(Error::config("network.kind", format!("is '{kind:?}' but a graph was given; use 'user'")));
            }
            (kind, None) => {
                let degree = sc.network.degree as usize;
                if degree >= n {
                    return Err(Error::config(
                        "network.degree",
                        format!("must be less than voters.n ({n}), got {degree}"),
                    ));
                }
                if (n as u64) * (degree as u64) > MAX_TIES {
                    return Err(Error::config(
                        "network.degree",
                        format!("voters.n x degree must be at most {MAX_TIES} ties, got {}", n as u64 * degree as u64),
                    ));
                }
                let net = &sc.network;
                match kind {
                    NetworkKind::Sbm => Graph::sbm(&voters.party, degree, net.homophily, &counter),
                    _ => Graph::watts_strogatz(&voters.party, degree, net.rewire, net.homophily, &counter),
                }
            }
        };
        // Start at the long-run levels of the routine shock loads, not at zero.
        let grievance_shock = expected_trigger_load(sc);
        voters.settle(&graph, SETTLE_ROUNDS, grievance_shock);
        voters.raise_threat(expected_threat_load(sc));
        let start = voters.aggregate();
        let legislature = Legislature::new(sc, &start.district_lean, &mut rng);
        let loads = Loads {
            threat: expected_threat_load(sc),
            dispute: expected_dispute_load(sc),
            offence: expected_offence_load(sc),
        };
        let japan = Japan::new(sc, &counter, &mut rng, loads);
        let executive = Executive::new(sc);
        let seat_share = legislature.seats(executive.party) as f64 / SEATS as f64;
        let weeks = sc.horizon_weeks as usize;
        Ok(World {
            sc,
            rng,
            counter,
            graph,
            voters,
            legislature,
            executive,
            ladder: Ladder::new(sc),
            us: UnitedStates::new(sc),
            japan,
            scheduled: sc.scheduled(),
            shocks: Vec::new(),
            grievance_shock,
            grievance_decay: decay(sc.voters.grievance_shock_half_life_weeks),
            politicisation: 0.0,
            politicisation_decay: decay(POLITICISATION_HALF_LIFE_WEEKS),
            seat_share,
            carried_activation: 0.0,
            carried_trigger: 0.0,
            acsa_since: None,
            fixed_winners: fixed_winners(sc),
            assembly_weeks: calendar(sc, &sc.elections.assembly_date, sc.elections.assembly_years),
            us_inaugurations: calendar(sc, &sc.us.inauguration_date, sc.us.term_years),
            recorder: Recorder::with_capacity(weeks),
            events: Vec::new(),
            outcome: Outcome { min_capital: 1.0, ..Default::default() },
            approval_sum: 0.0,
        })
    }

    fn log(&mut self, week: u32, kind: &'static str, magnitude: f64, rung: u8, outcome: &'static str) {
        self.events.push(EventRecord { week, kind, magnitude, rung, outcome });
    }

    pub fn step(&mut self, week: u32) {
        let sc = self.sc;

        // 1-2. Events and counterparts: last week's episodes fade, this week's land.
        self.us.step();
        if self.us_inaugurations.contains(&week) {
            self.us.new_administration(sc, &mut self.rng);
            self.log(week, "us_administration", self.us.commitment(), self.ladder.top(), "");
        }
        if self.japan.step(week) {
            self.log(week, "japan_cabinet", self.japan.nationalism, self.ladder.top(), "");
        }
        self.grievance_shock *= self.grievance_decay;
        draw_week(sc, week, self.japan.nationalism, &self.scheduled, &mut self.rng, &mut self.shocks);
        let (mut threat_jump, mut trigger) = (0.0, std::mem::take(&mut self.carried_trigger));
        for i in 0..self.shocks.len() {
            let s = self.shocks[i];
            let effect = sc.shocks.params(s.kind).effect * s.magnitude;
            self.us.absorb(&s, sc);
            self.japan.absorb(&s, sc);
            match s.kind {
                ShockKind::MissileTest
                | ShockKind::NuclearTest
                | ShockKind::MaritimeClash
                | ShockKind::ChineseCoercion => threat_jump += effect,
                ShockKind::UsAbandonment | ShockKind::UsPressure => {}
                ShockKind::KoreanDispute => trigger += 0.5 * TRIGGER_SALIENCE * s.magnitude,
                ShockKind::JapanTrigger => {
                    self.grievance_shock += effect;
                    trigger += TRIGGER_SALIENCE * s.magnitude;
                }
                ShockKind::MilitaryFriction => {
                    self.grievance_shock += effect;
                    trigger += 0.5 * TRIGGER_SALIENCE * s.magnitude;
                    self.ladder.freeze_drills(week, sc.ladder.friction_freeze_weeks);
                }
                ShockKind::Disaster => self.ladder.disaster_relief(week, effect),
            }
            let outcome = if s.scheduled { "scheduled" } else { "" };
            self.log(week, s.kind.name(), s.magnitude, self.ladder.top(), outcome);
        }

        // 3. Voters.
        let us_pressure = self.us.pressure();
        let pulse = Pulse {
            step: week,
            threat_jump,
            threat_base_shift: 0.5 * self.us.abandonment_shock(),
            grievance_shock: self.grievance_shock,
            activation: self.executive.activation(week, self.ladder.familiarity, us_pressure)
                + std::mem::take(&mut self.carried_activation),
            trigger,
            exec_party: Some(self.executive.party),
            exec_stance: self.executive.stance(),
            politicisation: self.politicisation,
            approval_shift: self.executive.approval_shift(week, sc.voters.term_decay),
        };
        if week > 0 && (week as f64 / WEEKS_PER_YEAR).floor() > ((week - 1) as f64 / WEEKS_PER_YEAR).floor() {
            self.voters.replace_cohort(sc, week, &pulse, &self.counter);
        }
        // 4. Aggregation (inside the voter step, in fixed district order).
        let mut agg = self.voters.step(&self.graph, &pulse, &self.counter);
        // Japan's public and, in full mode, its voters, Diet and cabinet react.
        self.japan.react(week, agg.salience_mean - sc.voters.salience_baseline, threat_jump, &self.us);

        // 5a. Elections on the calendar.
        if sc.elections.enabled {
            if self.assembly_weeks.contains(&week) {
                self.assembly_election(week);
            }
            // A given winner that no election used within its window is dropped; one whose
            // date has come without an election calls one (a snap election).
            self.fixed_winners.retain(|f| f.0 + FIXED_WINNER_WINDOW >= week as i64);
            let term_end = self.executive.term_end_week();
            let snap = self
                .fixed_winners
                .first()
                .is_some_and(|f| f.0 == week as i64 && term_end - week as f64 > FIXED_WINNER_WINDOW as f64);
            if snap || week as f64 >= self.executive.term_end_week() {
                self.presidential_election(week);
                agg = self.voters.aggregate();
            }
        }

        // Politicisation rises fast with salience and fades slowly.
        let target = (2.5 * (agg.salience_mean - sc.voters.salience_baseline).max(0.0)).min(1.0);
        self.politicisation = if target > self.politicisation {
            self.politicisation + POLITICISATION_RISE * (target - self.politicisation)
        } else {
            target + (self.politicisation - target) * self.politicisation_decay
        };

        // 5. Legislature.
        let assembly = self.legislature.assess(&agg, self.executive.party, self.politicisation, &self.counter, week);

        // 6. Executive.
        self.executive.update_capital(week, agg.approval, self.seat_share);
        let action = self.decide(week, &agg, assembly, us_pressure);
        self.apply(week, action);

        // 7. Ladder and logistics.
        self.ladder.step(week);
        if let Some(w0) = self.acsa_since {
            if !self.outcome.viable && week + 1 - w0 >= sc.outcome.sustain_weeks {
                self.outcome.viable = true;
                self.outcome.week_viable = Some(w0);
            }
        }

        // 8. Record.
        self.record(week, &agg, assembly.support, us_pressure);
    }

    /// The vote's weights, with a fresh national swing drawn for this election.
    fn vote_weights(&mut self) -> VoteWeights {
        let e = &self.sc.elections;
        VoteWeights {
            identity: e.identity_weight,
            approval: e.approval_weight,
            issue: e.issue_weight,
            minor_penalty: e.minor_party_penalty,
            swing: e.campaign_swing_sd * crate::rng::normal(&mut self.rng),
        }
    }

    fn assembly_election(&mut self, week: u32) {
        let weights = self.vote_weights();
        let tallies = self.voters.tally_votes(week, self.executive.party, &weights, &self.counter);
        self.legislature.elect(&tallies, &mut self.rng);
        self.seat_share = self.legislature.seats(self.executive.party) as f64 / SEATS as f64;
        let largest = Party::ALL.into_iter().max_by_key(|&p| self.legislature.seats(p)).unwrap();
        let share = self.legislature.seats(largest) as f64 / SEATS as f64;
        self.log(week, "assembly_election", share, self.ladder.top(), party_name(largest));
    }

    /// The sitting president's term ends: the camp with most votes (or the scheduled
    /// winner) takes office, with a fresh term.
    fn presidential_election(&mut self, week: u32) {
        let sc = self.sc;
        let weights = self.vote_weights();
        let tallies = self.voters.tally_votes(week, self.executive.party, &weights, &self.counter);
        let national = tallies.iter().fold([0u32; 3], |a, t| [a[0] + t[0], a[1] + t[1], a[2] + t[2]]);
        let voted = Party::ALL[(0..3).max_by_key(|&k| (national[k], std::cmp::Reverse(k))).unwrap()];
        let given = match self.fixed_winners.first() {
            Some(&(w, party, ideology)) if (w - week as i64).abs() <= FIXED_WINNER_WINDOW => {
                self.fixed_winners.remove(0);
                Some((party, ideology))
            }
            _ => None,
        };
        let (winner, ideology) = given.unwrap_or((voted, sc.elections.ideology(voted)));
        let share = national[winner.index()] as f64 / national.iter().sum::<u32>().max(1) as f64;
        if winner != self.executive.party {
            self.outcome.n_party_changes += 1;
        }
        let lapsed = self.executive.inaugurate(winner, ideology, week);
        match lapsed {
            Posture::Pending { rung, .. } => {
                self.outcome.n_collapses += 1;
                self.log(week, "collapse", sc.ladder.controversy.get(rung), rung, "new_administration");
            }
            Posture::Notice { rung, .. } => {
                self.outcome.n_suspensions += 1;
                self.log(week, "suspension", sc.ladder.controversy.get(rung), rung, "new_administration");
            }
            _ => {}
        }
        self.seat_share = self.legislature.seats(winner) as f64 / SEATS as f64;
        self.voters.reset_approval(winner, self.executive.approval_shift(week, sc.voters.term_decay));
        self.log(week, "presidential_election", share, self.ladder.top(), party_name(winner));
    }

    fn decide(
        &mut self,
        week: u32,
        agg: &Aggregates,
        assembly: crate::legislature::Assessment,
        us_pressure: f64,
    ) -> Action {
        let sc = self.sc;
        let l = &self.ladder;
        let offshore = sc.logistics.offshore_share;
        let mut gap_closed = [0.0; 6];
        let mut gap_opened = [0.0; 6];
        let mut window = [1u32; 6];
        let mut japan_accepts = [true; 6];
        let mut notice_expiry = [0u32; 6];
        let now = logistics::gap(&l.in_force, offshore);
        for r in 1..=5u8 {
            gap_closed[r as usize] = logistics::gap_closed(&l.in_force, r, offshore);
            let mut without = l.in_force;
            without[r as usize] = false;
            gap_opened[r as usize] = logistics::gap(&without, offshore) - now;
            let w = sc.ladder.window_weeks.get(r) * (1.0 - sc.ladder.readiness_speedup * l.readiness);
            window[r as usize] = w.round().max(1.0) as u32;
            japan_accepts[r as usize] = self.japan.accepts(us_pressure, sc.ladder.controversy.get(r));
            notice_expiry[r as usize] = l.notice_expiry(r, week);
        }
        let diet_approves = self.japan.diet_approves(&mut self.rng);
        let ctx = Context {
            week,
            agg,
            assembly,
            us_pressure,
            us_commitment: self.us.commitment(),
            japan_accepts,
            diet_approves,
            familiarity: l.familiarity,
            next_target: l.next_target(),
            terminable: l.terminable(),
            gap_closed,
            gap_opened,
            window,
            notice_expiry,
        };
        self.executive.decide(&ctx, &mut self.rng)
    }

    fn apply(&mut self, week: u32, action: Action) {
        let controversy = |r: u8| self.sc.ladder.controversy.get(r);
        let o = &mut self.outcome;
        match action {
            Action::Hold | Action::Continue => {}
            Action::TrialBalloon(r) => {
                o.n_trial_balloons += 1;
                self.log(week, "trial_balloon", controversy(r), r, "floated");
            }
            Action::BalloonWithdrawn(r) => self.log(week, "trial_balloon", controversy(r), r, "withdrawn"),
            Action::Propose { rung, secret } => {
                o.n_proposals += 1;
                o.n_acsa_proposals += (rung >= ACSA_CONDITIONAL) as u32;
                self.log(week, "proposal", controversy(rung), rung, if secret { "fast_track" } else { "open" });
            }
            Action::Exposed(r) => {
                self.carried_activation +=
                    self.executive.exposure_activation(r, self.ladder.familiarity, self.us.pressure());
                self.log(week, "exposure", controversy(r), r, "procedural_backlash");
            }
            Action::Retreat(r) => {
                o.n_retreats += 1;
                self.log(week, "retreat", controversy(r), r, "withdrawn");
            }
            Action::Collapse { rung, reason } => {
                o.n_collapses += 1;
                self.log(week, "collapse", controversy(rung), rung, reason);
            }
            Action::Sign(r) => {
                o.n_signed += 1;
                self.ladder.sign(r, week);
                if r >= ACSA_CONDITIONAL && self.acsa_since.is_none() {
                    self.acsa_since = Some(week);
                }
                self.log(week, "signed", controversy(r), r, "in_force");
            }
            Action::Notice(r) => {
                o.n_termination_notices += 1;
                self.japan.offended(0.2);
                self.carried_trigger += NOTICE_DISPUTE;
                self.log(week, "termination_notice", controversy(r), r, "notice_given");
            }
            Action::Suspend(r) => {
                o.n_suspensions += 1;
                self.log(week, "suspension", controversy(r), r, "kept");
            }
            Action::Terminate(r) => {
                o.n_terminations += 1;
                self.ladder.terminate(r);
                if !self.ladder.has_acsa() {
                    self.acsa_since = None;
                }
                self.log(week, "terminated", controversy(r), r, "ended");
            }
        }
    }

    fn record(&mut self, week: u32, agg: &Aggregates, legislative_support: f64, us_pressure: f64) {
        let pending = match self.executive.posture {
            Posture::Pending { rung, .. } | Posture::Balloon { rung, .. } => rung,
            _ => 0,
        };
        let rung = self.ladder.top();
        let row: Row = [
            week as f64,
            agg.approval,
            agg.support_mean,
            agg.party_support[0],
            agg.party_support[1],
            agg.party_support[2],
            agg.support_share,
            agg.favourability,
            agg.grievance_mean,
            agg.threat_mean,
            agg.salience_mean,
            self.politicisation,
            self.executive.capital,
            rung as f64,
            pending as f64,
            legislative_support,
            self.ladder.familiarity,
            self.ladder.readiness,
            logistics::gap(&self.ladder.in_force, self.sc.logistics.offshore_share),
            logistics::delay_days(&self.ladder.in_force, &self.sc.logistics),
            us_pressure,
            self.us.commitment(),
            self.japan.willingness(us_pressure),
            self.japan.mood,
            self.executive.party.index() as f64,
            self.seat_share,
        ];
        self.recorder.push(&row);
        let o = &mut self.outcome;
        o.max_rung = o.max_rung.max(rung);
        o.final_rung = rung;
        o.final_approval = agg.approval;
        o.min_capital = o.min_capital.min(self.executive.capital);
        o.peak_threat = o.peak_threat.max(agg.threat_mean);
        o.peak_salience = o.peak_salience.max(agg.salience_mean);
        o.weeks = week + 1;
        self.approval_sum += agg.approval;
    }

    pub fn finish(mut self) -> Run {
        self.outcome.mean_approval = self.approval_sum / self.outcome.weeks.max(1) as f64;
        Run { series: self.recorder.into_series(), events: self.events, outcome: self.outcome }
    }
}
