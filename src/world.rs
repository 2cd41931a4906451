//! The world and its weekly step loop: events, counterparts, voters, aggregation,
//! legislature, executive, ladder, record (docs/ODD.md section 3, in that order).

use crate::calendar::parse_date;
use crate::error::{Error, Result};
use crate::events::{draw_week, Impact, ScheduledEvent, Shock, ShockKind};
use crate::executive::{Action, Context, Office, Outlooks, Posture, Stakes};
use crate::japan::{self, Japan, JapanMode, Loads};
use crate::ladder::{Ladder, ACSA_CONDITIONAL, ACSA_FULL, RUNG_NAMES};
use crate::legislature::SEATS;
use crate::logistics;
use crate::network::Graph;
use crate::party::Party;
use crate::perception::Perception;
use crate::polity::{Inputs, Polity, Sections, StartLoads};
use crate::record::{EventKind, EventOutcome, EventRecord, Outcome, Recorder, Row, Run};
use crate::rng::{decay, Counter, Streams};
use crate::scenario::Scenario;
use crate::us::UnitedStates;
use crate::voters::{Aggregates, VoteWeights, Voters};
use std::sync::Arc;

/// Salience and rally input of a Korean termination notice, itself a dispute with Japan.
const NOTICE_DISPUTE: f64 = 0.3;
/// Politicisation follows salience: it closes this share of the gap in a week when rising,
/// and fades with this half-life when falling.
const POLITICISATION_RISE: f64 = 0.15;
const POLITICISATION_HALF_LIFE_WEEKS: f64 = 26.0;
/// A given winner is used once: by the calendar election at the end of the term if that
/// falls within half a year of its date (the model's calendar is approximate), else by an
/// election held on its own date (a snap election, as after an impeachment).
const FIXED_WINNER_WINDOW: i64 = 26;

/// Long-run loads of the stocks that routine shocks feed (see `events::Params::long_run_load`).
fn loads(sc: &Scenario) -> (f64, Loads) {
    let nationalism = sc.japan.starting_nationalism(&sc.calendar());
    let load = |half_life: f64, jump: &dyn Fn(&Impact) -> f64| sc.shocks.long_run_load(nationalism, half_life, jump);
    let spillover = sc.japan.mood_spillover;
    let grievance = load(sc.voters.grievance_shock_half_life_weeks, &|i| i.grievance);
    let loads = Loads {
        threat: load(sc.voters.threat_half_life_weeks, &|i| i.threat),
        dispute: load(sc.japan.dispute_half_life_weeks, &|i| i.japan_dispute),
        hostility: load(sc.japan.dispute_half_life_weeks, &|i| i.japan_hostility),
        offence: load(sc.japan.dispute_half_life_weeks, &|i| spillover * i.japan_offence),
    };
    (grievance, loads)
}

/// Washington, its pressure and commitment episodes started at their long-run loads.
fn us_engine(sc: &Scenario) -> UnitedStates {
    let nationalism = sc.japan.starting_nationalism(&sc.calendar());
    let load =
        |jump: &dyn Fn(&Impact) -> f64| sc.shocks.long_run_load(nationalism, sc.us.episode_half_life_weeks, jump);
    UnitedStates::new(&sc.us, load(&|i| i.us_pressure), load(&|i| i.us_commitment))
}

/// Japan's voters, network, Diet and cabinet (full mode), started at the long-run loads.
pub(crate) fn japan_engine(sc: &Scenario, seed: &[u8; 32], counter: &Counter, loads: &Loads) -> Result<Polity> {
    let j = &sc.japan;
    // The ruling party's leader: a three-year term; without Japanese elections the clock repeats.
    let office = Office {
        party: Party::Conservative,
        ideology: 2.0 * j.willingness - 1.0,
        term_start_week: 0.0,
        term_years: 3,
        repeat_terms: true,
    };
    let stakes = Stakes::new(&sc.ladder, &j.voters, &sc.legislature, sc.us.mediation);
    let sections =
        Sections { voters: &j.voters, legislature: &sc.legislature, seats: &j.seats, executive: &sc.executive };
    // Japan's network is a Watts-Strogatz graph whatever Korea's is.
    let net = &sc.network;
    let network = |party: &[u8], counter: &Counter| {
        let degree = (net.degree as usize).min(party.len() - 1);
        Ok(Graph::watts_strogatz(party, degree, net.rewire, net.homophily, counter))
    };
    let start = StartLoads { grievance: loads.offence, threat: loads.threat };
    let counter = counter.derive(japan::JAPAN_STREAM);
    let mut streams = Streams::new(seed, japan::JAPAN_STREAM);
    Polity::new(sections, &sc.calendar(), office, stakes, counter, &mut streams, network, start)
}

/// A run in progress: it owns its scenario and its actors, and steps one week at a time.
pub struct World {
    sc: Arc<Scenario>,
    /// The next week to run.
    week: u32,
    streams: Streams,
    korea: Polity,
    perception: Perception,
    ladder: Ladder,
    us: UnitedStates,
    japan: Japan,
    scheduled: Vec<(u32, ShockKind, f64)>,
    shocks: Vec<Shock>,
    grievance_shock: f64,
    grievance_decay: f64,
    politicisation: f64,
    politicisation_decay: f64,
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

/// Days since 1970-01-01 of a date the scenario's validation has checked.
fn day(date: &str) -> i64 {
    parse_date(date).unwrap_or(0)
}

/// Run one scenario from a 32-byte seed. `graph` is the user network (network.kind = "user").
pub fn simulate(sc: &Scenario, seed: &[u8; 32], graph: Option<Graph>) -> Result<Run> {
    let mut world = World::new(sc.clone(), seed, graph)?;
    while !world.done() {
        if crate::threads::stop_requested() {
            return Err(crate::Error::Interrupted);
        }
        world.step();
    }
    Ok(world.finish())
}

impl World {
    /// A run of `sc` from a 32-byte seed, before its first week. `graph` is the user network
    /// (network.kind = "user").
    pub fn new(sc: Scenario, seed: &[u8; 32], graph: Option<Graph>) -> Result<World> {
        sc.validate()?;
        let calendar = sc.calendar();
        let mut streams = Streams::new(seed, 0);
        // Start at the long-run levels of the routine shock loads, not at zero.
        let (grievance_shock, loads) = loads(&sc);
        let sections = Sections {
            voters: &sc.voters,
            legislature: &sc.legislature,
            seats: &sc.legislature.seats,
            executive: &sc.executive,
        };
        let office = sc.executive.office(&calendar, !sc.elections.enabled);
        let stakes = Stakes::new(&sc.ladder, &sc.voters, &sc.legislature, sc.us.mediation);
        let network = |party: &[u8], counter: &Counter| Graph::build(&sc.network, party, graph, counter);
        let start = StartLoads { grievance: grievance_shock, threat: loads.threat };
        let korea = Polity::new(sections, &calendar, office, stakes, Counter::new(seed), &mut streams, network, start)?;
        let perception = Perception::new(&sc.perception, &sc.voters, &korea.voters, calendar);
        let full = match sc.japan.mode {
            JapanMode::Full => Some(japan_engine(&sc, seed, &korea.counter, &loads)?),
            JapanMode::Reduced => None,
        };
        let japan = Japan::new(&sc.japan, &calendar, sc.us.commitment, full, loads);
        let weeks = sc.horizon_weeks as usize;
        Ok(World {
            week: 0,
            streams,
            korea,
            perception,
            ladder: Ladder::new(&sc.ladder, &calendar),
            us: us_engine(&sc),
            japan,
            scheduled: sc.scheduled(),
            shocks: Vec::new(),
            grievance_shock,
            grievance_decay: decay(sc.voters.grievance_shock_half_life_weeks),
            politicisation: 0.0,
            politicisation_decay: decay(POLITICISATION_HALF_LIFE_WEEKS),
            carried_activation: 0.0,
            carried_trigger: 0.0,
            acsa_since: None,
            fixed_winners: sc.elections.fixed_winners(&calendar),
            assembly_weeks: calendar.recurring(day(&sc.elections.assembly_date), sc.elections.assembly_years),
            us_inaugurations: calendar.recurring(day(&sc.us.inauguration_date), sc.us.term_years),
            recorder: Recorder::with_capacity(weeks),
            events: Vec::new(),
            outcome: Outcome { min_capital: 1.0, ..Default::default() },
            approval_sum: 0.0,
            sc: Arc::new(sc),
        })
    }

    /// The next week to run (the number of weeks run so far).
    pub fn week(&self) -> u32 {
        self.week
    }

    /// Whether every week of the horizon has run.
    pub fn done(&self) -> bool {
        self.week >= self.sc.horizon_weeks
    }

    fn log(&mut self, week: u32, kind: EventKind, magnitude: f64, rung: u8, outcome: EventOutcome) {
        self.events.push(EventRecord { week, kind, magnitude, rung, outcome });
    }

    /// Run the next week.
    pub fn step(&mut self) {
        let week = self.week;
        self.week += 1;
        let sc = Arc::clone(&self.sc);

        // 1-2. Events and counterparts: last week's episodes fade, this week's land.
        self.us.step();
        if self.us_inaugurations.contains(&week) {
            self.us.new_administration(&mut self.streams.us);
            self.log(week, EventKind::UsAdministration, self.us.commitment(), self.ladder.top(), EventOutcome::Plain);
        }
        if self.japan.step(week) {
            self.log(week, EventKind::JapanCabinet, self.japan.nationalism, self.ladder.top(), EventOutcome::Plain);
        }
        self.grievance_shock *= self.grievance_decay;
        draw_week(
            &sc.shocks,
            week,
            self.japan.nationalism,
            &self.scheduled,
            &mut self.streams.events,
            &mut self.shocks,
        );
        let (mut threat_jump, mut trigger) = (0.0, std::mem::take(&mut self.carried_trigger));
        // Tokyo's hostility that its gestures remove this week.
        let mut concession = 0.0;
        let president = self.korea.executive.party;
        for i in 0..self.shocks.len() {
            let s = self.shocks[i];
            let impact = sc.shocks.impact(s.kind, s.magnitude);
            self.us.absorb(&impact);
            self.japan.absorb(&impact);
            threat_jump += impact.threat;
            trigger += impact.salience;
            self.grievance_shock += impact.grievance;
            if impact.freezes_drills {
                self.ladder.freeze_drills(week, sc.ladder.friction_freeze_weeks);
            }
            self.ladder.disaster_relief(week, impact.familiarity);
            concession += (-impact.japan_hostility).max(0.0);
            if impact.gesture > 0.0 {
                self.perception.gesture(sc.shocks.gesture.effect, impact.gesture, president, &mut self.korea.voters);
            }
            let outcome = if s.scheduled { EventOutcome::Scheduled } else { EventOutcome::Plain };
            self.log(week, EventKind::Shock(s.kind), s.magnitude, self.ladder.top(), outcome);
        }

        // 3. Voters.
        let us_pressure = self.us.pressure();
        let pact = self.pact_on_the_table();
        let inputs = Inputs {
            threat_jump,
            threat_base_shift: 0.5 * self.us.abandonment_shock(),
            grievance_shock: self.grievance_shock,
            activation: self.korea.executive.activation(week, self.ladder.familiarity, us_pressure)
                + std::mem::take(&mut self.carried_activation),
            trigger,
            politicisation: self.politicisation,
            grievance_cue: self.perception.cue(self.politicisation, self.korea.executive.stance_heard(week), president),
            pact_presence: sc.ladder.presence.get(pact),
        };
        self.perception.contact(week, &mut self.korea.voters);
        // 4. Aggregation (inside the voter step, in fixed district order).
        let mut agg = self.korea.public_week(week, inputs);
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
            let term_end = self.korea.executive.term_end_week();
            let snap = self
                .fixed_winners
                .first()
                .is_some_and(|f| f.0 == week as i64 && term_end - week as f64 > FIXED_WINNER_WINDOW as f64);
            if snap || week as f64 >= term_end {
                self.presidential_election(week);
                agg = self.korea.voters.aggregate();
            }
        }

        // Politicisation rises fast with salience and fades slowly.
        let target = (2.5 * (agg.salience_mean - sc.voters.salience_baseline).max(0.0)).min(1.0);
        self.politicisation = if target > self.politicisation {
            self.politicisation + POLITICISATION_RISE * (target - self.politicisation)
        } else {
            target + (self.politicisation - target) * self.politicisation_decay
        };

        // 5-6. Legislature; the executive's capital.
        let on_the_table = matches!(self.korea.executive.posture, Posture::Balloon { .. } | Posture::Pending { .. });
        let assembly = self.korea.institutions_week(week, &agg, self.politicisation, on_the_table);

        // 6. Executive.
        let action = self.decide(week, &agg, assembly, us_pressure, concession);
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
        self.record(week, &agg, &assembly, pact, us_pressure);
    }

    /// The pact on the table: the rung the executive is floating, pushing, holding over
    /// from a predecessor or moving to end; otherwise the next rung it weighs
    /// (`Ladder::weighed`).
    fn pact_on_the_table(&self) -> u8 {
        match self.korea.executive.posture {
            Posture::Balloon { rung, .. }
            | Posture::Pending { rung, .. }
            | Posture::Frozen { rung }
            | Posture::Notice { rung, .. } => rung,
            Posture::Idle => self.ladder.weighed(),
        }
    }

    /// The vote's weights, with a fresh national swing drawn for this election.
    fn vote_weights(&mut self) -> VoteWeights {
        let e = &self.sc.elections;
        VoteWeights {
            identity: e.identity_weight,
            approval: e.approval_weight,
            issue: e.issue_weight,
            minor_penalty: e.minor_party_penalty,
            swing: e.campaign_swing_sd * crate::rng::normal(&mut self.streams.elections),
        }
    }

    fn assembly_election(&mut self, week: u32) {
        let weights = self.vote_weights();
        let k = &mut self.korea;
        let tallies = k.voters.tally_votes(week, k.executive.party, &weights, &k.counter);
        k.legislature.elect(&tallies, &mut self.streams.legislature);
        let largest = Party::ALL.into_iter().max_by_key(|&p| k.legislature.seats(p)).unwrap();
        let share = k.legislature.seats(largest) as f64 / SEATS as f64;
        self.log(week, EventKind::AssemblyElection, share, self.ladder.top(), EventOutcome::Won(largest));
    }

    /// The sitting president's term ends: the camp with most votes (or the scheduled
    /// winner) takes office, with a fresh term.
    fn presidential_election(&mut self, week: u32) {
        let sc = Arc::clone(&self.sc);
        let weights = self.vote_weights();
        let k = &self.korea;
        let tallies = k.voters.tally_votes(week, k.executive.party, &weights, &k.counter);
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
        if winner != self.korea.executive.party {
            self.outcome.n_party_changes += 1;
        }
        self.korea.executive.inaugurate(winner, ideology, week);
        let shift = self.korea.approval_shift(week);
        self.korea.voters.reset_approval(winner, shift);
        self.log(week, EventKind::PresidentialElection, share, self.ladder.top(), EventOutcome::Won(winner));
    }

    fn decide(
        &mut self,
        week: u32,
        agg: &Aggregates,
        assembly: crate::legislature::Assessment,
        us_pressure: f64,
        concession: f64,
    ) -> Action {
        let sc = Arc::clone(&self.sc);
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
        let diet_approves = self.japan.diet_approves(&mut self.streams.japan);
        let weighed = self.rung_weighed();
        let activations =
            weighed.map_or([0.0; 3], |r| self.korea.executive.route_activations(r, l.familiarity, us_pressure));
        let (foresight, executive) = self.korea.foresee(week, agg, self.politicisation, activations);
        let ctx = Context {
            week,
            agg,
            assembly,
            outlook: Outlooks::new(&foresight, weighed.is_some()),
            us_pressure,
            us_demand: self.us.demand(),
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
            hostility: self.japan.hostility(),
            concession,
        };
        executive.decide(&ctx, &mut self.streams.executive)
    }

    /// The rung whose routes the president weighs: the pact on the table while he weighs a
    /// move on a pact not yet pushed (idle with a rung to weigh, a balloon, a shelved
    /// proposal); otherwise none, and every route is the pact as it stands.
    fn rung_weighed(&self) -> Option<u8> {
        let rung = match self.korea.executive.posture {
            Posture::Idle => self.ladder.next_target(),
            Posture::Balloon { rung, .. } | Posture::Frozen { rung } => Some(rung),
            Posture::Pending { .. } | Posture::Notice { .. } => None,
        };
        rung.filter(|&r| r == self.pact_on_the_table())
    }

    fn apply(&mut self, week: u32, action: Action) {
        let sc = Arc::clone(&self.sc);
        let controversy = |r: u8| sc.ladder.controversy.get(r);
        let o = &mut self.outcome;
        match action {
            Action::Hold | Action::Continue => {}
            Action::TrialBalloon(r) => {
                o.n_trial_balloons += 1;
                self.log(week, EventKind::TrialBalloon, controversy(r), r, EventOutcome::Floated);
            }
            Action::BalloonWithdrawn(r) => {
                self.log(week, EventKind::TrialBalloon, controversy(r), r, EventOutcome::Withdrawn)
            }
            Action::Propose { rung, secret } => {
                o.n_proposals += 1;
                o.n_acsa_proposals += (rung >= ACSA_CONDITIONAL) as u32;
                self.log(
                    week,
                    EventKind::Proposal,
                    controversy(rung),
                    rung,
                    if secret { EventOutcome::FastTrack } else { EventOutcome::Open },
                );
            }
            Action::Exposed(r) => {
                self.carried_activation +=
                    self.korea.executive.exposure_activation(r, self.ladder.familiarity, self.us.pressure());
                self.log(week, EventKind::Exposure, controversy(r), r, EventOutcome::ProceduralBacklash);
            }
            Action::Retreat(r) => {
                o.n_retreats += 1;
                self.log(week, EventKind::Retreat, controversy(r), r, EventOutcome::Withdrawn);
            }
            Action::Collapse { rung, reason } => {
                o.n_collapses += 1;
                self.log(week, EventKind::Collapse, controversy(rung), rung, reason);
            }
            Action::Inherit { rung, choice } => self.log(week, EventKind::Inherited, controversy(rung), rung, choice),
            Action::Resume(r) => {
                o.n_proposals += 1;
                o.n_acsa_proposals += (r >= ACSA_CONDITIONAL) as u32;
                self.log(week, EventKind::Proposal, controversy(r), r, EventOutcome::Resumed);
            }
            Action::Sign(r) => {
                // A signing is announced: the public's reaction costs the president approval.
                self.carried_activation +=
                    self.korea.executive.announcement(r, 1.0, self.ladder.familiarity, self.us.pressure());
                let o = &mut self.outcome;
                o.n_signed += 1;
                self.ladder.sign(r, week);
                if r >= ACSA_CONDITIONAL && self.acsa_since.is_none() {
                    self.acsa_since = Some(week);
                }
                self.log(week, EventKind::Signed, controversy(r), r, EventOutcome::InForce);
            }
            Action::Notice(r) => {
                o.n_termination_notices += 1;
                self.japan.offended(0.2);
                self.carried_trigger += NOTICE_DISPUTE;
                self.log(week, EventKind::TerminationNotice, controversy(r), r, EventOutcome::NoticeGiven);
            }
            Action::Suspend(r) => {
                o.n_suspensions += 1;
                self.log(week, EventKind::Suspension, controversy(r), r, EventOutcome::Kept);
            }
            Action::Terminate(r) => {
                o.n_terminations += 1;
                self.ladder.terminate(r);
                if !self.ladder.has_acsa() {
                    self.acsa_since = None;
                }
                self.log(week, EventKind::Terminated, controversy(r), r, EventOutcome::Ended);
            }
        }
    }

    fn record(
        &mut self,
        week: u32,
        agg: &Aggregates,
        assembly: &crate::legislature::Assessment,
        pact: u8,
        us_pressure: f64,
    ) {
        let pending = match self.korea.executive.posture {
            Posture::Pending { rung, .. } | Posture::Balloon { rung, .. } => rung,
            _ => 0,
        };
        let rung = self.ladder.top();
        let k = &self.korea;
        let row = Row {
            week: week as f64,
            approval: agg.approval,
            support_mean: agg.support_mean,
            support_progressive: agg.party_support[0],
            support_conservative: agg.party_support[1],
            support_independent: agg.party_support[2],
            support_share: agg.support_share,
            favourability: agg.favourability,
            favourability_18_29: agg.favourability_by_age[0],
            favourability_30_39: agg.favourability_by_age[1],
            favourability_40_59: agg.favourability_by_age[2],
            favourability_60_plus: agg.favourability_by_age[3],
            grievance_mean: agg.grievance_mean,
            threat_mean: agg.threat_mean,
            salience_mean: agg.salience_mean,
            politicisation: self.politicisation,
            capital: k.executive.capital,
            rung: rung as f64,
            pending: pending as f64,
            legislative_support: assembly.support,
            familiarity: self.ladder.familiarity,
            readiness: self.ladder.readiness,
            logistics_gap: logistics::gap(&self.ladder.in_force, self.sc.logistics.offshore_share),
            logistics_delay_days: logistics::delay_days(&self.ladder.in_force, &self.sc.logistics),
            us_pressure,
            us_commitment: self.us.commitment(),
            japan_willingness: self.japan.willingness(us_pressure),
            japan_mood: self.japan.mood,
            president_party: k.executive.party.index() as f64,
            governing_seat_share: k.seat_share(),
            pact_rung: pact as f64,
            pact_salience: agg.pact_salience,
            pact_opposed: agg.pact_opposed,
            pact_opposed_progressive: agg.party_opposed[0],
            pact_opposed_conservative: agg.party_opposed[1],
            pact_opposed_independent: agg.party_opposed[2],
            governing_opposed: assembly.governing_opposed,
            revolt_risk: assembly.revolt_risk,
        };
        self.recorder.push(&row);
        let o = &mut self.outcome;
        o.max_rung = o.max_rung.max(rung);
        o.final_rung = rung;
        o.final_approval = agg.approval;
        o.min_capital = o.min_capital.min(self.korea.executive.capital);
        o.peak_threat = o.peak_threat.max(agg.threat_mean);
        o.peak_salience = o.peak_salience.max(agg.salience_mean);
        o.weeks = week + 1;
        self.approval_sum += agg.approval;
    }

    pub fn finish(self) -> Run {
        let outcome = self.outcome();
        Run { series: self.recorder.into_series(), events: self.events, outcome }
    }
}

/// Reading a run in progress and steering it (what-if runs): the Python `World` stands on
/// these.
impl World {
    pub fn scenario(&self) -> &Scenario {
        &self.sc
    }

    pub fn voters(&self) -> &Voters {
        &self.korea.voters
    }

    /// The outcome of the weeks run so far.
    pub fn outcome(&self) -> Outcome {
        Outcome { mean_approval: self.approval_sum / self.outcome.weeks.max(1) as f64, ..self.outcome.clone() }
    }

    /// The latest week's row of the series (None before the first week).
    pub fn latest(&self) -> Option<Row> {
        self.recorder.last()
    }

    /// The run so far: a copy of its series, events and outcome.
    pub fn run_so_far(&self) -> Run {
        Run { series: self.recorder.series(), events: self.events.clone(), outcome: self.outcome() }
    }

    /// Schedule an event as the scenario's `events` list would (same rules), on a week not
    /// yet run. Errors name the event's field (`week`, `date`, `magnitude`).
    pub fn schedule(&mut self, event: ScheduledEvent) -> Result<()> {
        let week = self.sc.event_week(&event, "")?;
        if week < self.week {
            return Err(Error::config(
                if event.week.is_some() { "week" } else { "date" },
                format!("falls in week {week}, which has been run (the world is at week {})", self.week),
            ));
        }
        let at = self.scheduled.partition_point(|e| e.0 <= week);
        self.scheduled.insert(at, (week, event.kind, event.magnitude));
        Ok(())
    }

    /// Make the president openly propose `rung` at the next decision (this coming week).
    pub fn propose(&mut self, rung: u8) -> Result<()> {
        if !(1..=ACSA_FULL).contains(&rung) {
            return Err(Error::config("rung", format!("must be 1 to {ACSA_FULL}, got {rung}")));
        }
        if self.ladder.in_force[rung as usize] {
            return Err(Error::config("rung", format!("{} is already in force", RUNG_NAMES[rung as usize])));
        }
        self.korea.executive.order_proposal(rung).map_err(|rule| Error::config("rung", rule))
    }

    /// Run the weeks to come under `sc`, which may differ from the running scenario only
    /// where a run may change (`Scenario::retuned`).
    pub fn retune(&mut self, sc: Scenario) -> Result<()> {
        self.sc = Arc::new(self.sc.retuned(sc)?);
        Ok(())
    }
}
