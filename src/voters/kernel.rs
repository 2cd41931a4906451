//! How the voters' week is computed: blocks of whole districts (the unit of parallel work),
//! each in chunks of voters that stay in the first-level cache through three passes: the
//! sums over each voter's ties, each voter's equations (`equations.rs`) in loops the
//! compiler vectorises, then the district sums. The vote tally goes district by district.
//!
//! The passes and the tally are compiled three times, for the baseline instruction set, for
//! AVX2 and for AVX-512, and the CPU's best is chosen at run time (`multiversion`). Every
//! version performs the same floating-point operations in the same order, without fused
//! multiply-adds, so every version computes the same bits (the tests compare them with the
//! equations voter by voter).

use multiversion::multiversion;
use rayon::prelude::*;

use super::equations::{self as eq, PactWeek, Rates, VoteWeights, CONSERVATIVE, PROGRESSIVE};
use super::Pulse;
use crate::network::Graph;
use crate::party::Party;
use crate::rng::{Counter, Stream};

/// Voters per chunk: small enough that a chunk's columns stay in the first-level cache
/// between the passes, a multiple of the widest vector.
pub const CHUNK: usize = 512;

/// `f` over `items`, in parallel if the thread pool has threads to spare; on one thread in
/// this one (the same results, without handing the work to the pool and back).
pub fn map<I: Send, T: Send>(items: Vec<I>, f: impl Fn(I) -> T + Sync + Send) -> Vec<T> {
    if rayon::current_num_threads() > 1 {
        items.into_par_iter().map(f).collect()
    } else {
        items.into_iter().map(f).collect()
    }
}

/// Sums over one district, in voter order.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums {
    pub n: f64,
    pub approval: f64,
    pub support: f64,
    pub supporters: f64,
    pub grievance: f64,
    pub threat: f64,
    pub salience: f64,
    pub favourable: f64,
    /// Voters opposed to the pact on the table.
    pub opposed: f64,
    pub party_n: [f64; 3],
    pub party_support: [f64; 3],
    /// Voters with a good impression of Japan by age band (`demography::age_band`).
    pub band_favourable: [f64; 4],
    pub party_opposed: [f64; 3],
}

impl Sums {
    pub fn add(&mut self, o: &Sums) {
        self.n += o.n;
        self.approval += o.approval;
        self.support += o.support;
        self.supporters += o.supporters;
        self.grievance += o.grievance;
        self.threat += o.threat;
        self.salience += o.salience;
        self.favourable += o.favourable;
        self.opposed += o.opposed;
        for k in 0..3 {
            self.party_n[k] += o.party_n[k];
            self.party_support[k] += o.party_support[k];
            self.party_opposed[k] += o.party_opposed[k];
        }
        for k in 0..4 {
            self.band_favourable[k] += o.band_favourable[k];
        }
    }
}

/// What every voter reads this week, with the per-camp terms computed once by the
/// equations.
#[derive(Clone, Copy, Debug)]
pub struct Week {
    rates: Rates,
    step: u32,
    /// By party byte: the grievance shock plus the camp's cue, added to every anchor.
    grievance_input: [f64; 3],
    threat_jump: f64,
    activation: f64,
    trigger: f64,
    /// Salience input: activation plus trigger input.
    input: f64,
    /// By party byte (progressive, conservative, the rest): resting threat, party cue,
    /// resting approval.
    threat_base: [f64; 3],
    cue: [f64; 3],
    approval_target: [f64; 3],
    /// The pact on the table as each camp weighs it.
    pact: PactWeek,
}

impl Week {
    pub fn new(rates: &Rates, pulse: &Pulse, pact_salience: f64, year: f64) -> Week {
        let parties = [PROGRESSIVE, CONSERVATIVE, eq::INDEPENDENT];
        let align = parties.map(|q| eq::alignment(q, pulse.exec_party));
        let cue = align.map(|a| eq::cue(rates, pulse.politicisation, pulse.exec_stance, a));
        Week {
            rates: *rates,
            step: pulse.step,
            grievance_input: pulse.grievance_cue.map(|cue| pulse.grievance_shock + cue),
            threat_jump: pulse.threat_jump,
            activation: pulse.activation,
            trigger: pulse.trigger,
            input: pulse.activation + pulse.trigger,
            threat_base: parties.map(|q| eq::threat_base(rates, q, pulse.threat_base_shift)),
            cue,
            approval_target: align.map(|a| eq::approval_target(rates, a, pulse.approval_shift)),
            pact: PactWeek::new(rates, pulse.pact_presence, pact_salience, year, cue),
        }
    }
}

/// The entry of a by-party table for party byte `q`.
#[inline(always)]
fn by_party(t: [f64; 3], q: u8) -> f64 {
    if q == PROGRESSIVE {
        t[0]
    } else if q == CONSERVATIVE {
        t[1]
    } else {
        t[2]
    }
}

/// What one block of districts reads.
pub struct Block<'a> {
    /// Last week's grievance of every voter.
    pub g: &'a [f32],
    pub graph: &'a Graph,
    pub counter: &'a Counter,
    pub week: &'a Week,
    /// First voter of the block.
    pub lo: usize,
    /// Start of each of the block's districts and the end of the last (indices of all voters).
    pub starts: &'a [usize],
    pub g0: &'a [f32],
    pub bias: &'a [f32],
    pub party: &'a [u8],
    pub band: &'a [u8],
    pub birth_year: &'a [f32],
}

/// A range of voters' state, written in place: this week's grievance (in the first pass,
/// the sums over each voter's ties), threat, salience, support, approval, opposition to
/// the pact on the table.
pub struct State<'a> {
    pub grievance: &'a mut [f32],
    pub threat: &'a mut [f32],
    pub salience: &'a mut [f32],
    pub support: &'a mut [f32],
    pub approval: &'a mut [f32],
    pub opposition: &'a mut [f32],
}

impl<'a> State<'a> {
    /// The state of every voter, split into the consecutive ranges (which tile it).
    pub fn split(columns: [&'a mut [f32]; 6], ranges: &[(usize, usize)]) -> Vec<State<'a>> {
        let [mut gn, mut th, mut sa, mut su, mut ap, mut op] = columns;
        let take = |v: &mut &'a mut [f32], len: usize| {
            let (head, tail) = std::mem::take(v).split_at_mut(len);
            *v = tail;
            head
        };
        ranges
            .iter()
            .map(|&(a, b)| State {
                grievance: take(&mut gn, b - a),
                threat: take(&mut th, b - a),
                salience: take(&mut sa, b - a),
                support: take(&mut su, b - a),
                approval: take(&mut ap, b - a),
                opposition: take(&mut op, b - a),
            })
            .collect()
    }

    #[inline(always)]
    fn range(&mut self, a: usize, b: usize) -> State<'_> {
        State {
            grievance: &mut self.grievance[a..b],
            threat: &mut self.threat[a..b],
            salience: &mut self.salience[a..b],
            support: &mut self.support[a..b],
            approval: &mut self.approval[a..b],
            opposition: &mut self.opposition[a..b],
        }
    }
}

/// The week for every voter of a block; returns its district sums. With `JUMP` a threat
/// jump lands this week.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512bw+avx512dq", "x86_64+avx2"))]
pub fn step_block<const JUMP: bool>(b: &Block, mut s: State) -> Vec<Sums> {
    let (graph, lo, n) = (b.graph, b.lo, s.grievance.len());
    // Each chunk's support logits, between the equations and the logistic.
    let mut logit = [0f64; CHUNK];
    let mut c = 0;
    while c < n {
        let e = (c + CHUNK).min(n);
        let chunk = s.range(c, e);
        let (g0, bias, party, born) = (&b.g0[c..e], &b.bias[c..e], &b.party[c..e], &b.birth_year[c..e]);
        // Grievance first (it reads the neighbours). If every voter of the chunk has the
        // same number of ties (the generated graphs) and the confidence bound is 1, only the
        // sums over the ties here, the rest with the other equations.
        let degree = regular_degree(b.week.rates.confidence_bound, &graph.indptr[lo + c..=lo + e]);
        if let Some(d) = degree {
            let ties = &graph.indices[graph.indptr[lo + c] as usize..graph.indptr[lo + e] as usize];
            // SAFETY: graphs are built or checked with every index below the number of voters.
            unsafe { neighbour_sums(b.g, ties, d, chunk.grievance) };
        } else {
            for (k, slot) in chunk.grievance.iter_mut().enumerate() {
                let i = lo + c + k;
                let heard = heard(b.g, graph.neighbours(i), i, b.week.rates.confidence_bound);
                let input = by_party(b.week.grievance_input, party[k]);
                *slot = eq::grievance(&b.week.rates, eq::anchor_now(g0[k], input), heard) as f32;
            }
        }
        let own = &b.g[lo + c..lo + e];
        match degree {
            Some(d) => update::<true, JUMP>(
                b.week,
                d as u32,
                lo + c,
                b.counter,
                (g0, bias, party, born, own),
                chunk,
                &mut logit,
            ),
            None => {
                update::<false, JUMP>(b.week, 0, lo + c, b.counter, (g0, bias, party, born, own), chunk, &mut logit)
            }
        }
        c = e;
    }
    let starts = b.starts;
    let mut sums = vec![Sums::default(); starts.len() - 1];
    for (d, out) in sums.iter_mut().enumerate() {
        let (a, z) = (starts[d] - lo, starts[d + 1] - lo);
        *out = district_sums(&b.week.rates, &b.party[a..z], &b.band[a..z], s.range(a, z).into());
    }
    sums
}

/// A voter's own columns: anchor, support intercept, party, birth year, last week's grievance.
type Own<'a> = (&'a [f32], &'a [f32], &'a [u8], &'a [f32], &'a [f32]);

/// Each voter's equations over a chunk (with `FJ`, `grievance` comes in with the sums over
/// `degree` ties each and the Friedkin-Johnsen step is done here), written without calls
/// or branches that would stop the compiler from vectorising the loops. The logistic has a
/// loop of its own (short dependency chains in each loop keep more voters in flight).
/// `first` is the index of the chunk's first voter among all voters (for the exposure
/// draws); `logit` is room for the chunk's support logits.
#[inline(always)]
fn update<const FJ: bool, const JUMP: bool>(
    w: &Week,
    degree: u32,
    first: usize,
    counter: &Counter,
    own: Own,
    s: State,
    logit: &mut [f64; CHUNK],
) {
    let n = s.grievance.len();
    let (gn, th, sa, su, ap, op) = (
        s.grievance,
        &mut s.threat[..n],
        &mut s.salience[..n],
        &mut s.support[..n],
        &mut s.approval[..n],
        &mut s.opposition[..n],
    );
    let (g0, bias, party, born, last) = (&own.0[..n], &own.1[..n], &own.2[..n], &own.3[..n], &own.4[..n]);
    let w = *w;
    let r = &w.rates;
    if FJ {
        for k in 0..n {
            let heard = eq::heard(gn[k], degree, last[k]);
            gn[k] = eq::grievance(r, eq::anchor_now(g0[k], by_party(w.grievance_input, party[k])), heard) as f32;
        }
    }
    let logit = &mut logit[..n];
    for k in 0..n {
        let (q, g) = (party[k], gn[k] as f64);
        let exposure =
            JUMP.then(|| eq::exposure(w.threat_jump, counter.uniform(Stream::Exposure, w.step, (first + k) as u64, 0)));
        let t = eq::threat(r, by_party(w.threat_base, q), th[k] as f64, exposure);
        let a = eq::salience(r, sa[k] as f64, w.input, g);
        logit[k] = eq::support_logit(r, t, g, a, by_party(w.cue, q), bias[k]);
        let z = eq::approval(r, by_party(w.approval_target, q), ap[k] as f64, w.activation, w.trigger, g);
        op[k] = eq::opposition_logit(r, &w.pact, by_party(w.pact.camp, q), g, t, z, born[k], bias[k]) as f32;
        th[k] = t as f32;
        sa[k] = a as f32;
        ap[k] = z as f32;
    }
    support_from_logits(logit, su);
}

/// Each voter's support from its logit (`equations::support`), in a loop of its own.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512bw+avx512dq", "x86_64+avx2"))]
fn support_from_logits(logit: &[f64], support: &mut [f32]) {
    for (s, &x) in support.iter_mut().zip(logit) {
        *s = eq::support(x) as f32;
    }
}

/// Friedkin-Johnsen for voters `lo..lo + out.len()` into `out`, before the first week: the
/// sums over the ties in a pass of their own if every voter has the same number of ties
/// and the confidence bound is 1.
pub fn settle_chunk(r: &Rates, graph: &Graph, g: &[f32], g0: &[f32], shock: f64, lo: usize, out: &mut [f32]) {
    let n = out.len();
    match regular_degree(r.confidence_bound, &graph.indptr[lo..=lo + n]) {
        Some(d) => {
            let ties = &graph.indices[graph.indptr[lo] as usize..graph.indptr[lo + n] as usize];
            // SAFETY: graphs are built or checked with every index below the number of voters.
            unsafe { neighbour_sums(g, ties, d, out) };
            for (k, slot) in out.iter_mut().enumerate() {
                let heard = eq::heard(*slot, d as u32, g[lo + k]);
                *slot = eq::grievance(r, eq::anchor_now(g0[k], shock), heard) as f32;
            }
        }
        None => {
            for (k, slot) in out.iter_mut().enumerate() {
                let heard = heard(g, graph.neighbours(lo + k), lo + k, r.confidence_bound);
                *slot = eq::grievance(r, eq::anchor_now(g0[k], shock), heard) as f32;
            }
        }
    }
}

/// The grievance voter `i` hears from its ties `nbrs` (`equations::heard`): with a
/// confidence bound below 1, only from those whose grievance is within it of its own.
#[inline(always)]
fn heard(g: &[f32], nbrs: &[u32], i: usize, bound: f64) -> f64 {
    let own = g[i];
    if bound >= 1.0 {
        // SAFETY: graphs are built or checked with every index below the number of voters.
        return eq::heard(unsafe { gather_sum(g, nbrs) }, nbrs.len() as u32, own);
    }
    let (mut sum, mut count) = (0f32, 0u32);
    for &j in nbrs {
        let gj = g[j as usize];
        if (gj - own).abs() <= bound as f32 {
            sum += gj;
            count += 1;
        }
    }
    eq::heard(sum, count, own)
}

/// The common row length if the confidence bound is 1 and every row of the CSR slice
/// `indptr` has the same length (not 0).
#[inline(always)]
fn regular_degree(bound: f64, indptr: &[u64]) -> Option<usize> {
    if bound < 1.0 {
        return None;
    }
    let d = indptr.get(1)? - indptr[0];
    let rows = indptr[1..].iter().zip(&indptr[..indptr.len() - 1]);
    let regular = d > 0 && rows.fold(true, |ok, (end, start)| ok & (end - start == d));
    regular.then_some(d as usize)
}

/// Sum of g over `nbrs` with two running sums in a fixed order (the same bits every run,
/// half the chain of dependent additions).
///
/// # Safety
/// Every index in `nbrs` must be less than `g.len()`.
#[inline(always)]
unsafe fn gather_sum(g: &[f32], nbrs: &[u32]) -> f32 {
    let (n, c) = (nbrs.len(), nbrs.as_ptr());
    let (mut a0, mut a1) = (0f32, 0f32);
    let mut k = 0;
    while k + 2 <= n {
        a0 += *g.get_unchecked(*c.add(k) as usize);
        a1 += *g.get_unchecked(*c.add(k + 1) as usize);
        k += 2;
    }
    if k < n {
        a0 += *g.get_unchecked(*c.add(k) as usize);
    }
    a0 + a1
}

/// `out[k]` = `gather_sum` over row k of `ties`, rows of `degree` ties each.
///
/// # Safety
/// Every index in `ties` must be less than `g.len()`.
#[inline(never)]
unsafe fn neighbour_sums(g: &[f32], ties: &[u32], degree: usize, out: &mut [f32]) {
    debug_assert_eq!(ties.len(), degree * out.len());
    match degree {
        10 => {
            for (o, row) in out.iter_mut().zip(ties.chunks_exact(10)) {
                let row: &[u32; 10] = row.try_into().unwrap();
                // `gather_sum`, unrolled, the ties read two at a time.
                let (mut a0, mut a1) = (0f32, 0f32);
                for j in 0..5 {
                    let pair = (row.as_ptr().add(2 * j) as *const u64).read_unaligned();
                    let (lo, hi) = (pair as u32 as usize, (pair >> 32) as usize);
                    let (i0, i1) = if cfg!(target_endian = "little") { (lo, hi) } else { (hi, lo) };
                    a0 += *g.get_unchecked(i0);
                    a1 += *g.get_unchecked(i1);
                }
                // The barrier keeps the two running sums in scalar registers (the compiler
                // would otherwise pack them into one vector, with more instructions).
                *o = a0 + std::hint::black_box(a1);
            }
        }
        _ => {
            for (o, row) in out.iter_mut().zip(ties.chunks_exact(degree)) {
                *o = gather_sum(g, row);
            }
        }
    }
}

/// Read-only columns of one district: grievance, threat, salience, support, approval,
/// opposition.
pub struct Columns<'a>(pub [&'a [f32]; 6]);

impl<'a> From<State<'a>> for Columns<'a> {
    fn from(s: State<'a>) -> Columns<'a> {
        Columns([s.grievance, s.threat, s.salience, s.support, s.approval, s.opposition])
    }
}

/// Sums over one district, in voter order; `band` is each voter's age band. Counts are
/// kept as integers (a running f64 sum of ones and zeros is the same integer). The voters
/// are laid out by party within a district, so the sums go run by run of one party: each
/// party's running sum stays in a register, and the counts by party need no test per voter.
/// The counts by party are kept in the loop of the running sums, which the chain of
/// additions bounds anyway; the other counts go over the whole district in one loop (a
/// loop of their own for each run would end at a point the processor mispredicts, three
/// times a district).
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512bw+avx512dq", "x86_64+avx2"))]
pub fn district_sums(r: &Rates, party: &[u8], band: &[u8], c: Columns) -> Sums {
    let [g, th, sa, su, ap, op] = c.0;
    let n = party.len();
    let (g, th, sa, su, ap, op, band) = (&g[..n], &th[..n], &sa[..n], &su[..n], &ap[..n], &op[..n], &band[..n]);
    let mut t = [0f64; 5];
    let mut by_party = [0f64; 3];
    let mut supporters = 0u32;
    let mut party_n = [0u32; 3];
    let (mut band_favourable, mut party_opposed) = ([0u32; 4], [0u32; 3]);
    for (a, z, q) in runs(party) {
        let p = match q {
            0..=2 => q as usize,
            j => panic!("party {j} out of range"),
        };
        let mut party_support = by_party[p];
        let mut opposed = 0u32;
        let voters = ap[a..z].iter().zip(&su[a..z]).zip(&g[a..z]).zip(&th[a..z]).zip(&sa[a..z]).zip(&op[a..z]);
        for (((((&ap, &su), &g), &th), &sa), &op) in voters {
            let y = su as f64;
            t[0] += ap as f64;
            t[1] += y;
            t[2] += g as f64;
            t[3] += th as f64;
            t[4] += sa as f64;
            party_support += y;
            opposed += eq::opposes(op as f64) as u32;
        }
        by_party[p] = party_support;
        party_n[p] += (z - a) as u32;
        party_opposed[p] += opposed;
    }
    let (favourable, supporting) = counts(r, g, su, band);
    supporters += supporting;
    for b in 0..4 {
        band_favourable[b] += favourable[b];
    }
    Sums {
        n: n as f64,
        approval: t[0],
        support: t[1],
        supporters: supporters as f64,
        grievance: t[2],
        threat: t[3],
        salience: t[4],
        favourable: band_favourable.iter().sum::<u32>() as f64,
        opposed: party_opposed.iter().sum::<u32>() as f64,
        party_n: party_n.map(|c| c as f64),
        party_support: by_party,
        band_favourable: band_favourable.map(|c| c as f64),
        party_opposed: party_opposed.map(|c| c as f64),
    }
}

/// Voters who would oppose the pact on the table (`equations::opposes`) if each one's
/// opposition logit rose by `shift[j]` × its grievance, for each shift j (the pact made more
/// salient: `Voters::at_pact_saliences`): in each district d (voters `starts[d]..starts[d +
/// 1]`) into `district[d]`, and by party byte over all districts, returned with the voters of
/// each party byte. Each district's counts by party are kept in fields of one integer (a
/// voter of party byte p adds `PARTY_UNIT[p]`), so the loop over the district needs no test
/// of the party and the compiler vectorises it. Built for AVX2 only: on districts of about 80
/// voters, the AVX-512 version's longer scalar remainder made it slower.
#[multiversion(targets("x86_64+avx2"))]
pub fn opposed_if<const R: usize>(
    opposition: &[f32],
    grievance: &[f32],
    party: &[u8],
    starts: &[usize],
    shift: [f64; R],
    district: &mut [[u32; R]],
) -> ([u32; 3], [[u32; 3]; R]) {
    let (mut party_n, mut opposed) = ([0u32; 3], [[0u32; 3]; R]);
    for (d, out) in district.iter_mut().enumerate() {
        let (a, b) = (starts[d], starts[d + 1]);
        assert!(b - a < 1 << PARTY_FIELD, "district of {} voters", b - a);
        let (opposition, grievance, party) = (&opposition[a..b], &grievance[a..b], &party[a..b]);
        let (mut n, mut yes) = (0u64, [0u64; R]);
        for k in 0..b - a {
            let unit = party_unit(party[k]);
            let (o, g) = (opposition[k] as f64, grievance[k] as f64);
            n += unit;
            for j in 0..R {
                yes[j] += unit & 0u64.wrapping_sub(eq::opposes(o + shift[j] * g) as u64);
            }
        }
        let by_party = |c: u64| [0, 1, 2].map(|p| ((c >> (PARTY_FIELD * p)) & ((1 << PARTY_FIELD) - 1)) as u32);
        let n = by_party(n);
        for p in 0..3 {
            party_n[p] += n[p];
        }
        for j in 0..R {
            let yes = by_party(yes[j]);
            for p in 0..3 {
                opposed[j][p] += yes[p];
            }
            out[j] = yes.iter().sum();
        }
    }
    (party_n, opposed)
}

/// Bits of each party's field in `opposed_if`'s counts (three fields in 64 bits).
const PARTY_FIELD: u32 = 21;

/// One voter of party byte `q` (0 to 2: `district_sums` checks them every week) in
/// `opposed_if`'s counts: 1 in the party's field.
#[inline(always)]
fn party_unit(q: u8) -> u64 {
    1 << (PARTY_FIELD * q as u32)
}

/// The runs of equal bytes in `party`, in order: (first, end, byte).
#[inline(always)]
fn runs(party: &[u8]) -> impl Iterator<Item = (usize, usize, u8)> + '_ {
    let mut a = 0;
    std::iter::from_fn(move || {
        let q = *party.get(a)?;
        let z = run_end(party, a, q);
        let run = (a, z, q);
        a = z;
        Some(run)
    })
}

/// The end of the run of bytes `q` that starts at `a`, eight bytes at a time.
#[inline(always)]
fn run_end(party: &[u8], a: usize, q: u8) -> usize {
    let pattern = u64::from_ne_bytes([q; 8]);
    let mut z = a;
    while let Some(word) = party.get(z..z + 8) {
        let differ = u64::from_le_bytes(word.try_into().unwrap()) ^ pattern;
        if differ != 0 {
            return z + (differ.trailing_zeros() / 8) as usize;
        }
        z += 8;
    }
    z + party[z..].iter().position(|&p| p != q).unwrap_or(party.len() - z)
}

/// Voters with a good impression of Japan (`equations::favourable`) by age band (the last
/// band takes any band beyond it) and voters who support cooperation
/// (`equations::supports`), in a loop the compiler vectorises.
#[inline(always)]
fn counts(r: &Rates, grievance: &[f32], support: &[f32], band: &[u8]) -> ([u32; 4], u32) {
    let n = band.len();
    let (grievance, support) = (&grievance[..n], &support[..n]);
    let (mut favourable, mut supporters) = ([0u32; 4], 0u32);
    for k in 0..n {
        let (good, b) = (eq::favourable(r, grievance[k] as f64) as u32, band[k]);
        favourable[0] += good & (b == 0) as u32;
        favourable[1] += good & (b == 1) as u32;
        favourable[2] += good & (b == 2) as u32;
        favourable[3] += good & (b >= 3) as u32;
        supporters += eq::supports(support[k] as f64) as u32;
    }
    (favourable, supporters)
}

/// One district's voters at an election.
pub struct Ballots<'a> {
    pub approval: &'a [f32],
    pub support: &'a [f32],
    pub party: &'a [u8],
    /// Index of the district's first voter among all voters.
    pub first: usize,
    pub step: u32,
    pub incumbent: Party,
    pub weights: &'a VoteWeights,
    pub counter: &'a Counter,
}

/// The votes of one district for each camp, in chunks: first the Gumbel draws (the
/// logarithms, in a loop the compiler can vectorise), then each voter's choice, the camp
/// of highest utility (`equations::vote_utility`).
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512bw+avx512dq", "x86_64+avx2"))]
pub fn tally(v: Ballots) -> [u32; 3] {
    const M: usize = 64;
    let n = v.party.len();
    let (approval, support, party) = (&v.approval[..n], &v.support[..n], v.party);
    let incumbent = v.incumbent.index() as u8;
    let mut tally = [0u32; 3];
    let mut gumbel = [[0f64; M]; 3];
    let mut k0 = 0;
    while k0 < n {
        let m = M.min(n - k0);
        for (c, draws) in gumbel.iter_mut().enumerate() {
            for (k, d) in draws[..m].iter_mut().enumerate() {
                *d = eq::gumbel(v.counter.open_uniform(Stream::Vote, v.step, (v.first + k0 + k) as u64, c as u32));
            }
        }
        for k in 0..m {
            let (q, a, y) = (party[k0 + k], approval[k0 + k] as f64, support[k0 + k] as f64);
            let mut best = (f64::NEG_INFINITY, 0usize);
            for (c, draws) in gumbel.iter().enumerate() {
                let u = eq::vote_utility(v.weights, c as u8, q, incumbent, a, y, draws[k]);
                if u > best.0 {
                    best = (u, c);
                }
            }
            tally[best.1] += 1;
        }
        k0 += m;
    }
    tally
}
