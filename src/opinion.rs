//! The opinion-dynamics layer on its own, over any graph: Friedkin-Johnsen,
//! x(t+1) = s * x0 + (1 - s) * W x(t), W the row-normalised adjacency.
//! The same update the voters' grievance follows, in f64, for comparison with other tools.

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Rows per parallel task: large enough to amortise scheduling, small enough to balance.
const CHUNK: usize = 4096;

/// A CSR graph with optional edge weights, checked once.
pub struct Adjacency<'a> {
    indptr: &'a [u64],
    indices: &'a [u32],
    weights: Option<&'a [f64]>,
    /// 1 / (row sum of weights), or 0 for an empty row.
    inv_row_sum: Vec<f64>,
}

impl<'a> Adjacency<'a> {
    pub fn new(indptr: &'a [u64], indices: &'a [u32], weights: Option<&'a [f64]>) -> Result<Self> {
        let n = indptr.len().checked_sub(1).ok_or_else(|| Error::config("adjacency", "indptr is empty"))?;
        if indptr[0] != 0 || indptr[n] as usize != indices.len() || indptr.windows(2).any(|w| w[1] < w[0]) {
            return Err(Error::config("adjacency", "indptr must rise from 0 to the number of edges"));
        }
        if let Some(j) = indices.iter().find(|&&j| j as usize >= n) {
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
        let inv_row_sum = (0..n)
            .map(|i| {
                let (a, b) = (indptr[i] as usize, indptr[i + 1] as usize);
                let sum = match weights {
                    Some(w) => w[a..b].iter().sum::<f64>(),
                    None => (b - a) as f64,
                };
                if sum > 0.0 { 1.0 / sum } else { 0.0 }
            })
            .collect();
        Ok(Adjacency { indptr, indices, weights, inv_row_sum })
    }

    pub fn n(&self) -> usize {
        self.inv_row_sum.len()
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

/// Run `steps` synchronous Friedkin-Johnsen updates from x0. `stubbornness` has one value
/// per node or a single value for all. Each node's sum runs in row order, so the result
/// does not depend on the number of threads.
pub fn friedkin_johnsen(adj: &Adjacency, x0: &[f64], stubbornness: &[f64], steps: usize) -> Result<Vec<f64>> {
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
    let s_all = if stubbornness.len() == 1 { vec![stubbornness[0]; n] } else { stubbornness.to_vec() };
    let mut x = x0.to_vec();
    let mut next = vec![0.0; n];
    for _ in 0..steps {
        next.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
            let rows = c * CHUNK..c * CHUNK + out.len();
            update_rows(adj, &x, &x0[rows.clone()], &s_all[rows.clone()], rows.start, out);
        });
        std::mem::swap(&mut x, &mut next);
    }
    Ok(x)
}

/// One step for the rows `first..first + out.len()`, on local slices so the compiler can
/// keep every bound and pointer in registers.
#[inline(never)]
fn update_rows(adj: &Adjacency, x: &[f64], x0: &[f64], s: &[f64], first: usize, out: &mut [f64]) {
    let indptr = &adj.indptr[first..=first + out.len()];
    let inv = &adj.inv_row_sum[first..first + out.len()];
    if adj.weights.is_none() {
        // Rows are contiguous: walk the index array once instead of slicing it per row.
        let mut rest = &adj.indices[indptr[0] as usize..indptr[out.len()] as usize];
        for (k, slot) in out.iter_mut().enumerate() {
            let (cols, tail) = rest.split_at((indptr[k + 1] - indptr[k]) as usize);
            rest = tail;
            // SAFETY: `Adjacency::new` checked every index against n, and x has n values.
            let wx = if cols.is_empty() { x[first + k] } else { (unsafe { gather_sum(x, cols) }) * inv[k] };
            *slot = s[k] * x0[k] + (1.0 - s[k]) * wx;
        }
        return;
    }
    for (k, slot) in out.iter_mut().enumerate() {
        let i = first + k;
        let wx = if inv[k] == 0.0 {
            x[i]
        } else {
            let (a, b) = (indptr[k] as usize, indptr[k + 1] as usize);
            let sum = match adj.weights {
                // SAFETY: `Adjacency::new` checked every index against n, and x has n values.
                None => unsafe { gather_sum(x, &adj.indices[a..b]) },
                Some(w) => adj.indices[a..b].iter().zip(&w[a..b]).map(|(&j, &wij)| wij * x[j as usize]).sum::<f64>(),
            };
            sum * inv[k]
        };
        *slot = s[k] * x0[k] + (1.0 - s[k]) * wx;
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
    fn bad_input_is_an_error() {
        assert!(Adjacency::new(&[0, 1], &[3], None).is_err());
        let adj = Adjacency::new(&[0, 1, 2], &[1, 0], None).unwrap();
        assert!(friedkin_johnsen(&adj, &[0.0], &[0.5], 1).is_err());
        assert!(friedkin_johnsen(&adj, &[0.0, 1.0], &[1.5], 1).is_err());
    }
}
