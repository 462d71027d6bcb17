//! `megatec` ("Megatec 0.10", spec §5.1): Q1 + F + the 38-byte "Megatec IC" identity answer.
//!
//! The IC layout cuts a plain 39-byte identity answer at other offsets (`NOT_A_L`,
//! `IVE_UPS `): that is what such a device really sends back through this dialect, so it is
//! kept, and the autodetection tries the layouts that fit better first.

use super::{Accepts, Claim, Conv, Dialect, Flags, Item, blazer};
use crate::wire::identity::{self, megatec_ic::*};

const C: crate::wire::Check = identity::CHECK_MEGATEC_IC;

static IDENTITY: [Item; 5] = [
    Item::query("device.mfr", blazer::I, C, MANUFACTURER, Conv::Text)
        .flags(Flags::ST.with(Flags::TR)),
    Item::query("ups.serial", blazer::I, C, SERIAL, Conv::Text),
    Item::query("device.model", blazer::I, C, MODEL, Conv::Text).flags(Flags::ST.with(Flags::TR)),
    // Free text: published as the device writes it (and so counted as reported, spec §2.10).
    Item::query("battery.runtime", blazer::I, C, RUNTIME, Conv::Text).flags(Flags::TR),
    Item::query("ups.firmware", blazer::I, C, FIRMWARE, Conv::Text)
        .flags(Flags::ST.with(Flags::TR)),
];

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "megatec",
    version: "Megatec 0.10",
    items: &[
        &blazer::Q1_MEASUREMENTS,
        &blazer::Q1_BITS,
        &blazer::RATINGS,
        &IDENTITY,
        &blazer::COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: None,
    claim: Claim::items(&["input.voltage", "ups.firmware"]),
    accepts: Accepts::FULL,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{self, IDENTITY, Q1_ANSWER};
    use crate::{Options, Ups};

    fn claim(table: &[(&'static [u8], &'static [u8])], explicit: bool) -> Ups {
        testkit::claim(&DIALECT, table, explicit)
    }

    #[test]
    fn accepts_q1_and_the_identity() {
        let ups = claim(&[(blazer::Q1, Q1_ANSWER), (blazer::I, IDENTITY)], true);
        assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
        assert!(ups.vars().get("ups.firmware").is_some());
    }

    #[test]
    fn rejects_a_device_without_identity() {
        // I echoed back: too short for the 38-byte layout.
        let ups = claim(&[(blazer::Q1, Q1_ANSWER)], true);
        assert!(ups.vars().is_empty());
    }

    /// NUT quirk §6.2: the 38-byte IC layout cuts a 39-byte answer at other offsets; kept.
    #[test]
    fn megatec_ic_layout_cuts_a_plain_identity() {
        let mut ups = Ups::new(&DIALECT, Options::new());
        let _ = ups.decode(blazer::I, IDENTITY);
        assert_eq!(ups.vars().get("device.mfr"), Some("NOT_A_L"));
    }
}
