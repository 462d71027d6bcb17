//! `innovatae` ("INNOVATAE 0.01", spec §5.13), Ippon Innova TAE: Q1, F, and the firmware from
//! a 38-byte `I\r` answer.
//!
//! Fixed here: NUT claims with the Q1 answer alone, so innovatae shadows q2, q6, gtec and q1.
//! During autodetection qxups also asks for the ratings, and tries the three-phase and gtec probes first, so every
//! dialect stays detectable; q1 remains the fallback for a device with nothing but Q1.

use super::{Accepts, Claim, Conv, Dialect, Flags, Item, blazer};
use crate::wire::{Check, Window};

static IDENT: [Item; 1] = [Item::query(
    "ups.firmware",
    blazer::I,
    Check::new(38, b'#'),
    Window::span(28, 35),
    Conv::Text,
)
.flags(Flags::ST)];
static MAKER: [Item; 1] = [Item::constant("device.mfr", "Ippon").flags(Flags::ST)];

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "innovatae",
    version: "INNOVATAE 0.01",
    items: &[
        &MAKER,
        &blazer::Q1_MEASUREMENTS,
        &blazer::Q1_BITS,
        &blazer::RATINGS,
        &IDENT,
        &blazer::COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: Some(b"NAK\r"),
    claim: Claim::items(&["input.voltage"]).detect_also(&["input.voltage.nominal"]),
    accepts: Accepts::LIGHT,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{self, Device, Q1_ANSWER, block_on};
    use crate::{Options, Ups};

    fn claim(table: &[(&'static [u8], &'static [u8])], explicit: bool) -> Ups {
        testkit::claim(&DIALECT, table, explicit)
    }

    const RATINGS: &[u8] = b"#230.0 004 024.0 50.0\r";

    #[test]
    fn accepts_q1_and_publishes_the_maker() {
        let ups = claim(&[(blazer::Q1, Q1_ANSWER)], true);
        assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
    }

    /// NUT's innovatae claimed every Q1 device, shadowing q2, q6, gtec and q1 (§6.4): when
    /// autodetecting it also needs the F ratings, which a device refusing them lacks.
    #[test]
    fn innovatae_no_longer_shadows_plain_q1_devices() {
        let mut ups = Ups::new(&DIALECT, Options::new());
        let mut device = Device::new(&[(blazer::Q1, Q1_ANSWER)], Some(b"NAK\r"));
        assert!(!block_on(ups.claim(&mut device, false)).unwrap());
        let ups = claim(&[(blazer::Q1, Q1_ANSWER), (blazer::F, RATINGS)], false);
        assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
    }
}
