//! A run's memory, estimated before it starts, and the memory this process may still take:
//! a run that cannot fit is refused with a config error giving the estimate, and a batch
//! runs fewer at once when its runs are large, instead of the process aborting when an
//! allocation fails (docs/RELIABILITY.md).

use crate::error::{Error, Result};
use crate::japan::JapanMode;
use crate::network::NetworkKind;
use crate::record::COLUMNS;
use crate::scenario::Scenario;

/// Bytes per voter: the voter's state (about 40 bytes), its row pointer in the network (8)
/// and what building the voters and the network holds for a while, with room to spare.
pub const VOTER_BYTES: u64 = 64;
/// Bytes per tie: one neighbour index.
pub const TIE_BYTES: u64 = 4;
/// Bytes of a run that do not grow with its voters: legislature, executive, events, buffers.
const FIXED_BYTES: u64 = 4 << 20;
/// Left for the rest of the process (thread stacks, the allocator's arenas, Python).
const RESERVE_BYTES: u64 = 256 << 20;
/// Runs up to this size are not checked against the memory left (reading it costs as much
/// as a small run): the reserve covers them.
const SMALL_BYTES: u64 = 64 << 20;

/// What a run needs: its bytes and the parameter that makes most of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    pub bytes: u64,
    pub path: &'static str,
}

/// Bytes of `n` voters with `ties` ties among them.
fn public_bytes(n: u64, ties: u64) -> u64 {
    n.saturating_mul(VOTER_BYTES).saturating_add(ties.saturating_mul(TIE_BYTES))
}

/// The memory a run of `sc` needs; `user_ties` is the number of ties of a user graph.
pub fn estimate(sc: &Scenario, user_ties: Option<u64>) -> Estimate {
    let n = sc.voters.n;
    let degree = sc.network.degree as u64;
    let ties = match sc.network.kind {
        NetworkKind::User => user_ties.unwrap_or(0),
        _ => n.saturating_mul(degree.min(n.saturating_sub(1))),
    };
    let korea = public_bytes(n, ties);
    // Japan's full mode has voters and a Watts-Strogatz network of its own.
    let japan = match sc.japan.mode {
        JapanMode::Full => {
            let jn = sc.japan.voters.n;
            public_bytes(jn, jn.saturating_mul(degree.min(jn.saturating_sub(1))))
        }
        JapanMode::Reduced => 0,
    };
    let series = (sc.horizon_weeks as u64) * (COLUMNS.len() as u64) * 8;
    let bytes = korea.saturating_add(japan).saturating_add(series).saturating_add(FIXED_BYTES);
    Estimate { bytes, path: if japan > korea { "japan.voters.n" } else { "voters.n" } }
}

/// Refuse a run larger than `SMALL_BYTES` whose estimate exceeds the memory this process
/// has left.
pub fn check_fits(estimate: Estimate) -> Result<()> {
    if estimate.bytes <= SMALL_BYTES {
        return Ok(());
    }
    check(estimate, available())
}

/// Refuse a run whose estimate exceeds `available` bytes (None: not known).
fn check(estimate: Estimate, available: Option<u64>) -> Result<()> {
    match available {
        Some(free) if estimate.bytes > free => Err(Error::config(
            estimate.path,
            format!(
                "the run needs about {} of memory, more than the {} this process has available",
                gigabytes(estimate.bytes),
                gigabytes(free)
            ),
        )),
        _ => Ok(()),
    }
}

/// How many runs needing `largest` bytes each may run at once within `available` bytes:
/// at least one, at most `threads`.
pub fn concurrency(largest: u64, available: Option<u64>, threads: usize) -> usize {
    match available {
        Some(free) if largest > 0 => ((free / largest) as usize).clamp(1, threads.max(1)),
        _ => threads.max(1),
    }
}

pub fn gigabytes(bytes: u64) -> String {
    format!("{:.2} GB", bytes as f64 / 1e9)
}

/// Bytes this process may still allocate, less a reserve: the least of the machine's
/// available memory, what the process's control groups (a Slurm job's, a container's)
/// allow beyond their usage, and the address-space limit (`ulimit -v`) beyond the address
/// space in use. None where none of these can be read (not Linux).
pub fn available() -> Option<u64> {
    let limits = [machine_available(), cgroup_available(), address_space_available()];
    limits.into_iter().flatten().min().map(|b| b.saturating_sub(RESERVE_BYTES))
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The value of `key` in a /proc file of lines `Key:   123 kB`, in bytes.
fn proc_kb(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.split(':').next() == Some(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn machine_available() -> Option<u64> {
    proc_kb(&read("/proc/meminfo")?, "MemAvailable")
}

fn address_space_available() -> Option<u64> {
    let limits = read("/proc/self/limits")?;
    let line = limits.lines().find(|l| l.starts_with("Max address space"))?;
    let soft: u64 = line["Max address space".len()..].split_whitespace().next()?.parse().ok()?; // "unlimited": None
    let used = proc_kb(&read("/proc/self/status")?, "VmSize")?;
    Some(soft.saturating_sub(used))
}

/// The least headroom over the process's control group and its ancestors (v2 or v1).
fn cgroup_available() -> Option<u64> {
    let text = read("/proc/self/cgroup")?;
    let number = |p: String| read(&p).and_then(|t| t.trim().parse::<u64>().ok());
    let mut least: Option<u64> = None;
    for line in text.lines() {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        let (root, limit, usage) = if controllers.is_empty() {
            ("/sys/fs/cgroup", "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes")
        } else {
            continue;
        };
        let mut dir = path.trim_end_matches('/').to_string();
        loop {
            if let (Some(max), Some(used)) =
                (number(format!("{root}{dir}/{limit}")), number(format!("{root}{dir}/{usage}")))
            {
                let free = max.saturating_sub(used);
                least = Some(least.map_or(free, |l| l.min(free)));
            }
            match dir.rfind('/') {
                Some(i) => dir.truncate(i),
                None => break,
            }
        }
    }
    least
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_grows_with_voters_ties_and_japans_public() {
        let mut sc = Scenario::default();
        let base = estimate(&sc, None);
        assert_eq!(base.path, "voters.n");
        sc.network.degree = 20;
        let denser = estimate(&sc, None).bytes - base.bytes;
        assert_eq!(denser, sc.voters.n * 10 * TIE_BYTES);
        sc.japan.mode = JapanMode::Full;
        sc.japan.voters.n = 20_000_000;
        let japan = estimate(&sc, None);
        assert_eq!(japan.path, "japan.voters.n");
        assert!(japan.bytes > 20_000_000 * (VOTER_BYTES + 20 * TIE_BYTES));
    }

    #[test]
    fn too_large_a_run_is_refused_with_its_estimate() {
        let e = Estimate { bytes: 5_200_000_000, path: "voters.n" };
        assert!(check(e, None).is_ok());
        assert!(check(e, Some(6_000_000_000)).is_ok());
        let err = check(e, Some(3_000_000_000)).unwrap_err().to_string();
        assert_eq!(
            err,
            "voters.n: the run needs about 5.20 GB of memory, more than the 3.00 GB this process has available"
        );
    }

    #[test]
    fn large_runs_run_fewer_at_once() {
        assert_eq!(concurrency(5, Some(8), 2), 1);
        assert_eq!(concurrency(5, Some(100), 2), 2);
        assert_eq!(concurrency(5, Some(1), 2), 1);
        assert_eq!(concurrency(5, None, 4), 4);
    }

    #[test]
    fn this_process_can_read_its_memory() {
        if cfg!(target_os = "linux") {
            let free = available().expect("Linux reports available memory");
            assert!(free <= machine_available().unwrap());
        }
    }
}
