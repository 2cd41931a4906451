//! Logistics, hub and spoke. Four nodes: ROK forces, USFK, USFJ and the JSDF. The links
//! ROK-USFK and JSDF-USFJ (each side's ACSA with Washington) and USFK-USFJ are always open;
//! the direct ROK-JSDF link exists only under a bilateral ACSA, and a conditional ACSA
//! opens it only for demand outside Korean soil. Without it, crisis cross-servicing between
//! ROK forces and the JSDF goes ROK -> USFK -> USFJ -> JSDF, three links plus clearance.

use crate::ladder::{ACSA_CONDITIONAL, ACSA_FULL};
use crate::scenario::params;

params! {
    /// The `[logistics]` section.
    pub struct Params {
        /// Share of crisis cross-servicing demand outside Korean soil (covered by a conditional ACSA).
        offshore_share: f64 = 0.6, unit "share", range 0.0..=1.0;
        /// Transfer time over one link between two of the four logistics nodes.
        hop_days: f64 = 1.0, unit "days", range 0.0..=60.0;
        /// Extra clearance time when ROK-JSDF demand routes through the US hub.
        clearance_days: f64 = 3.0, unit "days", range 0.0..=60.0;
    }
}

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

/// Mean transfer time (days) of ROK-JSDF crisis demand: one link where an ACSA covers it,
/// three links and clearance through the hub where none does.
pub fn delay_days(in_force: &[bool; 6], l: &Params) -> f64 {
    let hub = gap(in_force, l.offshore_share);
    (1.0 - hub) * l.hop_days + hub * (3.0 * l.hop_days + l.clearance_days)
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

    #[test]
    fn an_acsa_cuts_the_transfer_time() {
        let l = Params { offshore_share: 0.6, hop_days: 1.0, clearance_days: 3.0 };
        let none = [true, false, false, true, false, false];
        let conditional = [true, false, false, true, true, false];
        let full = [true, false, false, true, true, true];
        assert_eq!(delay_days(&none, &l), 6.0);
        assert!((delay_days(&conditional, &l) - (0.6 + 0.4 * 6.0)).abs() < 1e-12);
        assert_eq!(delay_days(&full, &l), 1.0);
    }
}
