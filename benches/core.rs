//! Criterion benchmarks of the core: `cargo bench`. Figures for the report come from
//! benchmarks/perf.py, which also runs the peers; these track the core between changes.

use criterion::{criterion_group, criterion_main, Criterion};

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
}

criterion_group!(benches, default_run, opinion_kernel);
criterion_main!(benches);
