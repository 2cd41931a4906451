//! Who listens to whom: a CSR adjacency over voters (u32 indices).
//!
//! Row i lists the voters whose grievance voter i averages over. Voters are laid out by
//! district and, within a district, by party, so ring neighbours share region and party.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::rng::{Counter, Stream};
use crate::scenario::params;

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    WattsStrogatz,
    Sbm,
    User,
}

params! {
    /// The `[network]` section.
    pub struct Params {
        /// watts_strogatz (default), sbm or user.
        kind: NetworkKind = NetworkKind::WattsStrogatz, unit "choice";
        /// Neighbours each voter listens to.
        degree: u32 = 10, unit "neighbours", range 1.0..=1000.0;
        /// Watts-Strogatz rewiring probability.
        rewire: f64 = 0.1, unit "probability", range 0.0..=1.0;
        /// Probability a rewired (or SBM) tie goes to the same party.
        homophily: f64 = 0.8, unit "probability", range 0.0..=1.0;
    }
}

/// Largest network built in memory (4 bytes a tie).
const MAX_TIES: u64 = 1_000_000_000;

/// A generated network of `n` voters with `degree` ties each stays within `MAX_TIES`;
/// `path` is the parameter the error names, `what` the product it describes.
pub fn check_ties(n: usize, degree: usize, path: &str, what: &str) -> Result<()> {
    let ties = n as u64 * degree as u64;
    if ties > MAX_TIES {
        return Err(Error::config(path, format!("{what} must be at most {MAX_TIES} ties, got {ties}")));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub indptr: Vec<u64>,
    pub indices: Vec<u32>,
}

impl Graph {
    pub fn n(&self) -> usize {
        self.indptr.len() - 1
    }

    #[inline(always)]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.indices[self.indptr[i] as usize..self.indptr[i + 1] as usize]
    }

    /// The network of voters whose parties are `party`: generated as `p` says, or the
    /// user's graph, checked.
    pub fn build(p: &Params, party: &[u8], user: Option<Graph>, counter: &Counter) -> Result<Graph> {
        let n = party.len();
        match (p.kind, user) {
            (NetworkKind::User, Some(g)) => Graph::from_csr(g.indptr, g.indices, n),
            (NetworkKind::User, None) => Err(Error::config("network.kind", "is 'user' but no graph was given")),
            (kind, Some(_)) => {
                Err(Error::config("network.kind", format!("is '{kind:?}' but a graph was given; use 'user'")))
            }
            (kind, None) => {
                let degree = p.degree as usize;
                if degree >= n {
                    return Err(Error::config(
                        "network.degree",
                        format!("must be less than voters.n ({n}), got {degree}"),
                    ));
                }
                Ok(match kind {
                    NetworkKind::Sbm => Graph::sbm(party, degree, p.homophily, counter),
                    _ => Graph::watts_strogatz(party, degree, p.rewire, p.homophily, counter),
                })
            }
        }
    }

    /// A user-supplied CSR graph, checked against the number of voters.
    pub fn from_csr(indptr: Vec<u64>, indices: Vec<u32>, n: usize) -> Result<Graph> {
        if indptr.len() != n + 1 {
            return Err(Error::config(
                "graph",
                format!("has {} nodes but voters.n is {n}", indptr.len().saturating_sub(1)),
            ));
        }
        if indptr[0] != 0 || indptr[n] as usize != indices.len() {
            return Err(Error::config("graph", "indptr must start at 0 and end at the number of edges"));
        }
        if indptr.windows(2).any(|w| w[1] < w[0]) {
            return Err(Error::config("graph", "indptr must be non-decreasing"));
        }
        if let Some(bad) = indices.iter().find(|&&j| j as usize >= n) {
            return Err(Error::config("graph", format!("edge to node {bad}, but nodes run 0..{n}")));
        }
        Ok(Graph { indptr, indices })
    }

    /// Fixed out-degree graph: slot s of voter i goes to `pick(i, s)`.
    fn regular(n: usize, degree: usize, pick: impl Fn(usize, usize) -> u32 + Sync) -> Graph {
        let mut indices = vec![0u32; n * degree];
        indices.par_chunks_mut(degree).enumerate().for_each(|(i, row)| {
            for (s, slot) in row.iter_mut().enumerate() {
                *slot = pick(i, s);
            }
        });
        let indptr = (0..=n as u64).map(|i| i * degree as u64).collect();
        Graph { indptr, indices }
    }

    /// Watts-Strogatz over the homophily order: each voter listens to its `degree` nearest
    /// voters on the ring; each tie is rewired with probability `rewire` to a random voter,
    /// of the same party with probability `homophily`.
    pub fn watts_strogatz(party: &[u8], degree: usize, rewire: f64, homophily: f64, rng: &Counter) -> Graph {
        let n = party.len();
        let members = party_members(party);
        let half = degree / 2;
        Graph::regular(n, degree, |i, s| {
            // slots 0..half go forward, half..2*half backward, an odd last slot forward.
            let offset = if s < half {
                s + 1
            } else if s < 2 * half {
                n - (s - half + 1)
            } else {
                half + 1
            };
            let lattice = ((i + offset) % n) as u32;
            let key = (i * degree + s) as u64;
            if rng.uniform(Stream::Network, 0, key, 0) >= rewire {
                return lattice;
            }
            let t = random_target(party[i], &members, n, homophily, rng, key);
            if t as usize == i {
                lattice
            } else {
                t
            }
        })
    }

    /// Stochastic block model with party blocks and fixed out-degree: each tie goes to a
    /// random voter of the same party with probability `homophily`, else to anyone.
    pub fn sbm(party: &[u8], degree: usize, homophily: f64, rng: &Counter) -> Graph {
        let n = party.len();
        let members = party_members(party);
        Graph::regular(n, degree, |i, s| {
            let key = (i * degree + s) as u64;
            let t = random_target(party[i], &members, n, homophily, rng, key);
            if t as usize == i {
                ((i + 1) % n) as u32
            } else {
                t
            }
        })
    }
}

fn party_members(party: &[u8]) -> [Vec<u32>; 3] {
    let mut m: [Vec<u32>; 3] = Default::default();
    for (i, &p) in party.iter().enumerate() {
        m[p as usize].push(i as u32);
    }
    m
}

fn random_target(p: u8, members: &[Vec<u32>; 3], n: usize, homophily: f64, rng: &Counter, key: u64) -> u32 {
    let same = &members[p as usize];
    let u = rng.uniform(Stream::Network, 0, key, 2);
    if rng.uniform(Stream::Network, 0, key, 1) < homophily && !same.is_empty() {
        same[((u * same.len() as f64) as usize).min(same.len() - 1)]
    } else {
        ((u * n as f64) as usize).min(n - 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parties(n: usize) -> Vec<u8> {
        (0..n).map(|i| ((i / 10) % 3) as u8).collect()
    }

    #[test]
    fn lattice_without_rewiring() {
        let g = Graph::watts_strogatz(&parties(100), 4, 0.0, 0.8, &Counter::new(&[0; 32]));
        assert_eq!(g.neighbours(0), &[1, 2, 99, 98]);
        assert_eq!(g.indices.len(), 400);
    }

    #[test]
    fn rewiring_prefers_own_party() {
        let party = parties(10_000);
        let c = Counter::new(&[1; 32]);
        let g = Graph::watts_strogatz(&party, 10, 1.0, 0.9, &c);
        let same = (0..10_000)
            .flat_map(|i| g.neighbours(i).iter().map(move |&j| (i, j)))
            .filter(|&(i, j)| party[i] == party[j as usize])
            .count() as f64
            / g.indices.len() as f64;
        assert!(same > 0.85, "{same}");
        assert!(g.indices.iter().all(|&j| (j as usize) < 10_000));
        let sbm = Graph::sbm(&party, 10, 0.0, &c);
        assert!((0..10_000).all(|i| !sbm.neighbours(i).contains(&(i as u32))));
    }

    #[test]
    fn user_graph_is_checked() {
        assert!(Graph::from_csr(vec![0, 1, 2], vec![1, 0], 2).is_ok());
        assert!(Graph::from_csr(vec![0, 1], vec![0], 2).is_err());
        assert!(Graph::from_csr(vec![0, 1, 2], vec![1, 5], 2).is_err());
        assert!(Graph::from_csr(vec![0, 2, 1], vec![1, 0], 2).is_err());
    }
}
