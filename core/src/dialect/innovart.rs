//! `innovart31` ("INNOVART31 0.02", spec §5.11) and `innovart33` ("INNOVART33 0.01", §5.12),
//! INNOVA RT 3/1 and 3/3: the Q6 answer, `WA` output statistics, `BPS` bypass, F ratings,
//! the free-form `FW?\r` firmware, the `SASV07?\r` serial and the Q1 status bits; the blazer
//! command set without `beeper.toggle` (it does not work on these units).
//!
//! Fixed here:
//! * NUT's innovart33 claim looks up `output.current` and `input.bypass.voltage`, which only
//!   innovart31's table has, so it can never succeed, not even with `protocol=innovart33`
//!   (spec §5.12, §6.5). qxups claims with its own per-phase names.
//! * Both dialects send the same probe, and a 3/1 unit answers it as well as a 3/3 one. NUT
//!   tried innovart31 first, so innovart33 could never be autodetected. qxups tries innovart33
//!   first and, when autodetecting only, also requires a live output on L2 or L3 (a 3/1 unit
//!   reports `000.0` there); anything else falls through to innovart31.
//! * `FW?\r` has no length or lead check, so NUT took an echoed command as firmware `FW?`
//!   (spec §2.14); qxups refuses the echo.
//!
//! Both come before q6 in autodetection: their probe asks `Q6`, `Q1` and `WA` like q6's, and
//! needs `BPS`, `F`, `FW?` and `SASV07?` on top.

use super::{
    Accepts, Claim, Conv, ConvError, Ctx, Dialect, Flags, Item, State, blazer, conv, three_phase,
};
use crate::number::Decimal;
use crate::nut::vars::{Text, Vars};
use crate::options::Options;
use crate::wire::{Check, Window, bps, q6, wa};

/// `SASV07?\r`.
pub const SASV07: &[u8] = b"SASV07?\r";

/// The firmware line; an echo of the command is not an answer.
pub fn firmware(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    if blazer::FW.strip_suffix(b"\r") == Some(value) {
        return Err(ConvError::Malformed("FW? echoed back"));
    }
    conv::to_text(value).map(Some)
}

/// F ratings, firmware and serial.
static IDENTITY: [Item; 2] = [
    Item::query(
        "ups.firmware",
        blazer::FW,
        Check::NONE,
        Window::to_eol(0),
        Conv::Custom(firmware),
    )
    .flags(Flags::ST),
    // Position 6 (`D` in `GASV07DN05…`) is left out, as in NUT.
    Item::query(
        "ups.serial",
        SASV07,
        Check::min_len(28),
        Window::to_eol(7),
        Conv::Text,
    )
    .flags(Flags::ST.with(Flags::TR)),
];

/// innovart31's single output from the Q6 answer.
static OUTPUT_31: [Item; 3] = {
    use q6::field::*;
    let c = q6::CHECK;
    let [l1, _, _] = OUTPUT_VOLTAGE;
    let [load, _, _] = LOAD;
    [
        Item::query("output.voltage", three_phase::Q6, c, l1, Conv::Number(1)),
        three_phase::Q6_OUTPUT_FREQUENCY,
        Item::query("ups.load", three_phase::Q6, c, load, Conv::Number(0)),
    ]
};

/// innovart31's WA current and totals, and its single-phase bypass.
static WA_BPS_31: [Item; 5] = {
    let [current, _, _] = wa::field::CURRENT;
    let [voltage, _, _] = bps::field::VOLTAGE;
    let [real, apparent] = three_phase::WA_TOTALS;
    [
        Item::query(
            "output.current",
            three_phase::WA,
            wa::CHECK,
            current,
            Conv::Number(1),
        ),
        real,
        apparent,
        Item::query(
            "input.bypass.voltage",
            three_phase::BPS,
            bps::CHECK,
            voltage,
            Conv::Number(1),
        ),
        three_phase::BPS_FREQUENCY,
    ]
};

/// INNOVA RT 3/1.
pub static INNOVART31: Dialect = Dialect {
    name: "innovart31",
    version: "INNOVART31 0.02",
    items: &[
        &three_phase::Q6_INPUT,
        &OUTPUT_31,
        &three_phase::Q6_BATTERY,
        &WA_BPS_31,
        &blazer::RATINGS,
        &IDENTITY,
        &blazer::Q1_BITS,
        &blazer::COMMANDS_NO_BEEPER,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: Some(b"NAK\r"),
    claim: Claim::items(&[
        "input.L1-N.voltage",
        "ups.type",
        "output.current",
        "input.bypass.voltage",
        "input.voltage.nominal",
        "ups.firmware",
        "ups.serial",
    ]),
    accepts: Accepts::LIGHT,
    constants: &[
        ("input.phases", "3"),
        ("input.bypass.phases", "1"),
        ("output.phases", "1"),
    ],
};

/// During autodetection: a 3/3 unit has a live output on L2 or L3.
pub fn three_phase_output(vars: &Vars, _: &State, _: &Options, autodetect: bool) -> bool {
    let live = |name| {
        vars.get(name)
            .and_then(|v| Decimal::parse_prefix(v.as_bytes()).ok())
            .is_some_and(|d| d.mantissa() != 0)
    };
    !autodetect || live("output.L2-N.voltage") || live("output.L3-N.voltage")
}

/// INNOVA RT 3/3.
pub static INNOVART33: Dialect = Dialect {
    name: "innovart33",
    version: "INNOVART33 0.01",
    items: &[
        &three_phase::Q6_INPUT,
        &three_phase::Q6_OUTPUT,
        &three_phase::Q6_BATTERY,
        &three_phase::WA_ITEMS,
        &three_phase::BPS_ITEMS,
        &blazer::RATINGS,
        &IDENTITY,
        &blazer::Q1_BITS,
        &blazer::COMMANDS_NO_BEEPER,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: Some(b"NAK\r"),
    claim: Claim {
        verify: Some(three_phase_output),
        ..Claim::items(&[
            "input.L1-N.voltage",
            "ups.type",
            "output.L1.current",
            "input.bypass.L1-N.voltage",
            "input.voltage.nominal",
            "ups.firmware",
            "ups.serial",
        ])
        .detect_also(&["output.L2-N.voltage", "output.L3-N.voltage"])
    },
    accepts: Accepts::LIGHT,
    constants: &[
        ("input.phases", "3"),
        ("input.bypass.phases", "3"),
        ("output.phases", "3"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Device, block_on};
    use crate::{Options, Ups};

    const Q6_31: &[u8] = b"(227.0 225.6 230.0 50.0 229.9 000.0 000.0 49.9 007 000 000 327.8 000.0 23.0 06932 100 32 00000000 00000000 11\r";
    const Q6_33: &[u8] = b"(227.0 225.6 230.0 50.0 229.9 230.1 229.8 49.9 007 006 008 327.8 000.0 23.0 06932 100 32 00000000 00000000 11\r";

    fn table(q6: &'static [u8]) -> std::vec::Vec<(&'static [u8], &'static [u8])> {
        std::vec![
            (three_phase::Q6, q6),
            (blazer::Q1, &b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r"[..]),
            (
                three_phase::WA,
                &b"(001.4 000.0 000.0 001.4 000.0 000.0 001.4 001.4 006.5 000.0 000.0 007 00000000\r"[..],
            ),
            (three_phase::BPS, &b"(230.4 000.0 000.0 49.9\r"[..]),
            (blazer::F, &b"#230.0 087 288.0 50.0\r"[..]),
            (blazer::FW, &b"05516-1100\r"[..]),
            (SASV07, &b"GASV07DN05K10KB100004      \r"[..]),
        ]
    }

    fn claims(d: &'static Dialect, q6: &'static [u8], explicit: bool) -> bool {
        let mut ups = Ups::new(d, Options::new());
        let mut dev = Device::new(&table(q6), Some(b"NAK\r"));
        block_on(ups.claim(&mut dev, explicit)).unwrap()
    }

    #[test]
    fn accepts_the_innovart_answers() {
        let mut ups = Ups::new(&INNOVART31, Options::new());
        ups.decode(SASV07, b"GASV07DN05K10KB100004      \r")
            .unwrap();
        ups.decode(blazer::FW, b"05516-1100\r").unwrap();
        ups.decode(three_phase::Q6, Q6_31).unwrap();
        let v = ups.vars();
        assert_eq!(v.get("ups.serial"), Some("N05K10KB100004"));
        assert_eq!(v.get("ups.firmware"), Some("05516-1100"));
        assert_eq!(v.get("output.voltage"), Some("229.9"));
        assert_eq!(v.get("ups.load"), Some("7"));
        assert!(claims(&INNOVART31, Q6_31, false));
        assert!(claims(&INNOVART31, Q6_31, true));
    }

    #[test]
    fn rejects_nak_and_short_answers() {
        let mut ups = Ups::new(&INNOVART33, Options::new());
        assert!(ups.decode(three_phase::Q6, b"NAK\r").is_err());
        assert!(ups.decode(SASV07, b"GASV07DN05\r").is_err());
        assert!(ups.decode(three_phase::BPS, b"(230.4 000.0\r").is_err());
        assert!(ups.vars().is_empty());
        // A q6 device has no BPS: the innovart probe refuses it.
        let mut q6_device = Device::new(&table(Q6_33)[..3], None);
        let mut ups = Ups::new(&INNOVART31, Options::new());
        assert!(!block_on(ups.claim(&mut q6_device, false)).unwrap());
    }

    /// NUT quirk §6.5: the innovart33 claim asked for names its table lacks.
    #[test]
    fn innovart33_is_detectable() {
        assert!(claims(&INNOVART33, Q6_33, false));
        assert!(claims(&INNOVART33, Q6_31, true));
        // A 3/1 unit (no output on L2/L3) is left to innovart31 when autodetecting.
        assert!(!claims(&INNOVART33, Q6_31, false));
    }

    /// NUT quirk §2.14: an echoed `FW?\r` was taken as firmware `FW?`.
    #[test]
    fn innovart_rejects_echoed_firmware() {
        let mut ups = Ups::new(&INNOVART31, Options::new());
        assert!(ups.decode(blazer::FW, b"FW?\r").is_err());
        assert!(ups.vars().get("ups.firmware").is_none());
    }
}
