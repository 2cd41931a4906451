//! A polity: voters, their network, a legislature and an executive, with one weekly step.
//! Korea is one; Japan in full mode is another, on the same engine with its own voters.

use crate::calendar::Calendar;
use crate::error::Result;
use crate::executive::{self, Executive, Office, Stakes};
use crate::legislature::{self, Assessment, Expectation, Governing, Legislature, Seats, SEATS};
use crate::network::Graph;
use crate::rng::{Counter, Streams};
use crate::voters::{self, Aggregates, Pulse, Voters};

/// Grievance-averaging rounds before week 0, so a run starts settled.
pub const SETTLE_ROUNDS: usize = 30;

/// The sections a polity is built from.
pub struct Sections<'a> {
    pub voters: &'a voters::Params,
    pub legislature: &'a legislature::Params,
    pub seats: &'a Seats,
    pub executive: &'a executive::Params,
}

/// Long-run loads of routine shocks a polity starts at (see `events::Params::long_run_load`).
#[derive(Clone, Copy, Debug)]
pub struct StartLoads {
    /// Grievance shock the voters' averaging settles under.
    pub grievance: f64,
    /// Threat added to every voter's resting threat.
    pub threat: f64,
}

/// What the rest of the world brings to a polity's voters this week.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inputs {
    pub threat_jump: f64,
    pub threat_base_shift: f64,
    pub grievance_shock: f64,
    /// Grievance activation by the executive's proposal.
    pub activation: f64,
    /// Salience and rally input from disputes with the other country.
    pub trigger: f64,
    /// How politicised the issue is (last week's value).
    pub politicisation: f64,
    /// The executive's cue on affect, added to each camp's anchors (`perception::cue`).
    pub grievance_cue: [f64; 3],
    /// Presence of the pact on the table (`ladder.presence` of its rung).
    pub pact_presence: f64,
}

pub struct Polity {
    /// The polity's counter-based streams (per voter, per member).
    pub counter: Counter,
    pub graph: Graph,
    pub voters: Voters,
    pub legislature: Legislature,
    pub executive: Executive,
    /// The voters' resting approval of the executive falls by this much per year in office.
    term_decay: f64,
}

impl Polity {
    /// Voters drawn under `office`'s party and their network built (`network`, from the
    /// voters' parties); grievance settled and threat raised at the start `loads`; the
    /// legislature seated by the districts' lean; the executive in `office`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        s: Sections,
        calendar: &Calendar,
        office: Office,
        stakes: Stakes,
        counter: Counter,
        streams: &mut Streams,
        network: impl FnOnce(&[u8], &Counter) -> Result<Graph>,
        loads: StartLoads,
    ) -> Result<Polity> {
        let mut voters = Voters::new(s.voters, calendar, office.party, &counter, &mut streams.voters);
        let graph = network(&voters.party, &counter)?;
        voters.settle(&graph, SETTLE_ROUNDS, loads.grievance);
        voters.raise_threat(loads.threat);
        let legislature =
            Legislature::new(s.legislature, s.seats, &voters.aggregate().district_lean, &mut streams.legislature);
        let executive = Executive::new(s.executive, office, stakes);
        Ok(Polity { counter, graph, voters, legislature, executive, term_decay: s.voters.term_decay })
    }

    /// The public's week: the pulse of the world's `inputs` and the executive's party,
    /// stance and term clock; at the turn of a year of the run a cohort is replaced; then
    /// every voter steps. Returns the aggregates.
    pub fn public_week(&mut self, week: u32, inputs: Inputs) -> Aggregates {
        let pulse = Pulse {
            step: week,
            threat_jump: inputs.threat_jump,
            threat_base_shift: inputs.threat_base_shift,
            grievance_shock: inputs.grievance_shock,
            grievance_cue: inputs.grievance_cue,
            activation: inputs.activation,
            trigger: inputs.trigger,
            exec_party: Some(self.executive.party),
            exec_stance: self.executive.stance_heard(week),
            politicisation: inputs.politicisation,
            approval_shift: self.approval_shift(week),
            pact_presence: inputs.pact_presence,
        };
        if Calendar::new_year(week) {
            self.voters.replace_cohort(week, &pulse, &self.counter);
        }
        self.voters.step(&self.graph, &pulse, &self.counter)
    }

    /// The institutions' week, after the public's (and after any election): the
    /// legislature weighs the question before it and the executive's capital follows
    /// approval and seats. `on_the_table`: the executive is floating or pushing a pact.
    pub fn institutions_week(
        &mut self,
        week: u32,
        agg: &Aggregates,
        politicisation: f64,
        on_the_table: bool,
    ) -> Assessment {
        let salience = if on_the_table { agg.pact_salience } else { 0.0 };
        let assessment =
            self.legislature.assess(agg, self.governing(week), politicisation, salience, &self.counter, week);
        self.executive.update_capital(week, agg.approval, self.seat_share());
        assessment
    }

    /// The executive's side in the legislature in `week`: its party, and how far its camp
    /// still holds to its line.
    fn governing(&self, week: u32) -> Governing {
        Governing { party: self.executive.party, loyalty: self.executive.following(week) }
    }

    /// The executive, to decide in `week`, and what it foresees of a move on the pact that
    /// would send voters `activations` by each route (open, secret, exposed).
    pub fn foresee<'a>(
        &'a mut self,
        week: u32,
        agg: &'a Aggregates,
        politicisation: f64,
        activations: [f64; 3],
    ) -> (Foresight<'a>, &'a mut Executive) {
        let foresight = Foresight {
            voters: &self.voters,
            legislature: &self.legislature,
            governing: self.governing(week),
            agg,
            politicisation,
            activations,
        };
        (foresight, &mut self.executive)
    }

    /// Shift of the voters' resting approval of the executive this week.
    pub fn approval_shift(&self, week: u32) -> f64 {
        self.executive.approval_shift(week, self.term_decay)
    }

    /// Share of the legislature's seats held by the executive's party.
    pub fn seat_share(&self) -> f64 {
        self.legislature.seats(self.executive.party) as f64 / SEATS as f64
    }
}

/// The public and the Assembly as the executive foresees them in a week (`Polity::foresee`):
/// how the legislature would stand on the pact on the table (the rung the executive pushes
/// or weighs), at its salience this week or once a move, sending voters its activation, has
/// made it more salient.
pub struct Foresight<'a> {
    voters: &'a Voters,
    legislature: &'a Legislature,
    governing: Governing,
    agg: &'a Aggregates,
    politicisation: f64,
    activations: [f64; 3],
}

impl Foresight<'_> {
    /// The voters' opposition at the salience each move would give the pact
    /// (`Voters::at_pact_saliences`), to which the members answer at that salience.
    fn after<const R: usize>(&self, activations: [f64; R]) -> [Expectation; R] {
        let saliences = activations.map(|a| self.voters.pact_salience_after(a));
        self.voters.at_pact_saliences(self.agg, saliences).map(|projected| {
            self.legislature.expect(&projected, self.governing, self.politicisation, projected.pact_salience)
        })
    }
}

impl executive::Project for Foresight<'_> {
    fn now(&self) -> Expectation {
        self.legislature.expect(self.agg, self.governing, self.politicisation, self.agg.pact_salience)
    }

    fn open(&self) -> Expectation {
        self.after([self.activations[0]])[0]
    }

    fn routes(&self) -> [Expectation; 3] {
        self.after(self.activations)
    }
}
