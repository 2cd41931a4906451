//! Logistics, hub and spoke. Without an ACSA, crisis cross-servicing between ROK forces and
//! the JSDF routes through the US hub (USFK, USFJ); the gap is the share of that demand no
//! bilateral agreement covers. A conditional ACSA covers only demand outside Korean soil.

use crate::ladder::{ACSA_CONDITIONAL, ACSA_FULL};

/// Share of crisis demand routed through the hub, given the rungs in force.
pub fn gap(in_force: &[bool; 6], offshore_share: f64) -> f64 {
    if in_force[ACSA_FULL as usize] {
        0.0
    } else if in_force[ACSA_CONDITIONAL as usize] {
        1.0 - offshore_share
    } else {
        1.0
    }
}

/// How much of the gap signing `rung` would close.
pub fn gap_closed(in_force: &[bool; 6], rung: u8, offshore_share: f64) -> f64 {
    let mut after = *in_force;
    after[rung as usize] = true;
    gap(in_force, offshore_share) - gap(&after, offshore_share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_covers_offshore_share_only() {
        let none = [true, false, false, true, false, false];
        assert_eq!(gap(&none, 0.6), 1.0);
        assert!((gap_closed(&none, ACSA_CONDITIONAL, 0.6) - 0.6).abs() < 1e-12);
        assert_eq!(gap_closed(&none, ACSA_FULL, 0.6), 1.0);
        assert_eq!(gap_closed(&none, 2, 0.6), 0.0);
    }
}
