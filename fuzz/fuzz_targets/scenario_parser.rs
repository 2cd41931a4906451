//! Any bytes as a TOML or JSON scenario: a scenario or an error naming a path, never a
//! panic, an abort or a hang.
#![no_main]

use acsa::{Error, Scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for parsed in [Scenario::from_toml_str(text, "fuzz"), Scenario::from_json_str(text)] {
        match parsed {
            Ok(sc) => assert_eq!(Scenario::from_json_str(&sc.to_json()).as_ref(), Ok(&sc)),
            Err(Error::Config { path, rule }) => assert!(!path.is_empty() && !rule.is_empty()),
            Err(e) => panic!("not a config error: {e}"),
        }
    }
});
