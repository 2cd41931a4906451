//! A STREAM-like triad, a[i] = b[i] + s * c[i], to measure the machine's memory bandwidth
//! in the same process as a benchmark, so kernels can be reported as a share of it.

use std::time::Instant;

use rayon::prelude::*;

/// Best-of-`repeats` triad bandwidth in bytes per second over arrays of `n` f64
/// (24 bytes moved per element: two reads and one write).
pub fn triad(n: usize, repeats: usize) -> f64 {
    let b = vec![1.0f64; n];
    let c = vec![2.0f64; n];
    let mut a = vec![0.0f64; n];
    let s = 3.0;
    let mut best = f64::INFINITY;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        a.par_chunks_mut(1 << 16).zip(b.par_chunks(1 << 16)).zip(c.par_chunks(1 << 16)).for_each(|((a, b), c)| {
            for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
                *a = b + s * c;
            }
        });
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(&a);
    24.0 * n as f64 / best
}
