//! The "blazer" building blocks most dialects share (spec §3): the Q1 status block, the F
//! ratings, the standard identity answer, the command set with the shutdown and test encodings,
//! and the two delay variables.

use core::fmt::Write;

use super::{Cmd, CmdCtx, Conv, ConvError, Flags, Item, Setter};
use crate::nut::vars::Rw;
use crate::wire::{Check, Window, identity, q1, ratings};

/// `Q1\r`.
pub const Q1: &[u8] = b"Q1\r";
/// `F\r`.
pub const F: &[u8] = b"F\r";
/// `I\r`.
pub const I: &[u8] = b"I\r";
/// `FW?\r`.
pub const FW: &[u8] = b"FW?\r";

const NUM1: Conv = Conv::Number(1);

/// The seven Q1 measurements (spec §3.1), each with `flags`.
pub const fn q1_measurements(cmd: &'static [u8], flags: Flags) -> [Item; 7] {
    use q1::field::*;
    let c = q1::CHECK;
    [
        Item::query("input.voltage", cmd, c, INPUT_VOLTAGE, NUM1).flags(flags),
        Item::query("input.voltage.fault", cmd, c, INPUT_FAULT_VOLTAGE, NUM1).flags(flags),
        Item::query("output.voltage", cmd, c, OUTPUT_VOLTAGE, NUM1).flags(flags),
        Item::query("ups.load", cmd, c, LOAD, Conv::Number(0)).flags(flags),
        Item::query("input.frequency", cmd, c, INPUT_FREQUENCY, NUM1).flags(flags),
        Item::query(
            "battery.voltage",
            cmd,
            c,
            BATTERY_VOLTAGE,
            Conv::BatteryVoltage,
        )
        .flags(flags),
        Item::query("ups.temperature", cmd, c, TEMPERATURE, NUM1).flags(flags),
    ]
}

/// b7: utility fail → `!OL`, else `OL`.
pub const fn bit_utility_fail(cmd: &'static [u8]) -> Item {
    Item::query(
        "ups.status",
        cmd,
        q1::CHECK,
        q1::field::UTILITY_FAIL,
        Conv::Bit {
            one: "!OL",
            zero: "OL",
        },
    )
    .flags(Flags::QP)
}
/// b6: battery low → `LB`.
pub const fn bit_battery_low(cmd: &'static [u8]) -> Item {
    Item::query(
        "ups.status",
        cmd,
        q1::CHECK,
        q1::field::BATTERY_LOW,
        Conv::Bit {
            one: "LB",
            zero: "!LB",
        },
    )
    .flags(Flags::QP)
}
/// b5: bypass/boost/buck → TRIM, BYPASS or BOOST by voltage ratio; `0` changes nothing.
pub const fn bit_bypass(cmd: &'static [u8]) -> Item {
    Item::query(
        "ups.status",
        cmd,
        q1::CHECK,
        q1::field::BYPASS_BOOST_BUCK,
        Conv::Bypass,
    )
    .flags(Flags::QP)
}
/// b4: UPS failed → alarm.
pub const fn bit_ups_failed(cmd: &'static [u8]) -> Item {
    Item::query(
        "ups.alarm",
        cmd,
        q1::CHECK,
        q1::field::UPS_FAILED,
        Conv::Bit {
            one: "UPS selftest failed!",
            zero: "",
        },
    )
}
/// b3: UPS type.
pub const fn bit_ups_type(cmd: &'static [u8]) -> Item {
    Item::query(
        "ups.type",
        cmd,
        q1::CHECK,
        q1::field::UPS_TYPE,
        Conv::Bit {
            one: "offline / line interactive",
            zero: "online",
        },
    )
    .flags(Flags::ST)
}
/// b2: test in progress → `CAL`.
pub const fn bit_test(cmd: &'static [u8]) -> Item {
    Item::query(
        "ups.status",
        cmd,
        q1::CHECK,
        q1::field::TEST_IN_PROGRESS,
        Conv::Bit {
            one: "CAL",
            zero: "!CAL",
        },
    )
    .flags(Flags::QP)
}
/// b1: shutdown active → `FSD` (the item `ignoresab` disables).
pub const fn bit_shutdown_active(cmd: &'static [u8]) -> Item {
    Item::query(
        "ups.status",
        cmd,
        q1::CHECK,
        q1::field::SHUTDOWN_ACTIVE,
        Conv::Bit {
            one: "FSD",
            zero: "!FSD",
        },
    )
    .flags(Flags::QP)
}
/// b0: beeper.
pub const fn bit_beeper(cmd: &'static [u8]) -> Item {
    Item::query(
        "ups.beeper.status",
        cmd,
        q1::CHECK,
        q1::field::BEEPER_ON,
        Conv::Bit {
            one: "enabled",
            zero: "disabled",
        },
    )
}

/// The eight status-bit items b7..b0 (spec §3.2).
pub const fn q1_bits(cmd: &'static [u8]) -> [Item; 8] {
    [
        bit_utility_fail(cmd),
        bit_battery_low(cmd),
        bit_bypass(cmd),
        bit_ups_failed(cmd),
        bit_ups_type(cmd),
        bit_test(cmd),
        bit_shutdown_active(cmd),
        bit_beeper(cmd),
    ]
}

/// Measurements and status bits of the `Q1\r` answer.
pub static Q1_MEASUREMENTS: [Item; 7] = q1_measurements(Q1, Flags::NONE);
/// Status bits of the `Q1\r` answer.
pub static Q1_BITS: [Item; 8] = q1_bits(Q1);

/// The F ratings (spec §3.7), static.
pub static RATINGS: [Item; 4] = {
    use ratings::field::*;
    let c = ratings::CHECK;
    let st = Flags::ST;
    [
        Item::query("input.voltage.nominal", F, c, VOLTAGE, Conv::Number(0)).flags(st),
        Item::query("input.current.nominal", F, c, CURRENT, NUM1).flags(st),
        Item::query("battery.voltage.nominal", F, c, BATTERY_VOLTAGE, NUM1).flags(st),
        Item::query("input.frequency.nominal", F, c, FREQUENCY, Conv::Number(0)).flags(st),
    ]
};

/// The standard 39-byte identity answer to `cmd` (`I\r` or `FW?\r`), static and trimmed.
pub const fn identity(cmd: &'static [u8]) -> [Item; 3] {
    use identity::field::*;
    let c = identity::CHECK;
    let f = Flags::ST.with(Flags::TR);
    [
        Item::query("device.mfr", cmd, c, MANUFACTURER, Conv::Text).flags(f),
        Item::query("device.model", cmd, c, MODEL, Conv::Text).flags(f),
        Item::query("ups.firmware", cmd, c, FIRMWARE, Conv::Text).flags(f),
    ]
}

/// Identity from `I\r`.
pub static IDENTITY_I: [Item; 3] = identity(I);
/// Identity from `FW?\r`.
pub static IDENTITY_FW: [Item; 3] = identity(FW);

/// The shutdown delay text `D(offdelay)` (spec §3.4): `.n` tenths of a minute below 60 s,
/// otherwise whole minutes with at least two digits.
pub fn delay_text(offdelay: i64, out: &mut Cmd) -> Result<(), ConvError> {
    if offdelay < 0 {
        return Err(ConvError::OutOfRange);
    }
    let r = if offdelay < 60 {
        write!(Fmt(out), ".{}", offdelay / 6)
    } else {
        write!(Fmt(out), "{:02}", offdelay / 60)
    };
    r.map_err(|_| ConvError::OutOfRange)
}

/// Writes text into a [`Cmd`].
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Fmt<'a>(pub &'a mut Cmd);

impl Write for Fmt<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes())
            .map_err(|_| core::fmt::Error)
    }
}

fn offdelay(ctx: &CmdCtx<'_>) -> Result<i64, ConvError> {
    ctx.int("ups.delay.shutdown")
        .ok_or(ConvError::Missing("ups.delay.shutdown"))
}

/// `shutdown.return`: `S<D>` or, with an on-delay of a minute or more, `S<D>R<mmmm>`.
pub fn shutdown_return(ctx: &CmdCtx<'_>, _arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    let ondelay_min = ctx
        .int("ups.delay.start")
        .ok_or(ConvError::Missing("ups.delay.start"))?
        / 60;
    delay_text(offdelay(ctx)?, out)?;
    if ondelay_min > 0 {
        write!(Fmt(out), "R{ondelay_min:04}").map_err(|_| ConvError::OutOfRange)?;
    }
    Ok(())
}

/// `shutdown.stayoff`: the delay text; the template adds `R0000` where the dialect has it.
pub fn shutdown_stayoff(ctx: &CmdCtx<'_>, _arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    delay_text(offdelay(ctx)?, out)
}

/// The test duration in seconds, `60..=5940`, as at least two-digit minutes.
pub fn test_minutes(_ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    let seconds = crate::number::Decimal::parse_prefix(arg.as_bytes())?.trunc();
    if !(60..=5940).contains(&seconds) {
        return Err(ConvError::OutOfRange);
    }
    write!(Fmt(out), "{:02}", seconds / 60).map_err(|_| ConvError::OutOfRange)
}

/// `beeper.toggle`.
pub const BEEPER_TOGGLE: Item = Item::command("beeper.toggle", b"Q\r");
/// `load.off`.
pub const LOAD_OFF: Item = Item::command("load.off", b"S00R0000\r");
/// `load.on`.
pub const LOAD_ON: Item = Item::command("load.on", b"C\r");
/// `shutdown.return`.
pub const SHUTDOWN_RETURN: Item = Item::command_with("shutdown.return", b"S%s\r", shutdown_return);
/// `shutdown.stayoff`.
pub const SHUTDOWN_STAYOFF: Item =
    Item::command_with("shutdown.stayoff", b"S%sR0000\r", shutdown_stayoff);
/// `shutdown.stop`.
pub const SHUTDOWN_STOP: Item = Item::command("shutdown.stop", b"C\r");
/// `test.battery.start` (argument: seconds, default 600).
pub const TEST_BATTERY_START: Item =
    Item::command_with("test.battery.start", b"T%s\r", test_minutes).default("600");
/// `test.battery.start.deep`.
pub const TEST_DEEP: Item = Item::command("test.battery.start.deep", b"TL\r");
/// `test.battery.start.quick`.
pub const TEST_QUICK: Item = Item::command("test.battery.start.quick", b"T\r");
/// `test.battery.stop`.
pub const TEST_STOP: Item = Item::command("test.battery.stop", b"CT\r");

/// The blazer command set (spec §3.6).
pub static COMMANDS: [Item; 10] = [
    BEEPER_TOGGLE,
    LOAD_OFF,
    LOAD_ON,
    SHUTDOWN_RETURN,
    SHUTDOWN_STAYOFF,
    SHUTDOWN_STOP,
    TEST_BATTERY_START,
    TEST_DEEP,
    TEST_QUICK,
    TEST_STOP,
];

/// The blazer command set without `beeper.toggle`.
pub static COMMANDS_NO_BEEPER: [Item; 9] = [
    LOAD_OFF,
    LOAD_ON,
    SHUTDOWN_RETURN,
    SHUTDOWN_STAYOFF,
    SHUTDOWN_STOP,
    TEST_BATTERY_START,
    TEST_DEEP,
    TEST_QUICK,
    TEST_STOP,
];

/// On-delay normalisation: whole minutes, rounded down.
pub fn normalise_ondelay(_ctx: &CmdCtx<'_>, seconds: i64) -> Result<i64, ConvError> {
    if seconds < 0 {
        Err(ConvError::OutOfRange)
    } else {
        Ok(seconds / 60 * 60)
    }
}

/// Off-delay normalisation: multiples of 6 s below a minute, whole minutes above.
pub fn normalise_offdelay(_ctx: &CmdCtx<'_>, seconds: i64) -> Result<i64, ConvError> {
    match seconds {
        s if s < 0 => Err(ConvError::OutOfRange),
        s if s < 60 => Ok(s / 6 * 6),
        s => Ok(s / 60 * 60),
    }
}

/// `ups.delay.start` range.
pub const ONDELAY_RANGE: &[(i64, i64)] = &[(0, 599_940)];
/// `ups.delay.shutdown` range.
pub const OFFDELAY_RANGE: &[(i64, i64)] = &[(12, 600)];

/// The two delay variables with the given defaults and ranges (spec §3.5).
pub const fn delays(
    ondelay: &'static str,
    ondelay_range: &'static [(i64, i64)],
    offdelay: &'static str,
    offdelay_range: &'static [(i64, i64)],
) -> [Item; 2] {
    [
        Item::setting(
            "ups.delay.start",
            b"",
            Setter::Store(Some(normalise_ondelay)),
        )
        .flags(Flags::AB)
        .rw(Rw::Range(ondelay_range))
        .default(ondelay),
        Item::setting(
            "ups.delay.shutdown",
            b"",
            Setter::Store(Some(normalise_offdelay)),
        )
        .flags(Flags::AB)
        .rw(Rw::Range(offdelay_range))
        .default(offdelay),
    ]
}

/// The delay variables with the blazer defaults (180 s / 30 s).
pub static DELAYS: [Item; 2] = delays("180", ONDELAY_RANGE, "30", OFFDELAY_RANGE);

/// Status query reply window for commands: the whole line.
pub const REPLY_LINE: (Check, Window) = (Check::NONE, Window::to_eol(0));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nut::vars::Vars;

    fn encode(
        f: super::super::EncodeFn,
        start: &str,
        shutdown: &str,
        arg: &str,
    ) -> Result<Cmd, ConvError> {
        let mut vars = Vars::new();
        vars.set("ups.delay.start", start).unwrap();
        vars.set("ups.delay.shutdown", shutdown).unwrap();
        let state = super::super::State::default();
        let ctx = CmdCtx {
            vars: &vars,
            state: &state,
        };
        let mut out = Cmd::new();
        f(&ctx, arg, &mut out).map(|_| out)
    }

    #[test]
    fn shutdown_encoding() {
        assert_eq!(encode(shutdown_return, "0", "180", "").unwrap(), b"03");
        assert_eq!(
            encode(shutdown_return, "300", "120", "").unwrap(),
            b"02R0005"
        );
        assert_eq!(
            encode(shutdown_return, "180", "30", "").unwrap(),
            b".5R0003"
        );
        assert_eq!(encode(shutdown_stayoff, "180", "600", "").unwrap(), b"10");
        assert_eq!(
            encode(shutdown_stayoff, "180", "-1", ""),
            Err(ConvError::OutOfRange)
        );
    }

    #[test]
    fn test_encoding() {
        assert_eq!(encode(test_minutes, "0", "0", "240").unwrap(), b"04");
        assert_eq!(encode(test_minutes, "0", "0", "5940").unwrap(), b"99");
        assert_eq!(encode(test_minutes, "0", "0", "119").unwrap(), b"01");
        assert_eq!(
            encode(test_minutes, "0", "0", "59"),
            Err(ConvError::OutOfRange)
        );
        assert_eq!(
            encode(test_minutes, "0", "0", "5941"),
            Err(ConvError::OutOfRange)
        );
    }
}
