//! Criterion benchmarks of the core: `cargo bench`. Figures for the report come from
//! benchmarks/perf.py, which also runs the peers; these track the core between changes.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use acsa::opinion::{friedkin_johnsen, Adjacency};
use acsa::{simulate, Scenario};

fn default_run(c: &mut Criterion) {
    let sc = Scenario::default();
    let mut group = c.benchmark_group("model");
    group.sample_size(10);
    group.bench_function("default scenario, 20 000 voters x 520 weeks", |b| {
        b.iter(|| simulate(&sc, &[1; 32], None).unwrap())
    });
    group.finish();
}

fn opinion_kernel(c: &mut Criterion) {
    // Ring lattice, k = 10, n = 10^5: each step is 10^5 node updates.
    let n = 100_000usize;
    let mut indptr = vec![0u64];
    let mut indices = Vec::with_capacity(n * 10);
    for i in 0..n {
        for d in 1..=5 {
            indices.push(((i + d) % n) as u32);
            indices.push(((i + n - d) % n) as u32);
        }
        indptr.push(indices.len() as u64);
    }
    let adj = Adjacency::new(&indptr, &indices, None).unwrap();
    let x0: Vec<f64> = (0..n).map(|i| (i % 97) as f64 / 97.0).collect();
    c.bench_function("friedkin_johnsen, n = 1e5, k = 10, 10 steps", |b| {
        b.iter(|| friedkin_johnsen(&adj, &x0, &[0.5], 10).unwrap())
    });

    // Watts-Strogatz as in benchmarks/perf.py: degrees vary around 10, and a tenth of the
    // ties reach random nodes, which at 10^6 makes the step wait on memory; the same
    // lattice without rewiring (p = 0) shows what those ties cost.
    let mut group = c.benchmark_group("friedkin_johnsen, Watts-Strogatz k = 10, 10 steps");
    group.sample_size(10);
    for (n, p) in [(10_000usize, 0.1), (1_000_000, 0.1), (1_000_000, 0.0)] {
        let (indptr, indices) = watts_strogatz(n, p);
        let adj = Adjacency::new(&indptr, &indices, None).unwrap();
        let x0: Vec<f64> = (0..n).map(|i| (i % 97) as f64 / 97.0).collect();
        group.throughput(Throughput::Elements(10 * n as u64));
        group.bench_function(format!("n = {n}, p = {p}"), |b| {
            b.iter(|| friedkin_johnsen(&adj, &x0, &[0.5], 10).unwrap())
        });
    }
    group.finish();
}

/// Ring lattice with 5 ties each side, each tie rewired with probability p to a random
/// node, both directions, duplicate ties once (CSR with sorted rows).
fn watts_strogatz(n: usize, p: f64) -> (Vec<u64>, Vec<u32>) {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ties = Vec::with_capacity(n * 10);
    for i in 0..n {
        for d in 1..=5 {
            let rewire = ((next() >> 11) as f64 / (1u64 << 53) as f64) < p;
            let j = if rewire { (next() % n as u64) as usize } else { (i + d) % n };
            ties.push((i as u32, j as u32));
            ties.push((j as u32, i as u32));
        }
    }
    ties.sort_unstable();
    ties.dedup();
    let mut indptr = vec![0u64; n + 1];
    for &(i, _) in &ties {
        indptr[i as usize + 1] += 1;
    }
    for i in 0..n {
        indptr[i + 1] += indptr[i];
    }
    (indptr, ties.into_iter().map(|(_, j)| j).collect())
}

criterion_group!(benches, default_run, opinion_kernel);
criterion_main!(benches);
