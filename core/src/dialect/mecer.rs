//! `mecer` ("Mecer 0.09", spec §5.7): Q1, F and the 39-byte `I` identity, plus the `QPI`
//! protocol id (`(PI98` → `ups.firmware.aux = Voltronic Power P98`). Command replies are
//! `(ACK\r` / `(NAK\r`: every command reads window 1..3 of a `(`-led reply of at least 5
//! bytes, so a silent device fails every command, and `(NAK\r` is the dialect's refusal.
//!
//! The claim needs the Q1 input voltage and then either a `PI98` answer to `QPI` or exactly
//! `(NAK\r` (an "ACK/NAK unit": the QPI item is then disabled). No other dialect's device
//! answers `QPI` with a `(`-led answer, so mecer sits before megatec in autodetection without
//! shadowing anything.

use super::{
    Accepts, Claim, Cmd, CmdCtx, Conv, ConvError, Ctx, Dialect, Flags, Item, blazer, conv,
};
use crate::nut::vars::Text;
use crate::wire::{Check, Window};

/// `QPI\r`.
pub const QPI: &[u8] = b"QPI\r";

/// What `ups.firmware.aux` says for a P98 unit.
pub const P98: &str = "Voltronic Power P98";

/// `QPI` value: only `PI98` (any case) is a mecer protocol id.
pub fn protocol_id(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    if value.eq_ignore_ascii_case(b"PI98") {
        conv::to_text(P98.as_bytes()).map(Some)
    } else {
        Err(ConvError::Malformed("protocol id is not PI98"))
    }
}

static PROTOCOL: [Item; 1] = [Item::query(
    "ups.firmware.aux",
    QPI,
    Check::new(6, b'('),
    Window::span(1, 4),
    Conv::Custom(protocol_id),
)
.flags(Flags::ST)];

/// mecer test duration: all digits (empty = 600 s); 12 s minimum on P98 units, otherwise 60;
/// at most 5940. Below a minute `.` and tenths of a minute, otherwise two-digit minutes.
pub fn test_duration(ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    let arg = if arg.is_empty() { "600" } else { arg };
    if !arg.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ConvError::Malformed(
            "test duration is not a number of seconds",
        ));
    }
    let seconds: i64 = arg.parse().map_err(|_| ConvError::OutOfRange)?;
    let min = if ctx.vars.get("ups.firmware.aux") == Some(P98) {
        12
    } else {
        60
    };
    if !(min..=5940).contains(&seconds) {
        return Err(ConvError::OutOfRange);
    }
    let r = if seconds < 60 {
        core::fmt::Write::write_fmt(&mut blazer::Fmt(out), format_args!(".{}", seconds / 6))
    } else {
        core::fmt::Write::write_fmt(&mut blazer::Fmt(out), format_args!("{:02}", seconds / 60))
    };
    r.map_err(|_| ConvError::OutOfRange)
}

/// A command whose reply is `(ACK\r` / `(NAK\r`.
const fn acked(item: Item) -> Item {
    item.reply(Check::new(5, b'('), Window::span(1, 3))
}

static COMMANDS: [Item; 10] = [
    acked(blazer::BEEPER_TOGGLE),
    acked(blazer::LOAD_OFF),
    acked(blazer::LOAD_ON),
    acked(blazer::SHUTDOWN_RETURN),
    acked(blazer::SHUTDOWN_STAYOFF),
    acked(blazer::SHUTDOWN_STOP),
    acked(Item::command_with("test.battery.start", b"T%s\r", test_duration).default("600")),
    acked(blazer::TEST_DEEP),
    acked(blazer::TEST_QUICK),
    acked(blazer::TEST_STOP),
];

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "mecer",
    version: "Mecer 0.09",
    items: &[
        &PROTOCOL,
        &blazer::Q1_MEASUREMENTS,
        &blazer::Q1_BITS,
        &blazer::RATINGS,
        &blazer::IDENTITY_I,
        &COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: Some(b"(NAK\r"),
    claim: Claim {
        refusal_ok: Some("ups.firmware.aux"),
        ..Claim::items(&["input.voltage", "ups.firmware.aux"])
    },
    accepts: Accepts::FULL,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nut::vars::Vars;
    use crate::testkit::{Device, block_on};
    use crate::{Options, Ups};

    const Q1: &[u8] = b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r";

    fn claim(qpi: &'static [u8], other: &'static [u8]) -> Option<Ups> {
        let table: &'static [(&[u8], &[u8])] =
            std::boxed::Box::leak(std::boxed::Box::new([(b"Q1\r" as &[u8], Q1), (QPI, qpi)]));
        let mut dev = Device::new(table, Some(other));
        let mut ups = Ups::new(&DIALECT, Options::new());
        block_on(ups.claim(&mut dev, false)).unwrap().then_some(ups)
    }

    #[test]
    fn claims_pi98_and_ack_nak_units() {
        let ups = claim(b"(PI98\r", b"(NAK\r").unwrap();
        assert_eq!(ups.vars().get("ups.firmware.aux"), Some(P98));
        let ups = claim(b"(nak\r", b"(NAK\r").unwrap();
        assert_eq!(ups.vars().get("ups.firmware.aux"), None);
        assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
    }

    #[test]
    fn rejects_other_protocol_ids() {
        assert!(claim(b"(PI30\r", b"(NAK\r").is_none());
        assert!(claim(b"QPI\r", b"QPI\r").is_none());
        assert!(claim(b"", b"").is_none());
        assert!(claim(b"NAK\r", b"NAK\r").is_none());
    }

    fn encode(p98: bool, arg: &str) -> Result<Cmd, ConvError> {
        let mut vars = Vars::new();
        if p98 {
            vars.set("ups.firmware.aux", P98).unwrap();
        }
        let state = super::super::State::default();
        let ctx = CmdCtx {
            vars: &vars,
            state: &state,
        };
        let mut out = Cmd::new();
        test_duration(&ctx, arg, &mut out).map(|_| out)
    }

    #[test]
    fn test_duration_encoding() {
        assert_eq!(encode(false, "240").unwrap(), b"04");
        assert_eq!(encode(false, "").unwrap(), b"10");
        assert_eq!(encode(true, "30").unwrap(), b".5");
        assert_eq!(encode(true, "12").unwrap(), b".2");
        assert_eq!(encode(false, "30"), Err(ConvError::OutOfRange));
        assert_eq!(encode(true, "11"), Err(ConvError::OutOfRange));
        assert_eq!(encode(true, "5941"), Err(ConvError::OutOfRange));
        assert!(encode(true, "-60").is_err());
        assert!(encode(true, "60.5").is_err());
    }
}
