//! `ablerex` ("Ablerex 0.02", spec §5.9): Q1 with its own battery voltage and charge rules,
//! the bypass and fault rules, F mapped to the `output.*` nominal values and quick-polled,
//! the binary `Q5` ([`crate::wire::ablerex`]: output frequency and current, raw battery and
//! cut-off voltages, error code), the runtime from `At`, the test result from `TR`, and the
//! 39-byte `I` identity. `load.off` is `S.2\r`.
//!
//! Autodetection: NUT never reaches ablerex, because megatec's probe (`Q1`, then `I` of at
//! least 38 bytes) accepts every answer ablerex's probe does (§4, §6.4). A megatec device and
//! an ablerex device can answer `Q1`, `F` and `I` identically (the two vector tables are the
//! same), so no query tells them apart in general; what does is the Ablerex USB interface, USB
//! ID `ffff:0000` (the "Ablerex 625L USB" of NUT's device table). Ablerex is therefore tried
//! before megatec but only claims, when autodetecting, a device behind that USB vendor ID;
//! every other device goes on to megatec as in NUT. `protocol=ablerex` claims with `Q1`/`I`
//! alone, as NUT does (serial Ablerex units need it).
//!
//! NUT bugs fixed here (spec §6.8):
//! * a Q5 error code of `0` ("no error") is appended to `ups.alarm`, so every unit with a
//!   working Q5 shows `ALARM`: only a non-zero code raises the alarm here;
//! * the bypass and fault rules put `BYPASS`/`TRIM`/`BOOST`, `RB` and `OFF` straight into the
//!   status string, ahead of `OL`/`OB`: here they are status flags, set or cleared on every
//!   walk, so `ups.status` keeps NUT's usual order (`OL RB BYPASS OFF`); as for every other
//!   dialect, RB then also adds `Replace battery!` to the alarm;
//! * the F items come after Q1, so the first battery voltage and charge are computed without
//!   the nominal voltage (`battery.charge = 100` until the first update): F is read first here.

use super::{Accepts, Claim, Conv, ConvError, Ctx, Dialect, Flags, Item, blazer, conv};
use crate::number::{Decimal, Ratio};
use crate::nut::status::Flag;
use crate::nut::vars::{Text, text};
use crate::wire::ablerex::{self as wire, Q5Frame};
use crate::wire::{Window, q1, ratings};

/// The USB vendor ID of the Ablerex USB interface (`ffff:0000`).
pub const USB_VENDOR: u16 = 0xffff;

/// Dialect state: readings of the last Q5 answer.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct State {
    /// Raw battery voltage `Vb` (0 = none).
    pub battery_voltage_raw: u16,
    /// Raw battery cut-off voltage `Vbc` (0 = none).
    pub battery_cutoff_raw: u16,
}

/// `Q5\r`.
pub const Q5: &[u8] = b"Q5\r";
/// `At\r`.
pub const AT: &[u8] = b"At\r";
/// `TR\r`.
pub const TR: &[u8] = b"TR\r";

fn nominal(ctx: &Ctx<'_>) -> Result<Option<Ratio>, ConvError> {
    conv::published(ctx, "battery.voltage.nominal")
}

fn three() -> Ratio {
    Ratio::int(3)
}

fn above(a: Ratio, b: Ratio) -> bool {
    a.cmp_to(b) == core::cmp::Ordering::Greater
}

/// `battery.voltage`: from Q5's `Vb` when there is one, else the Q1 value, scaled up from
/// per-cell when it is 3 V or less.
fn battery_voltage(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let volts = Decimal::parse_prefix(value)?.ratio();
    let v = match nominal(ctx)? {
        None => volts,
        Some(nom) => {
            let vb = ctx.state.ablerex.battery_voltage_raw;
            if vb > 0 {
                Ratio::int(i64::from(vb))
                    .try_mul(nom)?
                    .try_div(Ratio::int(1200))?
            } else if above(volts, three()) {
                volts
            } else {
                volts
                    .try_mul(Ratio::int(6))?
                    .try_mul(nom)?
                    .try_div(Ratio::int(12))?
            }
        }
    };
    conv::fixed(v, 2).map(Some)
}

/// Per-cell thresholds 2.22, 2.21 … 1.68 V and their charges.
const CELL_CHARGE: [u8; 55] = [
    100, 90, 88, 87, 85, 83, 82, 80, 78, 77, 75, 73, 72, 70, 68, 65, 65, 62, 62, 58, 58, 55, 55,
    53, 52, 50, 48, 47, 45, 43, 42, 40, 38, 37, 35, 33, 32, 30, 28, 27, 25, 23, 22, 20, 18, 17, 15,
    13, 12, 10, 8, 7, 5, 3, 2,
];
/// 12 V block thresholds in tenths of a volt, and their charges.
const BLOCK_THRESHOLDS: [i64; 34] = [
    135, 133, 132, 131, 130, 129, 128, 127, 126, 125, 124, 123, 122, 121, 120, 119, 118, 117, 116,
    115, 114, 113, 112, 111, 110, 109, 108, 107, 106, 105, 104, 103, 102, 101,
];
const BLOCK_CHARGE: [u8; 34] = [
    100, 90, 88, 86, 83, 80, 77, 74, 72, 69, 66, 63, 61, 58, 55, 52, 49, 47, 44, 41, 38, 36, 33,
    30, 27, 24, 22, 19, 16, 13, 11, 8, 5, 2,
];

/// The charge for a per-cell (below 3 V) or per-12-V-block voltage.
pub fn charge_of(volts: Ratio) -> u8 {
    let at_least = |t: Ratio| volts.cmp_to(t) != core::cmp::Ordering::Less;
    if !above(three(), volts) {
        BLOCK_THRESHOLDS
            .iter()
            .zip(BLOCK_CHARGE)
            .find(|&(&t, _)| at_least(Ratio::frac(t, 10)))
            .map_or(0, |(_, c)| c)
    } else {
        (0i64..)
            .zip(CELL_CHARGE)
            .find(|&(i, _)| at_least(Ratio::frac(222 - i, 100)))
            .map_or(0, |(_, c)| c)
    }
}

/// `battery.charge` from the Q1 battery voltage: 100 without a nominal, otherwise the charge
/// table of one cell or one 12 V block.
fn battery_charge(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let Some(nom) = nominal(ctx)? else {
        return Ok(Some(text(format_args!("100"))?));
    };
    let mut volts = Decimal::parse_prefix(value)?.ratio();
    if above(volts, three()) {
        volts = volts.try_div(nom.try_div(Ratio::int(12))?)?;
    }
    Ok(Some(text(format_args!("{}", charge_of(volts)))?))
}

/// Bytes 40..42 (b5, b4, b3): with b5 set, BYPASS, or on a standby unit (b3) the §3.3 ratio
/// rule. The flags are set or cleared on every walk, like NUT's per-walk direct tokens.
fn bypass(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let b5 = conv::bit(value.get(..1).unwrap_or(&[]))?;
    let b3 = conv::bit(value.get(2..3).unwrap_or(&[]))?;
    let token = match (b5, b3) {
        (false, _) => None,
        (true, true) => Some(conv::bypass_token(ctx)?),
        (true, false) => Some("BYPASS"),
    };
    for flag in [Flag::Trim, Flag::Bypass, Flag::Boost] {
        ctx.status.set(flag, token == Some(flag.token()));
    }
    Ok(None)
}

/// Byte 41 (b4): RB; and OFF while the output voltage is below 50 V.
fn fault(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let rb = conv::bit(value)?;
    ctx.status.set(Flag::Rb, rb);
    let off = conv::published(ctx, "output.voltage")?
        .is_some_and(|v| v.cmp_to(Ratio::int(50)) == core::cmp::Ordering::Less);
    ctx.status.set(Flag::Off, off);
    Ok(None)
}

/// `battery.voltage.low`: `Vbc·nom/1200`, or `960·nom/1200` without a Q5 cut-off.
fn battery_low(ctx: &mut Ctx<'_>, _value: &[u8]) -> Result<Option<Text>, ConvError> {
    let nom = nominal(ctx)?.ok_or(ConvError::Missing("battery.voltage.nominal"))?;
    let raw = match ctx.state.ablerex.battery_cutoff_raw {
        0 => 960,
        v => i64::from(v),
    };
    conv::fixed(Ratio::int(raw).try_mul(nom)?.try_div(Ratio::int(1200))?, 2).map(Some)
}

/// `battery.voltage.high`: `1365·nom/1200`.
fn battery_high(ctx: &mut Ctx<'_>, _value: &[u8]) -> Result<Option<Text>, ConvError> {
    let nom = nominal(ctx)?.ok_or(ConvError::Missing("battery.voltage.nominal"))?;
    conv::fixed(Ratio::int(1365).try_mul(nom)?.try_div(Ratio::int(1200))?, 2).map(Some)
}

fn tenths(v: u16) -> Result<Text, ConvError> {
    conv::fixed(Ratio::frac(i64::from(v), 10), 1)
}

/// Q5 (read from the raw binary answer): output frequency (the item's value), output current,
/// the raw battery voltages for the other rules, and the error code as alarm when non-zero.
fn q5(ctx: &mut Ctx<'_>, _value: &[u8]) -> Result<Option<Text>, ConvError> {
    let r = Q5Frame::new_checked(ctx.raw)
        .map_err(|_| ConvError::Malformed("Q5 answer"))?
        .parse();
    ctx.state.ablerex.battery_voltage_raw = r.battery_voltage_raw;
    ctx.state.ablerex.battery_cutoff_raw = r.battery_cutoff_raw;
    if !ctx.options.is_overridden("output.current") {
        ctx.vars
            .set("output.current", &tenths(r.output_current_tenths)?)?;
    }
    if r.error_code != 0 {
        ctx.status
            .push_alarm(&text(format_args!("{}", r.error_code))?);
    }
    tenths(r.output_frequency_tenths).map(Some)
}

/// At: the 32-bit runtime.
fn runtime(ctx: &mut Ctx<'_>, _value: &[u8]) -> Result<Option<Text>, ConvError> {
    Ok(Some(text(format_args!("{}", wire::at_runtime(ctx.raw)))?))
}

/// TR: four characters, verbatim.
fn test_result(ctx: &mut Ctx<'_>, _value: &[u8]) -> Result<Option<Text>, ConvError> {
    conv::to_text(wire::tr_result(ctx.raw)).map(Some)
}

const QP: Flags = Flags::QP;

const fn f(name: &'static str, window: Window, conv: Conv) -> Item {
    Item::query(name, blazer::F, ratings::CHECK, window, conv).flags(QP)
}

/// F first, so that the Q1 battery rules already see the nominal voltage at initialisation.
static RATINGS: [Item; 6] = {
    use ratings::field::*;
    let n1 = Conv::Number(1);
    [
        f("output.voltage.nominal", VOLTAGE, n1),
        f("output.current.nominal", CURRENT, n1),
        f("battery.voltage.nominal", BATTERY_VOLTAGE, n1),
        f("output.frequency.nominal", FREQUENCY, n1),
        f(
            "battery.voltage.low",
            Window::span(1, 2),
            Conv::Custom(battery_low),
        ),
        f(
            "battery.voltage.high",
            Window::span(2, 3),
            Conv::Custom(battery_high),
        ),
    ]
};

const fn q(name: &'static str, window: Window, conv: Conv) -> Item {
    Item::query(name, blazer::Q1, q1::CHECK, window, conv)
}

static STATUS: [Item; 17] = {
    use q1::field::*;
    let n1 = Conv::Number(1);
    let c = blazer::Q1;
    [
        q("input.voltage", INPUT_VOLTAGE, n1),
        q("input.voltage.fault", INPUT_FAULT_VOLTAGE, n1),
        q("output.voltage", OUTPUT_VOLTAGE, n1),
        q("ups.load", LOAD, Conv::Number(0)),
        q("input.frequency", INPUT_FREQUENCY, n1),
        q(
            "battery.voltage",
            BATTERY_VOLTAGE,
            Conv::Custom(battery_voltage),
        ),
        q(
            "battery.charge",
            BATTERY_VOLTAGE,
            Conv::Custom(battery_charge),
        ),
        q("ups.temperature", TEMPERATURE, n1),
        blazer::bit_utility_fail(c),
        blazer::bit_battery_low(c),
        q("ups.status", Window::span(40, 42), Conv::Custom(bypass)).flags(QP),
        q("ups.status", UPS_FAILED, Conv::Custom(fault)).flags(QP),
        blazer::bit_ups_failed(c),
        blazer::bit_ups_type(c),
        blazer::bit_test(c),
        blazer::bit_shutdown_active(c),
        blazer::bit_beeper(c),
    ]
};

static EXTRAS: [Item; 3] = [
    Item::query(
        "output.frequency",
        Q5,
        wire::Q5_CHECK,
        Window::span(1, 18),
        Conv::Custom(q5),
    ),
    Item::query(
        "battery.runtime",
        AT,
        wire::AT_CHECK,
        Window::to_eol(0),
        Conv::Custom(runtime),
    ),
    Item::query(
        "ups.test.result",
        TR,
        wire::TR_CHECK,
        Window::to_eol(0),
        Conv::Custom(test_result),
    ),
];

static COMMANDS: [Item; 10] = [
    blazer::BEEPER_TOGGLE,
    Item::command("load.off", b"S.2\r"),
    blazer::LOAD_ON,
    blazer::SHUTDOWN_RETURN,
    blazer::SHUTDOWN_STAYOFF,
    blazer::SHUTDOWN_STOP,
    blazer::TEST_BATTERY_START,
    blazer::TEST_DEEP,
    blazer::TEST_QUICK,
    blazer::TEST_STOP,
];

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "ablerex",
    version: "Ablerex 0.02",
    items: &[
        &RATINGS,
        &STATUS,
        &EXTRAS,
        &blazer::IDENTITY_I,
        &COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: None,
    claim: Claim {
        vendor: Some(USB_VENDOR),
        ..Claim::items(&["input.voltage", "ups.firmware"])
    },
    accepts: Accepts::FULL,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::block_on;
    use crate::{Options, Poll, Ups};

    const Q1_OK: &[u8] = b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r";
    const F_ANS: &[u8] = b"#230.0 000 024.0 50.0\r";
    const I_ANS: &[u8] = b"#NOT_A_LIVE_UPS  TESTING    TESTING   \r";

    struct Dev {
        table: std::vec::Vec<(&'static [u8], std::vec::Vec<u8>)>,
    }

    impl crate::Transport for Dev {
        async fn transact(
            &mut self,
            cmd: &[u8],
            reply: &mut [u8],
        ) -> Result<usize, crate::TransportError> {
            let a = self
                .table
                .iter()
                .find(|(c, _)| *c == cmd)
                .map_or(cmd, |(_, a)| a.as_slice());
            reply[..a.len()].copy_from_slice(a);
            Ok(a.len())
        }
    }

    fn q5(error: u16, vb: u16, vbc: u16) -> std::vec::Vec<u8> {
        let mut a = std::vec![0u8; 22];
        a[0] = b'(';
        a[1..3].copy_from_slice(&500u16.to_be_bytes());
        a[7..9].copy_from_slice(&vb.to_be_bytes());
        a[9..11].copy_from_slice(&vbc.to_be_bytes());
        a[13..15].copy_from_slice(&error.to_be_bytes());
        a[15..17].copy_from_slice(&23u16.to_be_bytes());
        a[21] = b'\r';
        a
    }

    fn dev(q1: &[u8], q5: Option<std::vec::Vec<u8>>) -> Dev {
        let mut table = std::vec![
            (b"Q1\r" as &[u8], q1.to_vec()),
            (blazer::F, F_ANS.to_vec()),
            (blazer::I, I_ANS.to_vec()),
        ];
        if let Some(a) = q5 {
            table.push((Q5, a));
        }
        Dev { table }
    }

    /// Claim, then init only (`full = false`) or init and one full update.
    fn run(d: &mut Dev, options: Options, explicit: bool, full: bool) -> Option<Ups> {
        let mut ups = Ups::new(&DIALECT, options);
        if !block_on(ups.claim(&mut *d, explicit)).unwrap() {
            return None;
        }
        block_on(ups.init(&mut *d, 0)).unwrap();
        if full {
            block_on(ups.update(&mut *d, Poll::Full, 60_000)).unwrap();
        }
        Some(ups)
    }

    #[test]
    fn claims_and_reads_q5() {
        let ups = run(
            &mut dev(Q1_OK, Some(q5(0, 1150, 1000))),
            Options::new(),
            true,
            true,
        )
        .unwrap();
        let v = |n| ups.vars().get(n);
        assert_eq!(v("output.frequency"), Some("50.0"));
        assert_eq!(v("output.current"), Some("2.3"));
        // Vb·nom/1200 = 1150·24/1200 and Vbc·nom/1200.
        assert_eq!(v("battery.voltage"), Some("23.00"));
        assert_eq!(v("battery.voltage.low"), Some("20.00"));
        assert_eq!(v("battery.voltage.high"), Some("27.30"));
        assert_eq!(v("output.voltage.nominal"), Some("230.0"));
    }

    #[test]
    fn autodetection_needs_the_ablerex_usb_id() {
        assert!(run(&mut dev(Q1_OK, None), Options::new(), false, false).is_none());
        let mut options = Options::new();
        options.usb_vendor = Some(USB_VENDOR);
        assert!(run(&mut dev(Q1_OK, None), options, false, false).is_some());
    }

    #[test]
    fn rejects_devices_without_the_plain_identity() {
        let mut d = dev(Q1_OK, None);
        d.table.retain(|(c, _)| *c != blazer::I);
        assert!(run(&mut d, Options::new(), true, false).is_none());
        let mut d = dev(b"(215.0 195.0\r", None);
        assert!(run(&mut d, Options::new(), true, false).is_none());
    }

    /// NUT quirk §6.8: Q5 error code 0 is appended to ups.alarm.
    #[test]
    fn ablerex_error_code_0_raises_no_alarm() {
        let ups = run(
            &mut dev(Q1_OK, Some(q5(0, 0, 0))),
            Options::new(),
            true,
            true,
        )
        .unwrap();
        assert_eq!(ups.vars().get("ups.alarm"), None);
        assert_eq!(ups.vars().get("ups.status"), Some("OL"));
        let ups = run(
            &mut dev(Q1_OK, Some(q5(17, 0, 0))),
            Options::new(),
            true,
            true,
        )
        .unwrap();
        assert_eq!(ups.vars().get("ups.alarm"), Some("17"));
        assert_eq!(ups.vars().get("ups.status"), Some("ALARM OL"));
    }

    /// NUT quirk §6.8: the bypass/fault tokens go before OL/OB, out of NUT's usual order.
    #[test]
    fn ablerex_status_tokens_follow_ol_in_nut_order() {
        // b5 and b4 set on an online unit with the output at 0 V.
        let q1 = b"(215.0 195.0 000.0 014 49.0 22.7 30.0 00110000\r";
        let ups = run(&mut dev(q1, None), Options::new(), true, true).unwrap();
        assert_eq!(ups.vars().get("ups.status"), Some("ALARM OL RB BYPASS OFF"));
        // Cleared again when the bits are, even in a quick update (OFF waits for the output
        // voltage of the next full update; the alarm too).
        let mut d = dev(q1, None);
        let mut ups = run(&mut d, Options::new(), true, true).unwrap();
        d.table[0].1 = Q1_OK.to_vec();
        block_on(ups.update(&mut d, Poll::Quick, 62_000)).unwrap();
        assert_eq!(ups.vars().get("ups.status"), Some("ALARM OL OFF"));
        block_on(ups.update(&mut d, Poll::Full, 120_000)).unwrap();
        assert_eq!(ups.vars().get("ups.status"), Some("OL"));
    }

    #[test]
    fn standby_bypass_uses_the_voltage_ratio() {
        let q1 = b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00101000\r";
        let ups = run(&mut dev(q1, None), Options::new(), true, true).unwrap();
        assert_eq!(ups.vars().get("ups.status"), Some("OL BOOST"));
    }

    /// NUT quirk §6.8: the first battery values ignore the nominal voltage (charge 100).
    #[test]
    fn ablerex_first_battery_values_use_the_nominal() {
        let ups = run(&mut dev(Q1_OK, None), Options::new(), true, false).unwrap();
        assert_eq!(ups.vars().get("battery.voltage"), Some("22.70"));
        assert_eq!(ups.vars().get("battery.charge"), Some("36"));
    }

    #[test]
    fn charge_tables() {
        assert_eq!(CELL_CHARGE.len(), 55);
        assert_eq!(charge_of(Ratio::frac(250, 100)), 100);
        assert_eq!(charge_of(Ratio::frac(222, 100)), 100);
        assert_eq!(charge_of(Ratio::frac(221, 100)), 90);
        assert_eq!(charge_of(Ratio::frac(168, 100)), 2);
        assert_eq!(charge_of(Ratio::frac(167, 100)), 0);
        assert_eq!(charge_of(Ratio::frac(1135, 100)), 36);
        assert_eq!(charge_of(Ratio::frac(140, 10)), 100);
        assert_eq!(charge_of(Ratio::frac(101, 10)), 2);
        assert_eq!(charge_of(Ratio::frac(100, 10)), 0);
    }
}
