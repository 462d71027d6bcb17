//! `bestups` ("BestUPS 0.08", spec §5.8), Best Power and Sola Australia: Q1 (no beeper bit,
//! the b5 bypass bit last with its own rule), the comma-separated `ID` answer normalised to a
//! fixed layout ([`crate::wire::bestups`]), runtime `RT`, battery packs `BP?`, the pins
//! shutdown mode `SS?`, and the `M` voltage-settings index. No accepted or rejected string:
//! a command succeeds only when the device stays silent.
//!
//! The claim needs `ID`, which no other dialect's device answers in this form, so bestups is
//! tried early in autodetection without shadowing anything.
//!
//! NUT bugs fixed here (spec §6.7):
//! * the ID normaliser refuses a 28-byte raw answer (four-digit VA with a three-digit battery
//!   voltage, e.g. the source's own `FOR,3000,120,120,20.0,100.6\r`): accepted here;
//! * the Sola 320 and 525 get a Sola model name but the maker `Unknown`: their maker is
//!   `Sola Australia` here;
//! * the `M` items overwrite the nominal voltages `ID` reported (an `AX1,1500,230,…` unit goes
//!   from 230 to 240 V): here the M table only fills a nominal voltage ID did not give.

use super::{Accepts, Claim};
use super::{Cmd, CmdCtx, Conv, ConvError, Ctx, Dialect, Flags, Item, Setter, blazer, conv};
use crate::number::Decimal;
use crate::nut::status::Flag;
use crate::nut::vars::{Rw, Text, text};
use crate::wire::bestups::{self as wire, field};
use crate::wire::{Check, Window, q1};

/// Dialect state learned from the device.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct State {
    /// The model (PR2, PRO) reports the b5 bypass bit inverted.
    pub inverted_bypass: bool,
    /// The pins shutdown mode the device reported (`SS?`).
    pub pins_shutdown_mode: Option<u8>,
}

/// `ID\r`.
pub const ID: &[u8] = b"ID\r";
/// `RT\r`.
pub const RT: &[u8] = b"RT\r";
/// `BP?\r`.
pub const BP: &[u8] = b"BP?\r";
/// `SS?\r`.
pub const SS: &[u8] = b"SS?\r";
/// `M\r`.
pub const M: &[u8] = b"M\r";

/// The ID answer rewrite (spec "ID normaliser").
pub fn fix_id(buf: &mut [u8], len: usize) -> Result<usize, ConvError> {
    wire::normalise_id(buf, len).map_err(|e| {
        ConvError::Malformed(match e {
            wire::IdError::TooLong => "ID answer too long",
            wire::IdError::FieldCount => "ID answer does not have six fields",
            wire::IdError::Layout => "ID answer does not fit the layout",
        })
    })
}

/// The maker of a model code.
pub fn maker(code: &[u8]) -> &'static str {
    match code {
        b"AX1" | b"FOR" | b"FTC" | b"PR2" | b"PRO" => "Best Power",
        // NUT leaves 320 and 525 out here although it names them Sola models (spec §6.7).
        b"320" | b"325" | b"520" | b"525" | b"620" => "Sola Australia",
        _ => "Unknown",
    }
}

fn device_mfr(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    conv::to_text(maker(value).as_bytes()).map(Some)
}

/// `device.model` from the model code; also notes the inverted bypass bit and enables the
/// runtime and packs readers the model has.
fn device_model(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let model = match value {
        b"AX1" => conv::to_text(b"Axxium Rackmount")?,
        b"FOR" => conv::to_text(b"Fortress")?,
        b"FTC" => conv::to_text(b"Fortress Telecom")?,
        b"PR2" => conv::to_text(b"Patriot Pro II")?,
        b"PRO" => conv::to_text(b"Patriot Pro")?,
        b"320" | b"325" | b"520" | b"525" | b"620" => {
            text(format_args!("Sola {}", conv::as_str(value)?))?
        }
        _ => text(format_args!("Unknown ({})", conv::as_str(value)?))?,
    };
    ctx.state.bestups.inverted_bypass = matches!(value, b"PR2" | b"PRO");
    if !matches!(value, b"PRO" | b"320") {
        let _ = ctx.enable.push("battery.runtime");
    }
    if matches!(value, b"AX1" | b"620") {
        let _ = ctx.enable.push("battery.packs");
    }
    Ok(Some(model))
}

/// b5 (last of the bits): ignored unless on line with no test or shutdown under way, inverted
/// on PR2/PRO, then the §3.3 ratio rule.
fn bypass(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let mut on = conv::bit(value)?;
    let s = &ctx.status;
    if !s.is_set(Flag::Ol) || s.is_set(Flag::Cal) || s.is_set(Flag::Fsd) {
        on = false;
    } else if ctx.state.bestups.inverted_bypass {
        on = !on;
    }
    if on {
        conv::to_text(conv::bypass_token(ctx)?.as_bytes()).map(Some)
    } else {
        Ok(None)
    }
}

/// `BP?`: digits and spaces only; published as an integer; the setter becomes usable.
fn packs(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    if let Some(&found) = value.iter().find(|b| !matches!(b, b'0'..=b'9' | b' ')) {
        return Err(crate::number::NumberError::NotNumeric { found }.into());
    }
    let n = Decimal::parse_prefix(value)?.trunc();
    let _ = ctx.enable.push("battery.packs");
    Ok(Some(text(format_args!("{n}"))?))
}

/// `BP<n>`: the value rounded like `%.0f`; only once the reader published the packs.
fn packs_command(ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    if !ctx.vars.contains("battery.packs") {
        return Err(ConvError::Missing("battery.packs"));
    }
    let value = Decimal::parse_prefix(arg.as_bytes())?.ratio();
    let t = conv::fixed(value, 0)?;
    out.extend_from_slice(t.as_bytes())
        .map_err(|_| ConvError::Malformed("command too long"))
}

/// `SS?`: the current pins shutdown mode (all digits), kept and logged; with the
/// `pins_shutdown_mode` option the one-time setter is enabled.
fn pins(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(ConvError::Malformed("pins shutdown mode is not a number"));
    }
    let n = Decimal::parse_prefix(value)?.trunc();
    ctx.state.bestups.pins_shutdown_mode = u8::try_from(n).ok();
    if ctx.options.pins_shutdown_mode.is_some() {
        let _ = ctx.enable.push("pins_shutdown_mode");
    }
    Ok(Some(text(format_args!("{n}"))?))
}

/// `SS<n>`, refused when the device already is in that mode.
fn pins_command(ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    let n = Decimal::parse_prefix(arg.as_bytes())?.trunc();
    if ctx
        .state
        .bestups
        .pins_shutdown_mode
        .is_some_and(|p| i64::from(p) == n)
    {
        return Err(ConvError::Malformed("pins shutdown mode already set"));
    }
    let t = text(format_args!("{n}"))?;
    out.extend_from_slice(t.as_bytes())
        .map_err(|_| ConvError::Malformed("command too long"))
}

/// One row of the M table: low, boost, nominal, buck, high.
type Row = [u16; 5];

/// U0..U9 (nominal ≤ 160 V), then E0..E9.
const VOLTAGE_SETTINGS: [Row; 20] = [
    [96, 109, 120, 130, 146],
    [96, 109, 120, 138, 156],
    [90, 104, 120, 130, 146],
    [90, 104, 120, 138, 156],
    [90, 104, 110, 120, 130],
    [90, 104, 110, 130, 146],
    [90, 96, 110, 120, 130],
    [90, 96, 110, 130, 146],
    [96, 109, 128, 146, 156],
    [90, 104, 128, 146, 156],
    [200, 222, 240, 250, 284],
    [200, 222, 240, 264, 290],
    [188, 210, 240, 250, 284],
    [188, 210, 240, 264, 290],
    [188, 210, 230, 244, 270],
    [188, 210, 230, 250, 284],
    [180, 200, 230, 244, 270],
    [180, 200, 230, 250, 284],
    [165, 188, 208, 222, 244],
    [165, 188, 208, 244, 270],
];

const LOW: usize = 0;
const BOOST: usize = 1;
const NOMINAL: usize = 2;
const BUCK: usize = 3;
const HIGH: usize = 4;

/// The M table value in `column` for the index in `value`, on the row the nominal voltage
/// selects.
fn setting(ctx: &Ctx<'_>, value: &[u8], column: usize) -> Result<Text, ConvError> {
    let index = wire::m_index(value).ok_or(ConvError::Malformed("M index is not one digit"))?;
    let nominal = ctx
        .vars
        .get("input.voltage.nominal")
        .or_else(|| ctx.vars.get("output.voltage.nominal"))
        .ok_or(ConvError::Missing("input.voltage.nominal"))?;
    let european = Decimal::parse_prefix(nominal.as_bytes())?.trunc() > 160;
    let row = usize::from(index) + if european { 10 } else { 0 };
    let v = VOLTAGE_SETTINGS
        .get(row)
        .and_then(|r| r.get(column))
        .ok_or(ConvError::OutOfRange)?;
    Ok(text(format_args!("{v}"))?)
}

fn m_low(ctx: &mut Ctx<'_>, v: &[u8]) -> Result<Option<Text>, ConvError> {
    setting(ctx, v, LOW).map(Some)
}
fn m_boost(ctx: &mut Ctx<'_>, v: &[u8]) -> Result<Option<Text>, ConvError> {
    setting(ctx, v, BOOST).map(Some)
}
fn m_buck(ctx: &mut Ctx<'_>, v: &[u8]) -> Result<Option<Text>, ConvError> {
    setting(ctx, v, BUCK).map(Some)
}
fn m_high(ctx: &mut Ctx<'_>, v: &[u8]) -> Result<Option<Text>, ConvError> {
    setting(ctx, v, HIGH).map(Some)
}
/// The nominal voltage of the M table, unless ID already gave `name` (NUT overwrites it).
fn m_nominal(ctx: &Ctx<'_>, v: &[u8], name: &str) -> Result<Option<Text>, ConvError> {
    let table = setting(ctx, v, NOMINAL)?;
    match ctx.vars.get(name) {
        Some(id) => conv::to_text(id.as_bytes()).map(Some),
        None => Ok(Some(table)),
    }
}
fn m_input_nominal(ctx: &mut Ctx<'_>, v: &[u8]) -> Result<Option<Text>, ConvError> {
    m_nominal(ctx, v, "input.voltage.nominal")
}
fn m_output_nominal(ctx: &mut Ctx<'_>, v: &[u8]) -> Result<Option<Text>, ConvError> {
    m_nominal(ctx, v, "output.voltage.nominal")
}

const fn q(name: &'static str, window: Window, conv: Conv) -> Item {
    Item::query(name, blazer::Q1, q1::CHECK, window, conv)
}

static STATUS: [Item; 7] = [
    blazer::bit_utility_fail(blazer::Q1),
    blazer::bit_battery_low(blazer::Q1),
    blazer::bit_ups_failed(blazer::Q1),
    blazer::bit_ups_type(blazer::Q1),
    blazer::bit_test(blazer::Q1),
    blazer::bit_shutdown_active(blazer::Q1),
    // Last, so that OL, CAL and FSD of this walk are known.
    q(
        "ups.status",
        q1::field::BYPASS_BOOST_BUCK,
        Conv::Custom(bypass),
    )
    .flags(Flags::QP),
];

const fn id(name: &'static str, window: Window, conv: Conv, flags: Flags) -> Item {
    Item::query(name, ID, wire::ID_CHECK, window, conv)
        .flags(flags)
        .answer_fix(fix_id)
}

static IDENTITY: [Item; 7] = [
    id(
        "device.mfr",
        field::MODEL,
        Conv::Custom(device_mfr),
        Flags::ST,
    ),
    id(
        "device.model",
        field::MODEL,
        Conv::Custom(device_model),
        Flags::ST,
    ),
    id(
        "ups.power.nominal",
        field::POWER,
        Conv::Number(0),
        Flags::ST,
    ),
    id(
        "input.voltage.nominal",
        field::INPUT_VOLTAGE,
        Conv::Number(0),
        Flags::ST,
    ),
    id(
        "output.voltage.nominal",
        field::OUTPUT_VOLTAGE,
        Conv::Number(0),
        Flags::ST,
    ),
    id(
        "battery.voltage.low",
        field::BATTERY_LOW,
        Conv::Number(1),
        Flags::SS,
    ),
    id(
        "battery.voltage.high",
        field::BATTERY_HIGH,
        Conv::Number(1),
        Flags::SS,
    ),
];

const PACKS_RANGE: &[(i64, i64)] = &[(0, 5)];
const PINS_RANGE: &[(i64, i64)] = &[(0, 6)];

static EXTRAS: [Item; 5] = [
    Item::query(
        "battery.runtime",
        RT,
        Check::min_len(4),
        Window::span(0, 2),
        Conv::MinutesToSeconds,
    )
    .flags(Flags::SKIP),
    Item::query(
        "battery.packs",
        BP,
        Check::min_len(3),
        Window::span(0, 1),
        Conv::Custom(packs),
    )
    .flags(Flags::SS.with(Flags::SKIP))
    .rw(Rw::Range(PACKS_RANGE)),
    Item::setting("battery.packs", b"BP%s\r", Setter::Send(packs_command))
        .flags(Flags::SKIP)
        .rw(Rw::Range(PACKS_RANGE)),
    // The setter must follow the reader: the reader enables it during the init walk.
    Item::query(
        "pins_shutdown_mode",
        SS,
        Check::min_len(2),
        Window::to_eol(0),
        Conv::Custom(pins),
    )
    .flags(Flags::SS.with(Flags::NONUT))
    .rw(Rw::Range(PINS_RANGE)),
    Item::setting("pins_shutdown_mode", b"SS%s\r", Setter::Send(pins_command))
        .flags(Flags::NONUT.with(Flags::SKIP))
        .rw(Rw::Range(PINS_RANGE)),
];

const fn m(name: &'static str, f: super::ConvFn) -> Item {
    Item::query(name, M, wire::M_CHECK, Window::to_eol(0), Conv::Custom(f))
}

static VOLTAGE_SETTINGS_ITEMS: [Item; 8] = [
    m("input.transfer.low", m_low),
    m("input.transfer.boost.low", m_low),
    m("input.transfer.boost.high", m_boost),
    m("input.voltage.nominal", m_input_nominal),
    m("output.voltage.nominal", m_output_nominal),
    m("input.transfer.trim.low", m_buck),
    m("input.transfer.trim.high", m_high),
    m("input.transfer.high", m_high),
];

static COMMANDS: [Item; 9] = [
    blazer::SHUTDOWN_RETURN,
    // No R0000: bestups keeps the output off with plain `S<delay>`.
    Item::command_with("shutdown.stayoff", b"S%s\r", blazer::shutdown_stayoff),
    blazer::SHUTDOWN_STOP,
    blazer::LOAD_ON,
    blazer::LOAD_OFF,
    blazer::TEST_BATTERY_START,
    blazer::TEST_DEEP,
    blazer::TEST_QUICK,
    blazer::TEST_STOP,
];

static DELAYS: [Item; 2] = blazer::delays("180", &[(60, 599_940)], "30", &[(12, 5940)]);

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "bestups",
    version: "BestUPS 0.08",
    items: &[
        &blazer::Q1_MEASUREMENTS,
        &STATUS,
        &IDENTITY,
        &EXTRAS,
        &VOLTAGE_SETTINGS_ITEMS,
        &COMMANDS,
        &DELAYS,
    ],
    accepted: None,
    rejected: None,
    claim: Claim::items(&["input.voltage", "device.model"]),
    accepts: Accepts::LIGHT,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Device as Dev, block_on};
    use crate::{Options, Poll, Ups};

    const Q1: &[u8] = b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00100000\r";

    fn dev(id: &'static [u8], extra: &[(&'static [u8], &'static [u8])]) -> Dev {
        let mut dev = Dev::new(&[(b"Q1\r" as &[u8], Q1), (ID, id)], None);
        dev.table.extend_from_slice(extra);
        dev
    }

    /// Claim (autodetection rules), init and one full update.
    fn run(dev: &mut Dev, options: Options) -> Option<Ups> {
        let mut ups = Ups::new(&DIALECT, options);
        if !block_on(ups.claim(&mut *dev, false)).unwrap() {
            return None;
        }
        block_on(ups.init(&mut *dev, 0)).unwrap();
        block_on(ups.update(&mut *dev, Poll::Full, 60_000)).unwrap();
        Some(ups)
    }

    #[test]
    fn claims_a_fortress() {
        let ups = run(
            &mut dev(b"FOR,750,120,120,20.0,27.6\r", &[]),
            Options::new(),
        )
        .unwrap();
        assert_eq!(ups.vars().get("device.mfr"), Some("Best Power"));
        assert_eq!(ups.vars().get("device.model"), Some("Fortress"));
        assert_eq!(ups.vars().get("ups.power.nominal"), Some("750"));
        assert_eq!(ups.vars().get("ups.status"), Some("OL BOOST"));
    }

    #[test]
    fn rejects_devices_without_an_id_answer() {
        assert!(run(&mut dev(b"ID\r", &[]), Options::new()).is_none());
        assert!(run(&mut dev(b"", &[]), Options::new()).is_none());
        assert!(
            run(
                &mut dev(b"#NOT_A_LIVE_UPS  TESTING    TESTING   \r", &[]),
                Options::new()
            )
            .is_none()
        );
    }

    /// NUT quirk §6.7: a 28-byte raw ID answer is refused by the normaliser.
    #[test]
    fn bestups_accepts_28_byte_id() {
        let ups = run(
            &mut dev(b"FOR,3000,120,120,20.0,100.6\r", &[]),
            Options::new(),
        )
        .unwrap();
        assert_eq!(ups.vars().get("ups.power.nominal"), Some("3000"));
        assert_eq!(ups.vars().get("battery.voltage.high"), Some("100.6"));
    }

    /// NUT quirk §6.7: Sola 320 and 525 get a Sola model name but the maker `Unknown`.
    #[test]
    fn bestups_sola_320_and_525_are_made_by_sola_australia() {
        for (id, model) in [
            (b"320,750,230,230,20.0,27.6\r" as &'static [u8], "Sola 320"),
            (b"525,750,230,230,20.0,27.6\r", "Sola 525"),
            (b"620,750,230,230,20.0,27.6\r", "Sola 620"),
        ] {
            let ups = run(&mut dev(id, &[]), Options::new()).unwrap();
            assert_eq!(ups.vars().get("device.mfr"), Some("Sola Australia"));
            assert_eq!(ups.vars().get("device.model"), Some(model));
        }
        let ups = run(
            &mut dev(b"XYZ,750,230,230,20.0,27.6\r", &[]),
            Options::new(),
        )
        .unwrap();
        assert_eq!(ups.vars().get("device.mfr"), Some("Unknown"));
        assert_eq!(ups.vars().get("device.model"), Some("Unknown (XYZ)"));
    }

    /// NUT quirk §6.7: the M table overwrites the nominal voltages ID reported.
    #[test]
    fn bestups_m_does_not_overwrite_id_nominal_voltages() {
        let mut d = dev(
            b"AX1,1500,230,230,20.0,27.6\r",
            &[(M, b"0\r"), (BP, b"02\r")],
        );
        let ups = run(&mut d, Options::new()).unwrap();
        assert_eq!(ups.vars().get("device.model"), Some("Axxium Rackmount"));
        assert_eq!(ups.vars().get("battery.packs"), Some("2"));
        assert_eq!(ups.vars().get("input.voltage.nominal"), Some("230"));
        assert_eq!(ups.vars().get("output.voltage.nominal"), Some("230"));
        // E0 row, because the nominal is above 160 V.
        assert_eq!(ups.vars().get("input.transfer.low"), Some("200"));
        assert_eq!(ups.vars().get("input.transfer.boost.high"), Some("222"));
        assert_eq!(ups.vars().get("input.transfer.trim.low"), Some("250"));
        assert_eq!(ups.vars().get("input.transfer.high"), Some("284"));
    }

    #[test]
    fn patriot_pro_inverts_bypass_and_has_no_runtime() {
        let mut d = dev(b"PRO,750,120,120,20.0,27.6\r", &[(RT, b"015\r")]);
        let ups = run(&mut d, Options::new()).unwrap();
        // b5 = 1 inverted to 0: no BOOST.
        assert_eq!(ups.vars().get("ups.status"), Some("OL"));
        assert!(!d.sent.iter().any(|c| c == RT));
        assert_eq!(ups.vars().get("battery.runtime"), None);
    }

    #[test]
    fn pins_setter_runs_once_unless_already_set() {
        let mut options = Options::new();
        options.pins_shutdown_mode = Some(2);
        let mut d = dev(
            b"FOR,750,120,120,20.0,27.6\r",
            &[(SS, b"0\r"), (b"SS2\r", b"")],
        );
        run(&mut d, options.clone()).unwrap();
        assert!(d.sent.iter().any(|c| c == b"SS2\r"));

        let mut d = dev(
            b"FOR,750,120,120,20.0,27.6\r",
            &[(SS, b"2\r"), (b"SS2\r", b"")],
        );
        run(&mut d, options).unwrap();
        assert!(!d.sent.iter().any(|c| c == b"SS2\r"));
    }
}
