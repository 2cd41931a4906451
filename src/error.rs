//! One error enum for the whole core; the bindings map each variant to a Python exception.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// Bad input: names the dotted parameter path and the rule it broke.
    #[error("{path}: {rule}")]
    Config { path: String, rule: String },
    /// An internal failure while simulating (should not happen; never a panic across the boundary).
    #[error("simulation failed: {0}")]
    Simulation(String),
    /// Stopped before the end because a stop was requested (see `threads::request_stop`).
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    pub fn config(path: impl Into<String>, rule: impl Into<String>) -> Self {
        Error::Config { path: path.into(), rule: rule.into() }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
