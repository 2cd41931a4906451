//! acsa: an agent-based model of when a Seoul-Tokyo Acquisition and Cross-Servicing
//! Agreement becomes politically viable.
//!
//! Data flows one way: `Scenario` -> `World` -> week by week -> `Recorder` -> `Run`.
//! The core knows nothing of Python; the bindings live in `python` behind a feature.

pub mod bandwidth;
pub mod calendar;
pub mod demography;
pub mod elections;
pub mod error;
pub mod events;
pub mod executive;
pub mod japan;
pub mod ladder;
pub mod legislature;
pub mod logistics;
pub mod math;
pub mod memory;
pub mod network;
pub mod opinion;
pub mod party;
pub mod perception;
pub mod polity;
pub mod record;
pub mod rng;
pub mod scenario;
pub mod sweep;
pub mod threads;
pub mod us;
pub mod voters;
pub mod world;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
pub use network::Graph;
pub use record::{Outcome, Run};
pub use scenario::Scenario;
pub use world::{simulate, World};

/// Part of every run's identity: results are comparable only within one model version.
/// The package version plus a hash of the core's source (see build.rs).
pub const MODEL_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("ACSA_SOURCE_HASH"));
