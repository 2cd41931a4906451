//! The core's threads: one pool per process, and a stop flag that runs look at each week.
//!
//! A process forked from one whose pool had started (a "fork" multiprocessing pool after a
//! run, say) inherits the pool's bookkeeping but none of its threads, and would wait on them
//! for ever; here it sees that its process id changed and builds a pool of its own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rayon::{ThreadPool, ThreadPoolBuilder};

/// The pool and the process that built it.
static POOL: Mutex<Option<(u32, Arc<ThreadPool>)>> = Mutex::new(None);

/// Set to stop every run in progress at its next week, and `friedkin_johnsen` at its next step.
static STOP: AtomicBool = AtomicBool::new(false);

/// Ask every run in progress to stop at its next week (Ctrl-C, SIGTERM); until
/// `clear_stop`, runs stop before their first week.
pub fn request_stop() {
    STOP.store(true, Ordering::SeqCst);
}

pub fn clear_stop() {
    STOP.store(false, Ordering::SeqCst);
}

/// The flag itself, for loops that take one.
pub fn stop_flag() -> &'static AtomicBool {
    &STOP
}

pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Run `op` on this process's pool (sized by `RAYON_NUM_THREADS`, else one thread per
/// core); on a pool thread already, run it there.
pub fn install<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        return op();
    }
    pool().install(op)
}

fn pool() -> Arc<ThreadPool> {
    let mut slot = POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    match slot.as_ref() {
        Some((owner, pool)) if *owner == pid => pool.clone(),
        _ => {
            // A pool built before a fork: its threads live in the parent, so it is left
            // alone (dropping it would signal threads this process does not have).
            if let Some(inherited) = slot.take() {
                std::mem::forget(inherited);
            }
            let pool = Arc::new(
                ThreadPoolBuilder::new()
                    .thread_name(|i| format!("acsa-{i}"))
                    .build()
                    .expect("the operating system refused to start the core's threads"),
            );
            *slot = Some((pid, pool.clone()));
            pool
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_runs_on_one_pool_per_process() {
        let outside = install(|| rayon::current_thread_index().is_some());
        assert!(outside);
        let a = Arc::as_ptr(&pool());
        assert_eq!(a, Arc::as_ptr(&pool()));
        // Inside, nested calls run where they are.
        assert_eq!(install(|| install(rayon::current_num_threads)), pool().current_num_threads());
    }
}
