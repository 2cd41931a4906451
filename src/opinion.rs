//! The opinion-dynamics layer on its own, over any graph: Friedkin-Johnsen,
//! x(t+1) = s * x0 + (1 - s) * W x(t), W the row-normalised adjacency.
//! The same update the voters' grievance follows, in f64, for comparison with other tools.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Rows per parallel task: large enough to amortise scheduling, small enough to balance
/// two threads at 10^4 nodes.
const CHUNK: usize = 1024;

/// A CSR graph with optional edge weights, checked once.
pub struct Adjacency<'a> {
    indptr: &'a [u64],
    indices: &'a [u32],
    /// The weights of each row divided by the row's sum (W itself), or None for unit weights.
    weights: Option<Vec<f64>>,
    /// Unit weights: 1 / (number of ties). Weighted: 1, as the weights are normalised
    /// already. 0 for a row with no tie, or only ties of weight zero.
    inv_row_sum: Vec<f64>,
    /// Whether row lengths mod 4 change from one row to the next on more than a quarter
    /// of the rows, so that the scalar kernel's tail loop often mispredicts.
    ragged: bool,
}

impl<'a> Adjacency<'a> {
    pub fn new(indptr: &'a [u64], indices: &'a [u32], weights: Option<&[f64]>) -> Result<Self> {
        let n = indptr.len().checked_sub(1).ok_or_else(|| Error::config("adjacency", "indptr is empty"))?;
        if indptr[0] != 0 || indptr[n] as usize != indices.len() || indptr.windows(2).any(|w| w[1] < w[0]) {
            return Err(Error::config("adjacency", "indptr must rise from 0 to the number of edges"));
        }
        // In parallel, as is 1 / row sum below: on a large graph these cost as much as a step.
        let largest = indices.par_chunks(1 << 16).filter_map(|c| c.iter().max()).max();
        if largest.is_some_and(|&j| j as usize >= n) {
            let j = indices.iter().find(|&&j| j as usize >= n).unwrap();
            return Err(Error::config("adjacency", format!("edge to node {j}, but nodes run 0..{n}")));
        }
        if let Some(w) = weights {
            if w.len() != indices.len() {
                return Err(Error::config("adjacency", "weights and indices differ in length"));
            }
            if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
                return Err(Error::config("adjacency", "weights must be finite and non-negative"));
            }
        }
        let (weights, inv_row_sum) = match weights {
            Some(w) => {
                let (w, inv) = normalised(indptr, w);
                (Some(w), inv)
            }
            None => {
                let inv = (0..n)
                    .into_par_iter()
                    .map(|i| match indptr[i + 1] - indptr[i] {
                        0 => 0.0,
                        d => 1.0 / d as f64,
                    })
                    .collect();
                (None, inv)
            }
        };
        let changes = indptr.windows(3).filter(|w| (w[1] - w[0]) % 4 != (w[2] - w[1]) % 4).count();
        Ok(Adjacency { indptr, indices, weights, inv_row_sum, ragged: changes > n / 4 })
    }

    pub fn n(&self) -> usize {
        self.inv_row_sum.len()
    }
}

/// Each row's weights divided by their sum, and 1 (0 for a row without weight) per row.
/// The weights are first divided by the row's largest one, so that the sum neither
/// overflows (weights near the largest float) nor loses its digits (subnormal weights).
fn normalised(indptr: &[u64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = indptr.len() - 1;
    let mut out = w.to_vec();
    // The rows of each task, and their weights, as disjoint slices.
    let mut tasks = Vec::with_capacity(n.div_ceil(CHUNK));
    let mut rest = out.as_mut_slice();
    for first in (0..n).step_by(CHUNK) {
        let last = (first + CHUNK).min(n);
        let (mine, tail) = rest.split_at_mut((indptr[last] - indptr[first]) as usize);
        tasks.push((first..last, mine));
        rest = tail;
    }
    let inv = tasks
        .into_par_iter()
        .flat_map_iter(|(rows, slice)| {
            let base = indptr[rows.start];
            let mut inv = Vec::with_capacity(rows.len());
            for i in rows {
                let row = &mut slice[(indptr[i] - base) as usize..(indptr[i + 1] - base) as usize];
                let largest = row.iter().fold(0.0f64, |m, &x| m.max(x));
                if largest == 0.0 {
                    inv.push(0.0); // no weight: the node keeps its value
                    continue;
                }
                let sum: f64 = row.iter().map(|&x| x / largest).sum();
                row.iter_mut().for_each(|x| *x = *x / largest / sum);
                inv.push(1.0);
            }
            inv
        })
        .collect();
    (out, inv)
}

/// How a step sums each row's neighbours. All kernels give the same bits.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kernel {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    /// The fastest kernel this CPU runs on this graph. The AVX2 kernel replaces the tail
    /// loop by a masked gather, which pays on ragged graphs and costs on regular ones
    /// (where the loop's branch is always guessed right); weighted graphs have one kernel.
    fn best(adj: &Adjacency) -> Kernel {
        // The gather takes signed 32-bit indices.
        #[cfg(target_arch = "x86_64")]
        if adj.ragged && adj.n() <= i32::MAX as usize && is_x86_feature_detected!("avx2") {
            return Kernel::Avx2;
        }
        let _ = adj;
        Kernel::Scalar
    }
}

/// Stubbornness, one value for all nodes or one each.
#[derive(Clone, Copy)]
enum Stubbornness<'a> {
    All(f64),
    Each(&'a [f64]),
}

/// Run `steps` synchronous Friedkin-Johnsen updates from x0. `stubbornness` has one value
/// per node or a single value for all. Each node's sum runs in row order, so the result
/// does not depend on the number of threads.
pub fn friedkin_johnsen(adj: &Adjacency, x0: &[f64], stubbornness: &[f64], steps: usize) -> Result<Vec<f64>> {
    run(adj, x0, stubbornness, steps, Kernel::best(adj), &AtomicBool::new(false))
}

/// `friedkin_johnsen` that looks at `stop` before each step and returns
/// `Error::Interrupted` once it is set, so a caller can cut a long run short (Ctrl-C)
/// within one step.
pub fn friedkin_johnsen_until(
    adj: &Adjacency,
    x0: &[f64],
    stubbornness: &[f64],
    steps: usize,
    stop: &AtomicBool,
) -> Result<Vec<f64>> {
    run(adj, x0, stubbornness, steps, Kernel::best(adj), stop)
}

fn run(
    adj: &Adjacency,
    x0: &[f64],
    stubbornness: &[f64],
    steps: usize,
    kernel: Kernel,
    stop: &AtomicBool,
) -> Result<Vec<f64>> {
    let n = adj.n();
    if x0.len() != n {
        return Err(Error::config("x0", format!("has {} values for {n} nodes", x0.len())));
    }
    if stubbornness.len() != n && stubbornness.len() != 1 {
        return Err(Error::config("stubbornness", format!("needs 1 or {n} values, got {}", stubbornness.len())));
    }
    if stubbornness.iter().any(|s| !(0.0..=1.0).contains(s)) {
        return Err(Error::config("stubbornness", "values must lie in [0, 1]"));
    }
    if x0.iter().any(|x| !x.is_finite()) {
        return Err(Error::config("x0", "values must be finite"));
    }
    if steps == 0 {
        return Ok(x0.to_vec());
    }
    let s = match stubbornness {
        [s] => Stubbornness::All(*s),
        s => Stubbornness::Each(s),
    };
    let mut x = vec![0.0; n];
    let mut next = vec![0.0; if steps > 1 { n } else { 0 }];
    // The whole loop runs on a pool thread: started from outside the pool, every step
    // would wait for a sleeping thread to wake, which at 10^4 nodes costs more than the step.
    let finished = rayon::scope(|_| {
        // The first step reads x0 itself; later ones alternate between the two buffers.
        step(adj, x0, x0, s, kernel, &mut x);
        for _ in 1..steps {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            step(adj, &x, x0, s, kernel, &mut next);
            std::mem::swap(&mut x, &mut next);
        }
        true
    });
    if finished {
        Ok(x)
    } else {
        Err(Error::Interrupted)
    }
}

/// One step from x into `next`, chunk by chunk: each row's neighbour sum is written into
/// `next`, then the chunk is updated in place while it is still in cache.
fn step(adj: &Adjacency, x: &[f64], x0: &[f64], s: Stubbornness, kernel: Kernel, next: &mut [f64]) {
    next.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
        let first = c * CHUNK;
        let rows = first..first + out.len();
        let chunk = Chunk {
            indptr: &adj.indptr[first..=rows.end],
            inv_row_sum: &adj.inv_row_sum[rows],
            indices: adj.indices,
            x,
            x0,
            s,
            first,
        };
        match (adj.weights.as_deref(), kernel) {
            (Some(w), _) => chunk.weighted(w, out),
            (None, Kernel::Scalar) => chunk.unweighted(out, |cols| {
                // SAFETY: `Adjacency::new` checked every index against n, and x has n values.
                unsafe { gather_sum(x, cols) }
            }),
            // SAFETY: `Kernel::best` chose this kernel after checking the CPU and n.
            #[cfg(target_arch = "x86_64")]
            (None, Kernel::Avx2) => unsafe { avx2::unweighted(&chunk, out) },
        }
    });
}

/// The rows `first..first + out.len()` of one step.
struct Chunk<'a> {
    /// The chunk's rows and one more.
    indptr: &'a [u64],
    /// The chunk's rows.
    inv_row_sum: &'a [f64],
    indices: &'a [u32],
    x: &'a [f64],
    x0: &'a [f64],
    s: Stubbornness<'a>,
    first: usize,
}

impl Chunk<'_> {
    /// Sums with `row_sum`, then the update. Inlined into each kernel, so that the update
    /// too is compiled for the kernel's instruction set (and vectorised where it can be).
    #[inline(always)]
    fn unweighted(&self, out: &mut [f64], row_sum: impl Fn(&[u32]) -> f64) {
        let ip = self.indptr;
        assert_eq!(ip.len(), out.len() + 1);
        for (k, slot) in out.iter_mut().enumerate() {
            // SAFETY: k + 1 < ip.len(), and `Adjacency::new` checked that indptr rises from
            // 0 to indices.len(). Unchecked: on a graph in cache the checks cost a tenth.
            let cols =
                unsafe { self.indices.get_unchecked(*ip.get_unchecked(k) as usize..*ip.get_unchecked(k + 1) as usize) };
            *slot = row_sum(cols);
        }
        self.update(out);
    }

    fn weighted(&self, w: &[f64], out: &mut [f64]) {
        let (ip, x) = (self.indptr, self.x);
        for (k, slot) in out.iter_mut().enumerate() {
            let (a, b) = (ip[k] as usize, ip[k + 1] as usize);
            *slot = self.indices[a..b].iter().zip(&w[a..b]).map(|(&j, &wij)| wij * x[j as usize]).sum::<f64>();
        }
        self.update(out);
    }

    /// Turn the neighbour sums in `out` into new opinions, s x0 + (1 - s) (W x), where a
    /// node with no neighbours (inv = 0) keeps its value.
    #[inline(always)]
    fn update(&self, out: &mut [f64]) {
        let rows = self.first..self.first + out.len();
        let (x, x0, inv) = (&self.x[rows.clone()], &self.x0[rows.clone()], self.inv_row_sum);
        let new = |sum: f64, k: usize, s: f64| {
            let (inv, xk) = (inv[k], x[k]);
            let wx = if inv == 0.0 { xk } else { sum * inv };
            s * x0[k] + (1.0 - s) * wx
        };
        match self.s {
            Stubbornness::All(s) => out.iter_mut().enumerate().for_each(|(k, v)| *v = new(*v, k, s)),
            Stubbornness::Each(s) => {
                let s = &s[rows];
                out.iter_mut().enumerate().for_each(|(k, v)| *v = new(*v, k, s[k]));
            }
        }
    }
}

/// Sum of x over `cols` with four running sums in a fixed order: the same bits on every
/// run, without one long chain of dependent additions.
///
/// # Safety
/// Every index in `cols` must be less than `x.len()`.
#[inline(always)]
unsafe fn gather_sum(x: &[f64], cols: &[u32]) -> f64 {
    let (n, c) = (cols.len(), cols.as_ptr());
    let (mut a0, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
    let mut k = 0;
    while k + 4 <= n {
        a0 += *x.get_unchecked(*c.add(k) as usize);
        a1 += *x.get_unchecked(*c.add(k + 1) as usize);
        a2 += *x.get_unchecked(*c.add(k + 2) as usize);
        a3 += *x.get_unchecked(*c.add(k + 3) as usize);
        k += 4;
    }
    let mut tail = 0.0;
    while k < n {
        tail += *x.get_unchecked(*c.add(k) as usize);
        k += 1;
    }
    (a0 + a1) + (a2 + a3) + tail
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// `Chunk::unweighted` with `row_sum` below, all compiled for AVX2.
    ///
    /// # Safety
    /// The CPU must support AVX2, and every index must be less than `chunk.x.len()`, which
    /// must not exceed i32::MAX.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn unweighted(chunk: &super::Chunk, out: &mut [f64]) {
        let x = chunk.x.as_ptr();
        chunk.unweighted(out, |cols| row_sum(x, cols));
    }

    /// `gather_sum` with the 0 to 3 ties past the last group of four in one masked gather
    /// instead of a loop: row lengths vary, and a loop whose trip count the CPU cannot guess
    /// costs a mispredicted branch on most rows. Unused lanes hold -0.0, which adds nothing
    /// (v + -0.0 == v for every v, -0.0 included), so the tail sum keeps its bits.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn row_sum(x: *const f64, cols: &[u32]) -> f64 {
        let (n, c) = (cols.len(), cols.as_ptr());
        // Whole groups of four as in `gather_sum`: here plain loads beat a gather.
        let (mut a0, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
        let whole = n & !3;
        let mut k = 0;
        while k < whole {
            a0 += *x.add(*c.add(k) as usize);
            a1 += *x.add(*c.add(k + 1) as usize);
            a2 += *x.add(*c.add(k + 2) as usize);
            a3 += *x.add(*c.add(k + 3) as usize);
            k += 4;
        }
        let lanes = _mm_cmpgt_epi32(_mm_set1_epi32((n & 3) as i32), _mm_setr_epi32(0, 1, 2, 3));
        let idx = _mm_maskload_epi32(c.add(whole) as *const i32, lanes);
        let mask = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(lanes));
        let tail: [f64; 4] = std::mem::transmute(_mm256_mask_i32gather_pd::<8>(_mm256_set1_pd(-0.0), x, idx, mask));
        (a0 + a1) + (a2 + a3) + (0.0 + tail[0] + tail[1] + tail[2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_graph_by_hand() {
        // 0 - 1 - 2, stubbornness 0.5, one step.
        let indptr = [0u64, 1, 3, 4];
        let indices = [1u32, 0, 2, 1];
        let adj = Adjacency::new(&indptr, &indices, None).unwrap();
        let x = friedkin_johnsen(&adj, &[1.0, 0.0, 0.0], &[0.5], 1).unwrap();
        assert_eq!(x, vec![0.5, 0.5 * 0.5, 0.0]);
    }

    #[test]
    fn converges_to_the_closed_form() {
        // Two nodes listening to each other: x* solves x = s x0 + (1 - s) P x.
        let adj = Adjacency::new(&[0, 1, 2], &[1, 0], None).unwrap();
        let (s, x0) = (0.3, [1.0, 0.0]);
        let x = friedkin_johnsen(&adj, &x0, &[s], 200).unwrap();
        // x1 = s + (1-s) x2, x2 = (1-s) x1  =>  x1 = s / (1 - (1-s)^2)
        let x1 = s / (1.0 - (1.0 - s) * (1.0 - s));
        assert!((x[0] - x1).abs() < 1e-12 && (x[1] - (1.0 - s) * x1).abs() < 1e-12);
    }

    #[test]
    fn weights_and_isolated_nodes() {
        let adj = Adjacency::new(&[0, 2, 2], &[0, 1], Some(&[1.0, 3.0])).unwrap();
        let x = friedkin_johnsen(&adj, &[0.0, 1.0], &[0.0], 1).unwrap();
        assert_eq!(x, vec![0.75, 1.0]);
    }

    #[test]
    fn extreme_weights_are_normalised_safely() {
        // Node 0 listens to 1 and 2 with equal weights at the top and the bottom of the
        // floats' range: their sum overflows, or their inverse does.
        for w in [1e308, f64::MAX, 5e-324, 1e-310] {
            let adj = Adjacency::new(&[0, 2, 2, 2], &[1, 2], Some(&[w, w])).unwrap();
            let x = friedkin_johnsen(&adj, &[1.0, 0.5, 0.0], &[0.5], 1).unwrap();
            assert_eq!(x, vec![0.625, 0.5, 0.0], "weights {w}");
        }
        // Large opinions with large weights: no product overflows.
        let adj = Adjacency::new(&[0, 1, 1], &[1], Some(&[1e308])).unwrap();
        assert_eq!(friedkin_johnsen(&adj, &[0.0, 1e308], &[0.0], 1).unwrap(), vec![1e308, 1e308]);
        // Only zero weights: the node keeps its value.
        let adj = Adjacency::new(&[0, 1, 1], &[1], Some(&[0.0])).unwrap();
        assert_eq!(friedkin_johnsen(&adj, &[0.25, 1.0], &[0.0], 3).unwrap(), vec![0.25, 1.0]);
    }

    #[test]
    fn a_set_stop_flag_ends_the_run_within_a_step() {
        let adj = Adjacency::new(&[0, 1, 2], &[1, 0], None).unwrap();
        let stop = AtomicBool::new(true);
        assert_eq!(friedkin_johnsen_until(&adj, &[1.0, 0.0], &[0.5], usize::MAX, &stop), Err(Error::Interrupted));
        let go = AtomicBool::new(false);
        assert!(friedkin_johnsen_until(&adj, &[1.0, 0.0], &[0.5], 3, &go).is_ok());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(Adjacency::new(&[0, 1], &[3], None).is_err());
        let adj = Adjacency::new(&[0, 1, 2], &[1, 0], None).unwrap();
        assert!(friedkin_johnsen(&adj, &[0.0], &[0.5], 1).is_err());
        assert!(friedkin_johnsen(&adj, &[0.0, 1.0], &[1.5], 1).is_err());
    }

    /// The kernel as it was before the AVX2 path: one pass, 1 / degree stored per row.
    fn reference(indptr: &[u64], indices: &[u32], x0: &[f64], s: &[f64], steps: usize) -> Vec<f64> {
        let n = x0.len();
        let s: Vec<f64> = if s.len() == 1 { vec![s[0]; n] } else { s.to_vec() };
        let inv: Vec<f64> =
            (0..n).map(|i| (indptr[i + 1] - indptr[i]) as f64).map(|d| if d > 0.0 { 1.0 / d } else { 0.0 }).collect();
        let mut x = x0.to_vec();
        for _ in 0..steps {
            x = (0..n)
                .map(|i| {
                    let cols = &indices[indptr[i] as usize..indptr[i + 1] as usize];
                    let wx = if cols.is_empty() { x[i] } else { (unsafe { gather_sum(&x, cols) }) * inv[i] };
                    s[i] * x0[i] + (1.0 - s[i]) * wx
                })
                .collect();
        }
        x
    }

    #[test]
    fn every_kernel_gives_the_same_bits() {
        // Degrees 0, 1, 3, 5, 17 and random ones up to 40; opinions of mixed sign and
        // magnitude, with signed zeros, so any change in the order of additions shows.
        let n = 3000;
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut indptr, mut indices) = (vec![0u64], Vec::new());
        for i in 0..n {
            let d = [0, 1, 3, 5, 17].get(i % 8).copied().unwrap_or((next() % 41) as usize);
            indices.extend((0..d).map(|_| (next() % n as u64) as u32));
            indptr.push(indices.len() as u64);
        }
        let x0: Vec<f64> = (0..n)
            .map(|i| match i % 13 {
                0 => -0.0,
                1 => 0.0,
                _ => ((next() >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((i % 9) as i32 - 4),
            })
            .collect();
        let per_node: Vec<f64> = (0..n).map(|i| (i % 5) as f64 / 4.0).collect();
        let adj = Adjacency::new(&indptr, &indices, None).unwrap();
        let kernels = [Kernel::Scalar, Kernel::best(&adj)];
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") {
            assert_eq!(kernels[1], Kernel::Avx2);
        }
        // A ring lattice, every row the same length, keeps the scalar kernel.
        let ring: Vec<u32> = (0..n as u32).flat_map(|i| [(i + 1) % n as u32, (i + n as u32 - 1) % n as u32]).collect();
        let ring_indptr: Vec<u64> = (0..=n as u64).map(|i| 2 * i).collect();
        assert_eq!(Kernel::best(&Adjacency::new(&ring_indptr, &ring, None).unwrap()), Kernel::Scalar);
        let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
        for s in [&[0.3][..], &per_node] {
            for steps in [1, 2, 7] {
                let want = bits(reference(&indptr, &indices, &x0, s, steps));
                for kernel in kernels {
                    let got = run(&adj, &x0, s, steps, kernel, &AtomicBool::new(false)).unwrap();
                    assert_eq!(bits(got), want, "{kernel:?}, {steps} steps");
                }
            }
        }
    }
}
