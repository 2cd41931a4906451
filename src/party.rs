//! The three camps of a polity: progressive, conservative and the rest (minor parties and
//! independents). In Japan's polity the conservative camp is the ruling coalition.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Progressive,
    Conservative,
    Independent,
}

impl Party {
    pub const ALL: [Party; 3] = [Party::Progressive, Party::Conservative, Party::Independent];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Party::Progressive => "progressive",
            Party::Conservative => "conservative",
            Party::Independent => "independent",
        }
    }
}
