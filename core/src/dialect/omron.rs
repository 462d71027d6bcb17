//! `omron` ("Omron 0.01", spec §5.18), OMRON BN150T: a Q1 variant with its own one-value
//! queries (`Bl ?`, `RTS`, `TPb`, `Lf ?`), serial, firmware, battery date and `UN` ratings, and
//! shutdown commands that every reply must acknowledge with `OK`.
//!
//! b5 (bypass) and b0 (beeper) are not mapped: the tested unit reports b5 = 1 on mains, and its
//! beeper bit has the opposite polarity.
//!
//! Kept from NUT on purpose (quirk §6.18): a silent device **fails** the shutdown commands,
//! unlike the blazer dialects where silence counts as success. An OMRON acknowledges every
//! command with `OK`; silence means the command was lost, and the shutdown sequence (§2.15)
//! then retries instead of assuming the UPS will cut power.
//!
//! Autodetection: claimed only when the USB vendor ID is `0590` (a serial OMRON needs
//! `protocol=omron`), so omron stays first in the order and shadows nothing.

use super::{Accepts, Claim, Conv, ConvError, Ctx, Dialect, Flags, Item, Prologue, blazer, conv};
use crate::number::Decimal;
use crate::nut::vars::{Text, text};
use crate::wire::omron::{
    BRR_CHECK, FWV_CHECK, OmronError, PSNR_CHECK, digit, is_ok, parse_date, parse_firmware, signed,
    strict_decimal, un, unsigned,
};
use crate::wire::{Check, Window};

/// OMRON's USB vendor ID.
pub const VENDOR_ID: u16 = 0x0590;

impl From<OmronError> for ConvError {
    fn from(e: OmronError) -> Self {
        match e {
            OmronError::Number(n) => Self::Number(n),
            OmronError::Frame(_) => Self::Malformed("frame"),
            OmronError::Malformed(what) => Self::Malformed(what),
        }
    }
}

/// `Bl ?`: charge, digits only, 0..=100, `%.1f`.
pub fn battery_charge(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let charge = strict_decimal(value, digit)?.ratio();
    if charge.is_negative() || charge.cmp_to(crate::number::Ratio::int(100)).is_gt() {
        return Err(ConvError::OutOfRange);
    }
    conv::fixed(charge, 1).map(Some)
}

/// `RTS`: whole minutes, published in seconds.
pub fn battery_runtime(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let minutes = strict_decimal(value, digit)?.trunc();
    let seconds = minutes.checked_mul(60).ok_or(ConvError::OutOfRange)?;
    Ok(Some(text(format_args!("{seconds}"))?))
}

/// `TPb`: signed temperature, `%.1f` (so a `+` sign is dropped).
pub fn battery_temperature(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    conv::fixed(strict_decimal(value, signed)?.ratio(), 1).map(Some)
}

/// `Lf ?`: frequency, `%.1f`.
pub fn output_frequency(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    conv::fixed(strict_decimal(value, unsigned)?.ratio(), 1).map(Some)
}

/// `FWV`: `ups.firmware` (returned) and `ups.firmware.aux` (published here), both `%.2f`, only
/// when both versions parse.
pub fn firmware(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let fw = parse_firmware(value)?;
    let main = conv::fixed(fw.main.ratio(), 2)?;
    let aux = conv::fixed(fw.aux.ratio(), 2)?;
    ctx.vars.set("ups.firmware.aux", &aux)?;
    Ok(Some(main))
}

/// `BRR`: `YYYYMMDD` published as `YYYY-MM-DD`.
pub fn battery_date(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let d = parse_date(value)?;
    Ok(Some(text(format_args!(
        "{:04}-{:02}-{:02}",
        d.year, d.month, d.day
    ))?))
}

/// A `UN` field: the whole answer must match the template, then the field is an integer.
pub fn un_field(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    un::UnFrame::new_checked(ctx.raw)?;
    let n = Decimal::parse_unsigned_field(value)?.trunc();
    Ok(Some(text(format_args!("{n}"))?))
}

/// Answer rewrite of `PSNR`: a reply starting with `NAK` is a refusal.
pub fn refuse_nak(buf: &mut [u8], n: usize) -> Result<usize, ConvError> {
    if buf.get(..n).is_some_and(|a| a.starts_with(b"NAK")) {
        Err(ConvError::Malformed("serial query refused"))
    } else {
        Ok(n)
    }
}

/// Answer rewrite of the commands and prologues: the reply must start with `OK`, and becomes
/// `OK\r`; anything else, silence included, fails.
pub fn ok_check(buf: &mut [u8], n: usize) -> Result<usize, ConvError> {
    if !buf.get(..n).is_some_and(is_ok) {
        return Err(ConvError::Malformed("reply is not OK"));
    }
    let head = buf
        .get_mut(..3)
        .ok_or(ConvError::Malformed("reply buffer"))?;
    head.copy_from_slice(b"OK\r");
    Ok(3)
}

const Q1: &[u8] = blazer::Q1;

static BITS: [Item; 6] = [
    blazer::bit_utility_fail(Q1),
    blazer::bit_battery_low(Q1),
    blazer::bit_ups_failed(Q1),
    blazer::bit_ups_type(Q1),
    blazer::bit_test(Q1),
    blazer::bit_shutdown_active(Q1),
];

const fn one_value(name: &'static str, cmd: &'static [u8], min: u16, f: super::ConvFn) -> Item {
    Item::query(
        name,
        cmd,
        Check::min_len(min),
        Window::to_eol(0),
        Conv::Custom(f),
    )
}

const fn un_item(name: &'static str, window: Window) -> Item {
    Item::query(name, b"UN\r", un::CHECK, window, Conv::Custom(un_field)).flags(Flags::ST)
}

static EXTRA: [Item; 10] = [
    one_value("battery.charge", b"Bl ?\r", 4, battery_charge),
    one_value("battery.runtime", b"RTS\r", 4, battery_runtime),
    one_value("battery.temperature", b"TPb\r", 5, battery_temperature),
    one_value("output.frequency", b"Lf ?\r", 4, output_frequency),
    Item::query(
        "ups.serial",
        b"PSNR\r",
        PSNR_CHECK,
        Window::to_eol(0),
        Conv::Text,
    )
    .flags(Flags::ST.with(Flags::TR))
    .answer_fix(refuse_nak),
    Item::query(
        "ups.firmware",
        b"FWV\r",
        FWV_CHECK,
        Window::to_eol(0),
        Conv::Custom(firmware),
    )
    .flags(Flags::ST),
    Item::query(
        "battery.date",
        b"BRR\r",
        BRR_CHECK,
        Window::to_eol(0),
        Conv::Custom(battery_date),
    )
    .flags(Flags::ST),
    un_item("ups.realpower.nominal", un::field::REALPOWER),
    un_item("ups.power.nominal", un::field::POWER),
    un_item("battery.voltage.nominal", un::field::BATTERY_VOLTAGE),
];

static COMMANDS: [Item; 3] = [
    Item::command_with("shutdown.return", b"S%s\r", blazer::shutdown_stayoff)
        .answer_fix(ok_check)
        .prologue(Prologue {
            cmd: b"An\r",
            publish: ("ups.start.auto", "yes"),
        }),
    Item::command_with("shutdown.stayoff", b"Sf%s\r", blazer::shutdown_stayoff)
        .answer_fix(ok_check)
        .prologue(Prologue {
            cmd: b"Af\r",
            publish: ("ups.start.auto", "no"),
        }),
    Item::command("shutdown.stop", b"C\r").answer_fix(ok_check),
];

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "omron",
    version: "Omron 0.01",
    items: &[
        &blazer::Q1_MEASUREMENTS,
        &BITS,
        &EXTRA,
        &COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("OK"),
    rejected: Some(b"NAK\r"),
    claim: Claim {
        vendor: Some(VENDOR_ID),
        ..Claim::items(&["input.voltage"])
    },
    accepts: Accepts::LIGHT,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Device, block_on};
    use crate::ups::CmdError;
    use crate::{Options, Ups};

    /// Answers from a table; anything else gets `NAK\r`, or nothing when `silent`.
    fn script(table: &[(&'static [u8], &'static [u8])], silent: bool) -> Device {
        Device::new(table, Some(if silent { b"" } else { b"NAK\r" }))
    }

    fn decoded(cmd: &[u8], answer: &[u8], name: &str) -> Option<std::string::String> {
        let mut ups = Ups::new(&DIALECT, Options::new());
        let _ = ups.decode(cmd, answer);
        ups.vars().get(name).map(std::string::String::from)
    }

    fn ready() -> Ups {
        let mut ups = Ups::new(&DIALECT, Options::new());
        ups.publish("ups.delay.shutdown", "30").unwrap();
        ups.publish("ups.delay.start", "180").unwrap();
        ups
    }

    #[test]
    fn accepts_its_one_value_answers() {
        assert_eq!(
            decoded(b"Bl ?\r", b"100\r", "battery.charge").as_deref(),
            Some("100.0")
        );
        assert_eq!(
            decoded(b"RTS\r", b"0699\r", "battery.runtime").as_deref(),
            Some("41940")
        );
        assert_eq!(
            decoded(b"TPb\r", b"+22.5\r", "battery.temperature").as_deref(),
            Some("22.5")
        );
        assert_eq!(
            decoded(b"TPb\r", b"-05.0\r", "battery.temperature").as_deref(),
            Some("-5.0")
        );
        assert_eq!(
            decoded(b"Lf ?\r", b"49.9\r", "output.frequency").as_deref(),
            Some("49.9")
        );
        assert_eq!(
            decoded(b"BRR\r", b"20240229\r", "battery.date").as_deref(),
            Some("2024-02-29")
        );
        let mut ups = Ups::new(&DIALECT, Options::new());
        ups.decode(b"FWV\r", b"M:0.17(S:2.00)\r").unwrap();
        assert_eq!(ups.vars().get("ups.firmware"), Some("0.17"));
        assert_eq!(ups.vars().get("ups.firmware.aux"), Some("2.00"));
        ups.decode(b"UN\r", b"1125W/1125VA/048V/160W/020W\r")
            .unwrap();
        assert_eq!(ups.vars().get("battery.voltage.nominal"), Some("48"));
    }

    #[test]
    fn rejects_malformed_answers() {
        assert_eq!(decoded(b"Bl ?\r", b"101\r", "battery.charge"), None);
        assert_eq!(decoded(b"Bl ?\r", b"9.5\r", "battery.charge"), None);
        assert_eq!(decoded(b"RTS\r", b"-699\r", "battery.runtime"), None);
        assert_eq!(decoded(b"TPb\r", b"2+2.5\r", "battery.temperature"), None);
        assert_eq!(decoded(b"Lf ?\r", b"-49.9\r", "output.frequency"), None);
        assert_eq!(decoded(b"BRR\r", b"20250229\r", "battery.date"), None);
        assert_eq!(
            decoded(b"PSNR\r", b"NAK-NOT-A-SERIAL\r", "ups.serial"),
            None
        );
        assert_eq!(
            decoded(b"FWV\r", b"M:0.17(S:2.00)x\r", "ups.firmware"),
            None
        );
        assert_eq!(
            decoded(
                b"UN\r",
                b"1125W/1125VA/048V/160W/020\r\r",
                "ups.power.nominal"
            ),
            None
        );
        // Neither bypass (b5) nor beeper (b0) is read.
        let mut ups = Ups::new(&DIALECT, Options::new());
        ups.decode(Q1, b"(102.5 000.0 102.4 000 49.9 54.5 22.7 00100001\r")
            .unwrap();
        assert_eq!(ups.vars().get("ups.beeper.status"), None);
        assert_eq!(ups.vars().get("ups.status"), Some("OL"));
    }

    #[test]
    fn shutdown_sends_the_auto_restart_prologue_first() {
        let mut ups = ready();
        let mut dev = script(&[(b"An\r", b"OK\r"), (b"S.5\r", b"OKn\r")], false);
        block_on(ups.instcmd(&mut dev, "shutdown.return", None)).unwrap();
        assert_eq!(dev.sent, [b"An\r".to_vec(), b"S.5\r".to_vec()]);
        assert_eq!(ups.vars().get("ups.start.auto"), Some("yes"));
    }

    #[test]
    fn a_refused_prologue_stops_the_shutdown() {
        let mut ups = ready();
        let mut dev = script(&[(b"Sf.5\r", b"OK\r")], false);
        let r = block_on(ups.instcmd(&mut dev, "shutdown.stayoff", None));
        assert!(matches!(r, Err(CmdError::Failed(_))));
        assert_eq!(dev.sent, [b"Af\r".to_vec()]);
        assert_eq!(ups.vars().get("ups.start.auto"), None);
    }

    /// Quirk §6.18, kept: a device that answers nothing fails every shutdown command.
    #[test]
    fn omron_silent_device_fails_shutdown_commands() {
        for cmd in ["shutdown.return", "shutdown.stayoff", "shutdown.stop"] {
            let mut ups = ready();
            let mut dev = script(&[], true);
            let r = block_on(ups.instcmd(&mut dev, cmd, None));
            assert!(matches!(r, Err(CmdError::Failed(_))), "{cmd}: {r:?}");
            assert_eq!(dev.sent.len(), 1, "{cmd}: stops at the first silence");
        }
    }

    #[test]
    fn claimed_only_with_its_vendor_id_unless_named() {
        let q1: &[u8] = b"(102.5 000.0 102.4 000 49.9 54.5 22.7 00101000\r";
        let dev = || script(&[(Q1, q1)], false);
        let mut ups = Ups::new(&DIALECT, Options::new());
        assert!(!block_on(ups.claim(&mut dev(), false)).unwrap());
        assert!(block_on(ups.claim(&mut dev(), true)).unwrap());
        let mut options = Options::new();
        options.usb_vendor = Some(VENDOR_ID);
        let mut ups = Ups::new(&DIALECT, options);
        assert!(block_on(ups.claim(&mut dev(), false)).unwrap());
    }
}
