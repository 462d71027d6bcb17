//! `masterguard` ("Masterguard 0.05", spec §5.19), Masterguard A and E series: identity and
//! ratings from `WH`, status from `Q3`, and per-unit queries addressed to the slave ID learned
//! from `WH` (`GS,XX`, `GBS,XX`, `GSN,XX`, `DRC,XX`, `FLT,XX`).
//!
//! NUT bugs fixed here (spec §6.10):
//! * the integer setters work: `ups.id 5` sends `SS05--,XX\r`, `battery.packs 1` sends
//!   `SS--1-,XX\r`, `output.voltage.nominal 240` sends `PNV=240\r` (NUT leaves the value
//!   unformatted, so the first two send nothing and the third sends a bare `240`);
//! * `shutdown.return` sends the restart delay in minutes, as the device reads it (NUT sends
//!   the seconds: 180 s became `R0180`, three hours);
//! * the `device.uptime` setter takes `TTTT:hh:mm:ss` as well as plain seconds.
//!
//! Kept from NUT: `output.current.nominal` divides the rated power by the *measured* output
//! voltage (the vectors pin that value); the option is read as `slave_address`.
//!
//! Command and setter replies: success is an empty reply (spec §5.19) or the command echoed
//! back (the vectors, recorded against a device that echoes, expect HANDLED there); any other
//! reply fails ([`Flags::ECHO`]).

use core::fmt::Write;

use super::blazer::Fmt;
use super::{
    Accepts, Claim, Cmd, CmdCtx, Conv, ConvError, Ctx, Dialect, Flags, Item, Setter, conv,
};
use crate::number::{Decimal, Ratio};
use crate::nut::vars::{Rw, Text, text};
use crate::options::Options;
use crate::wire::masterguard::{
    FltFrame, MgError, drc, flt, gbs, gs, gsn, minutes_seconds, mso, pnv, uptime_seconds,
    write_uptime,
};
use crate::wire::wh::{self, Series, slave_id};
use crate::wire::{Window, q3};

impl From<MgError> for ConvError {
    fn from(e: MgError) -> Self {
        match e {
            MgError::Number(n) => Self::Number(n),
            MgError::Frame(_) => Self::Malformed("frame"),
            MgError::Malformed(what) => Self::Malformed(what),
        }
    }
}

/// Dialect state.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct State {
    slave: Option<[u8; 2]>,
    series: Option<Series>,
    cells: Option<Decimal>,
    power: Option<u32>,
    packs: Option<&'static [(i64, i64)]>,
    voltages: heapless::Vec<heapless::String<8>, 8>,
}

impl State {
    /// The two-character slave address learned from `WH` (or set through `ups.id`).
    pub fn slave(&self) -> Option<[u8; 2]> {
        self.slave
    }

    /// Takes `id` (one or two digits) as the new slave address.
    pub fn set_slave(&mut self, id: &str) {
        if let Ok(n) = id.trim().parse::<u8>() {
            if n < 100 {
                self.slave = Some([b'0' + n / 10, b'0' + n % 10]);
            }
        }
    }

    /// The output voltages the device offers (`MSO`).
    pub fn output_voltages(&self) -> &[heapless::String<8>] {
        &self.voltages
    }

    /// The series (`A` or `E`) from `WH`.
    pub fn series(&self) -> Option<Series> {
        self.series
    }

    /// The rated power in VA, from the model.
    pub fn power(&self) -> Option<u32> {
        self.power
    }

    /// The battery-pack range of the model.
    pub fn packs(&self) -> Option<&'static [(i64, i64)]> {
        self.packs
    }
}

/// One entry of the model table.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Model {
    /// Prefix of the `WH` model text.
    pub prefix: &'static [u8],
    /// Published model name (`-19` is added for rack models).
    pub name: &'static str,
    /// Battery packs allowed.
    pub packs: &'static [(i64, i64)],
    /// Battery packs allowed in the rack version.
    pub rack_packs: &'static [(i64, i64)],
    /// Rated power, VA.
    pub power: u32,
}

const fn model(
    prefix: &'static [u8],
    name: &'static str,
    packs: &'static [(i64, i64)],
    rack_packs: &'static [(i64, i64)],
    power: u32,
) -> Model {
    Model {
        prefix,
        name,
        packs,
        rack_packs,
        power,
    }
}

/// The model table (spec §5.19).
pub static MODELS: [Model; 7] = [
    model(b"A  700", "A700", &[(0, 0)], &[(0, 0)], 700),
    model(b"A 1000", "A1000", &[(0, 2)], &[(0, 2)], 1000),
    model(b"A 2000", "A2000", &[(0, 2)], &[(1, 5)], 2000),
    model(b"A 3000", "A3000", &[(0, 2)], &[(1, 5)], 3000),
    model(b"E 60", "E60", &[(1, 1)], &[(1, 1)], 6000),
    model(b"E100", "E100", &[(1, 1)], &[(1, 1)], 10000),
    model(b"E200", "E200", &[(1, 1)], &[(1, 1)], 20000),
];

/// The model of a `WH` model text, and whether it is a rack (`-19`) version.
pub fn lookup(text: &[u8]) -> Result<(&'static Model, bool), ConvError> {
    let m = MODELS
        .iter()
        .find(|m| text.starts_with(m.prefix))
        .ok_or(ConvError::Malformed("unknown model"))?;
    Ok((m, text.windows(3).any(|w| w == b"-19")))
}

fn st<'a>(ctx: &'a mut Ctx<'_>) -> &'a mut State {
    &mut ctx.state.masterguard
}

fn int_text(n: impl core::fmt::Display) -> Result<Option<Text>, ConvError> {
    Ok(Some(text(format_args!("{n}"))?))
}

/// `ups.id`: exactly two characters, which become the slave address.
pub fn ups_id(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    st(ctx).slave = Some(slave_id(value)?);
    conv::to_text(value).map(Some)
}

/// Series byte: `A` or `E`, kept.
pub fn series(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    st(ctx).series = Some(Series::from_field(value)?);
    conv::to_text(value).map(Some)
}

/// `device.model` from the model table.
pub fn device_model(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let (m, rack) = lookup(value)?;
    Ok(Some(text(format_args!(
        "{}{}",
        m.name,
        if rack { "-19" } else { "" }
    ))?))
}

/// `ups.power.nominal` from the model table; keeps the power and the pack range.
pub fn power_nominal(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let (m, rack) = lookup(value)?;
    let s = st(ctx);
    s.power = Some(m.power);
    s.packs = Some(if rack { m.rack_packs } else { m.packs });
    int_text(m.power)
}

/// Number of cells, kept.
pub fn cells(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let n = Decimal::parse_unsigned_field(value)?;
    st(ctx).cells = Some(Decimal::from_int(n.trunc()));
    int_text(n.trunc())
}

/// A per-cell voltage times the number of cells, `%.2f`.
pub fn times_cells(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let cells = st(ctx).cells.ok_or(ConvError::Missing("number of cells"))?;
    let v = Decimal::parse_unsigned_field(value)?.ratio();
    conv::fixed(v.try_mul(cells.ratio())?, 2).map(Some)
}

/// `mmm.ss` as seconds.
pub fn duration(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    int_text(minutes_seconds(value)?)
}

/// Hours as seconds.
pub fn hours(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let h = Decimal::parse_unsigned_field(value)?.trunc();
    int_text(h.checked_mul(3600).ok_or(ConvError::OutOfRange)?)
}

fn load_share(ctx: &Ctx<'_>, value: &[u8]) -> Result<Ratio, ConvError> {
    let power = ctx
        .state
        .masterguard
        .power
        .ok_or(ConvError::Missing("ups.power.nominal"))?;
    let load = Decimal::parse_unsigned_field(value)?.ratio();
    Ok(load
        .try_div(Ratio::int(100))?
        .try_mul(Ratio::int(i64::from(power)))?)
}

/// `ups.power`: load share of the rated power, `+ 0.5`, `%.0f` (ties to even, as NUT).
pub fn ups_power(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let p = load_share(ctx, value)?.try_add(Ratio::frac(1, 2))?;
    conv::fixed(p, 0).map(Some)
}

fn output_voltage(ctx: &Ctx<'_>) -> Result<Ratio, ConvError> {
    conv::published(ctx, "output.voltage")?.ok_or(ConvError::Missing("output.voltage"))
}

/// `output.current`: load share of the rated power over the output voltage, `+ 0.005`.
pub fn output_current(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let i = load_share(ctx, value)?
        .try_div(output_voltage(ctx)?)?
        .try_add(Ratio::frac(5, 1000))?;
    conv::fixed(i, 2).map(Some)
}

/// `output.current.nominal`: rated power over the *measured* output voltage (NUT's choice),
/// `+ 0.005`.
pub fn output_current_nominal(ctx: &mut Ctx<'_>, _value: &[u8]) -> Result<Option<Text>, ConvError> {
    let power = ctx
        .state
        .masterguard
        .power
        .ok_or(ConvError::Missing("ups.power.nominal"))?;
    let i = Ratio::int(i64::from(power))
        .try_div(output_voltage(ctx)?)?
        .try_add(Ratio::frac(5, 1000))?;
    conv::fixed(i, 2).map(Some)
}

/// `ups.test.result` from T2..T0.
pub fn test_result(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    conv::to_text(q3::test_result(value)?.as_bytes()).map(Some)
}

/// `battery.packs`; the variable gets the model's range.
pub fn packs(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let n = Decimal::parse_unsigned_field(value)?.trunc();
    let t = text(format_args!("{n}"))?;
    if let Some(range) = ctx.state.masterguard.packs {
        if !ctx.options.is_overridden("battery.packs") {
            ctx.vars.set("battery.packs", &t)?;
            ctx.vars.set_rw("battery.packs", Rw::Range(range));
        }
    }
    Ok(Some(t))
}

/// `device.uptime` from `TTTT:hh:mm:ss`.
pub fn uptime(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    int_text(uptime_seconds(value)?)
}

/// `MSO`: the output voltages, kept as the enum of `output.voltage.nominal`.
pub fn output_voltages(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let mut list = heapless::Vec::new();
    for v in mso::voltages(value) {
        if !v.iter().all(u8::is_ascii_digit) {
            return Err(ConvError::Malformed("output voltage is not a number"));
        }
        let mut s = heapless::String::new();
        s.push_str(conv::as_str(v)?)
            .map_err(|_| ConvError::OutOfRange)?;
        list.push(s).map_err(|_| ConvError::OutOfRange)?;
    }
    if list.is_empty() {
        return Err(ConvError::Empty);
    }
    st(ctx).voltages = list;
    conv::to_text(value).map(Some)
}

/// `FLT`: the five fault records must read; they are only logged.
pub fn faults(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let frame = FltFrame::new_checked(ctx.raw).map_err(MgError::Frame)?;
    for n in 0..flt::RECORDS.len() {
        frame.fault(n)?;
    }
    conv::to_text(value).map(Some)
}

fn whole(arg: &str) -> Result<i64, ConvError> {
    if arg.is_empty() {
        return Err(ConvError::Empty);
    }
    Ok(Decimal::parse_unsigned_field(arg.as_bytes())?.trunc())
}

fn put(out: &mut Cmd, args: core::fmt::Arguments<'_>) -> Result<(), ConvError> {
    Fmt(out).write_fmt(args).map_err(|_| ConvError::OutOfRange)
}

/// `ups.id` setter: the new ID, two digits.
pub fn encode_id(_ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    match whole(arg)? {
        n @ 0..=99 => put(out, format_args!("{n:02}")),
        _ => Err(ConvError::OutOfRange),
    }
}

/// `battery.packs` setter: one digit, within the model's range.
pub fn encode_packs(ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    let n = whole(arg)?;
    let range = ctx
        .state
        .masterguard
        .packs
        .ok_or(ConvError::Missing("device.model"))?;
    if !range.iter().any(|&(lo, hi)| (lo..=hi).contains(&n)) || !(0..=9).contains(&n) {
        return Err(ConvError::OutOfRange);
    }
    put(out, format_args!("{n}"))
}

/// `device.uptime` setter: seconds, or `TTTT:hh:mm:ss`, sent as `TTTT:hh:mm:ss`.
pub fn encode_uptime(_ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    let seconds = if arg.contains(':') {
        uptime_seconds(arg.as_bytes())?
    } else if !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_digit()) {
        arg.parse::<u64>().map_err(|_| ConvError::OutOfRange)?
    } else {
        return Err(ConvError::Malformed(
            "uptime is neither seconds nor TTTT:hh:mm:ss",
        ));
    };
    Ok(write_uptime(seconds, &mut Fmt(out))?)
}

/// `output.voltage.nominal` setter: three digits.
pub fn encode_voltage(_ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    match whole(arg)? {
        n @ 0..=999 => put(out, format_args!("{n:03}")),
        _ => Err(ConvError::OutOfRange),
    }
}

/// The off delay: `.n` tenths of a minute below 60 s, otherwise two-digit minutes up to 99.
fn delay(ctx: &CmdCtx<'_>, out: &mut Cmd) -> Result<(), ConvError> {
    let off = ctx
        .int("ups.delay.shutdown")
        .ok_or(ConvError::Missing("ups.delay.shutdown"))?;
    match off {
        0..=59 => put(out, format_args!(".{}", off / 6)),
        60..=5940 => put(out, format_args!("{:02}", off / 60)),
        _ => Err(ConvError::OutOfRange),
    }
}

/// `shutdown.return`: `<d>R<mmmm>`, the restart delay in whole minutes.
pub fn encode_return(ctx: &CmdCtx<'_>, _arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    let on = ctx
        .int("ups.delay.start")
        .ok_or(ConvError::Missing("ups.delay.start"))?;
    if !(0..=599_940).contains(&on) {
        return Err(ConvError::OutOfRange);
    }
    delay(ctx, out)?;
    put(out, format_args!("R{:04}", on / 60))
}

/// `shutdown.stayoff`: `<d>`.
pub fn encode_stayoff(ctx: &CmdCtx<'_>, _arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    delay(ctx, out)
}

/// `test.battery.start`: `10` is the quick test (nothing added), 60..=5940 s are minutes.
pub fn encode_test(_ctx: &CmdCtx<'_>, arg: &str, out: &mut Cmd) -> Result<(), ConvError> {
    match whole(arg)? {
        10 => Ok(()),
        s @ 60..=5940 => put(out, format_args!("{:02}", s / 60)),
        _ => Err(ConvError::OutOfRange),
    }
}

/// The claim's last check: a configured `slave_address` must be the learned one.
pub fn verify(
    _vars: &crate::nut::vars::Vars,
    state: &super::State,
    options: &Options,
    _auto: bool,
) -> bool {
    let s = &state.masterguard;
    s.series.is_some()
        && options
            .slave_address
            .is_none_or(|a| a < 100 && s.slave == Some([b'0' + a / 10, b'0' + a % 10]))
}

const WH: &[u8] = b"WH\r";
const Q3: &[u8] = b"Q3\r";
const GS: &[u8] = b"GS,XX\r";
const GBS: &[u8] = b"GBS,XX\r";
const GSN: &[u8] = b"GSN,XX\r";
const DRC: &[u8] = b"DRC,XX\r";
const MSO: &[u8] = b"MSO\r";
const PNV: &[u8] = b"PNV\r";
const FLT: &[u8] = b"FLT,XX\r";

const ST: Flags = Flags::ST;
const NONUT: Flags = Flags::NONUT;
const QP: Flags = Flags::QP;
const SS: Flags = Flags::SS;

const fn wh(name: &'static str, w: Window, c: Conv) -> Item {
    Item::query(name, WH, wh::CHECK, w, c).flags(ST)
}

const fn q3(name: &'static str, w: Window, c: Conv) -> Item {
    Item::query(name, Q3, q3::CHECK, w, c)
}

const fn bit(name: &'static str, w: Window, one: &'static str, zero: &'static str) -> Item {
    q3(name, w, Conv::Bit { one, zero }).flags(QP)
}

const fn custom(f: super::ConvFn) -> Conv {
    Conv::Custom(f)
}

static CONSTANTS: [Item; 3] = [
    Item::constant("device.mfr", "Masterguard").flags(ST),
    Item::constant("load.high", "140").flags(ST),
    Item::constant("battery.type", "PbAc").flags(ST),
];

/// `ups.id`: 0..=99.
const ID_RANGE: &[(i64, i64)] = &[(0, 99)];

static WH_ITEMS: [Item; 20] = {
    use wh::field::*;
    [
        Item::query("ups.id", WH, wh::CHECK, ID, custom(ups_id))
            .flags(SS)
            .rw(Rw::Range(ID_RANGE)),
        wh("ups.firmware", FIRMWARE, Conv::Text),
        wh("ups.firmware.aux", FIRMWARE_AUX, Conv::Text),
        wh("masterguard.series", SERIES, custom(series)).flags(NONUT),
        wh("device.model", MODEL, custom(device_model)),
        wh("ups.power.nominal", MODEL, custom(power_nominal)),
        wh(
            "input.voltage.nominal",
            INPUT_VOLTAGE_NOMINAL,
            Conv::Number(0),
        ),
        wh(
            "input.frequency.nominal",
            INPUT_FREQUENCY_NOMINAL,
            Conv::Number(2),
        ),
        wh("masterguard.cells", CELLS, custom(cells)).flags(NONUT),
        wh("masterguard.cell_voltage", CELL_VOLTAGE, Conv::Number(2)).flags(NONUT),
        wh("battery.voltage.nominal", CELL_VOLTAGE, custom(times_cells)),
        wh(
            "masterguard.runtime_half_load",
            RUNTIME_HALF,
            custom(duration),
        )
        .flags(NONUT),
        wh(
            "masterguard.runtime_full_load",
            RUNTIME_FULL,
            custom(duration),
        )
        .flags(NONUT),
        wh("masterguard.recharge_time", RECHARGE, custom(hours)).flags(NONUT),
        wh("ambient.0.temperature.low", AMBIENT_LOW, Conv::Number(0)),
        wh("ambient.0.temperature.high", AMBIENT_HIGH, Conv::Number(0)),
        wh(
            "input.voltage.low.critical",
            INPUT_VOLTAGE_LOW,
            Conv::Number(0),
        ),
        wh(
            "input.voltage.high.critical",
            INPUT_VOLTAGE_HIGH,
            Conv::Number(0),
        ),
        wh("input.frequency.low", INPUT_FREQUENCY_LOW, Conv::Number(2)),
        wh(
            "input.frequency.high",
            INPUT_FREQUENCY_HIGH,
            Conv::Number(2),
        ),
    ]
};

static Q3_ITEMS: [Item; 23] = {
    use q3::field::*;
    [
        q3("input.voltage", INPUT_VOLTAGE, Conv::Number(1)),
        q3(
            "masterguard.input_fault_voltage",
            INPUT_FAULT_VOLTAGE,
            Conv::Number(1),
        )
        .flags(NONUT),
        q3("output.voltage", OUTPUT_VOLTAGE, Conv::Number(1)),
        q3("ups.load", LOAD, Conv::Number(0)),
        q3("ups.power", LOAD, custom(ups_power)),
        q3("output.current", LOAD, custom(output_current)),
        q3("input.frequency", INPUT_FREQUENCY, Conv::Number(1)),
        q3("battery.voltage", CELL_VOLTAGE, custom(times_cells)),
        q3("ups.temperature", TEMPERATURE, Conv::Number(1)),
        q3("ambient.0.temperature", TEMPERATURE, Conv::Number(1)),
        q3("battery.runtime", RUNTIME, custom(duration)),
        q3("battery.charge", CHARGE, Conv::Number(0)),
        bit("ups.status", UTILITY_FAIL, "!OL", "OL"),
        bit("ups.status", BATTERY_LOW, "LB", "!LB"),
        bit("ups.status", BYPASS, "BYPASS", "!BYPASS"),
        bit("ups.alarm", UPS_FAILED, "UPS Failed", ""),
        q3(
            "ups.type",
            UPS_TYPE,
            Conv::Bit {
                one: "offline",
                zero: "online",
            },
        )
        .flags(ST),
        bit("ups.status", TEST_IN_PROGRESS, "CAL", "!CAL"),
        bit("ups.status", SHUTDOWN_ACTIVE, "FSD", "!FSD"),
        Item::query(
            "ups.alarm",
            Q3,
            q3::CHECK_T6,
            PARALLEL_PROBLEM,
            Conv::Bit {
                one: "problems in parallel operation mode",
                zero: "",
            },
        )
        .flags(QP),
        bit("ups.status", REPLACE_BATTERY, "RB", "!RB"),
        bit("ups.alarm", NO_BATTERY, "no battery connected", ""),
        q3("ups.test.result", TEST_RESULT, custom(test_result)).flags(QP),
    ]
};

static OTHER_QUERIES: [Item; 12] = [
    Item::query("battery.packs", GS, gs::CHECK, gs::PACKS, custom(packs))
        .flags(SS)
        .addressed(),
    Item::query(
        "ups.beeper.status",
        GS,
        gs::CHECK_BEEPER,
        gs::BEEPER,
        Conv::Bit {
            one: "enabled",
            zero: "disabled",
        },
    )
    .flags(SS)
    .addressed(),
    Item::query(
        "battery.charge",
        GBS,
        gbs::CHECK,
        gbs::CHARGE,
        Conv::Number(0),
    )
    .addressed(),
    Item::query(
        "masterguard.ageing_factor",
        GBS,
        gbs::CHECK,
        gbs::AGEING,
        Conv::Number(0),
    )
    .flags(NONUT)
    .addressed(),
    Item::query(
        "masterguard.calibration_factor",
        GBS,
        gbs::CHECK,
        gbs::CALIBRATION,
        Conv::Number(0),
    )
    .flags(NONUT)
    .addressed(),
    Item::query("device.part", GSN, gsn::CHECK, gsn::PART, Conv::Text)
        .flags(ST.with(Flags::TR))
        .addressed(),
    Item::query("device.serial", GSN, gsn::CHECK, gsn::SERIAL, Conv::Text)
        .flags(ST)
        .addressed(),
    Item::query(
        "device.uptime",
        DRC,
        drc::CHECK,
        drc::UPTIME,
        custom(uptime),
    )
    .flags(SS)
    .rw(Rw::String(13))
    .addressed(),
    Item::query(
        "masterguard.output_voltages",
        MSO,
        mso::CHECK,
        mso::LIST,
        custom(output_voltages),
    )
    .flags(NONUT.with(ST)),
    Item::query(
        "output.voltage.nominal",
        PNV,
        pnv::CHECK,
        pnv::VOLTAGE,
        Conv::Number(0),
    )
    .flags(SS)
    .rw(Rw::DeviceEnum),
    Item::query(
        "output.current.nominal",
        PNV,
        pnv::CHECK,
        pnv::VOLTAGE,
        custom(output_current_nominal),
    )
    .flags(SS),
    Item::query(
        "masterguard.faults",
        FLT,
        flt::CHECK,
        flt::ALL,
        custom(faults),
    )
    .flags(NONUT)
    .addressed(),
];

const fn cmd(name: &'static str, bytes: &'static [u8]) -> Item {
    Item::command(name, bytes).flags(Flags::ECHO)
}

const fn cmd_with(name: &'static str, t: &'static [u8], f: super::EncodeFn) -> Item {
    Item::command_with(name, t, f).flags(Flags::ECHO)
}

const fn set(name: &'static str, t: &'static [u8], f: super::EncodeFn) -> Item {
    Item::setting(name, t, Setter::Send(f)).flags(Flags::ECHO)
}

/// Any pack count a model allows; the model's own range is checked when encoding.
const PACKS_ANY: &[(i64, i64)] = &[(0, 5)];

static CONTROLS: [Item; 19] = [
    set("ups.id", b"SS%s--,XX\r", encode_id)
        .rw(Rw::Range(ID_RANGE))
        .addressed(),
    set("battery.packs", b"SS--%s-,XX\r", encode_packs)
        .rw(Rw::Range(PACKS_ANY))
        .addressed(),
    set("device.uptime", b"SRC%s,XX\r", encode_uptime)
        .rw(Rw::String(13))
        .addressed(),
    set("output.voltage.nominal", b"PNV=%s\r", encode_voltage).rw(Rw::DeviceEnum),
    cmd_with("shutdown.return", b"S%s\r", encode_return),
    cmd_with("shutdown.stayoff", b"S%s\r", encode_stayoff),
    cmd("shutdown.stop", b"C\r"),
    cmd_with("test.battery.start", b"T%s\r", encode_test),
    cmd("test.battery.start.quick", b"T\r"),
    cmd("test.battery.start.low", b"TL\r"),
    cmd("test.battery.start.deep", b"TUD,XX\r").addressed(),
    cmd("test.battery.stop", b"CT\r"),
    cmd("clear.fault.record", b"FCLR,XX\r").addressed(),
    cmd("bypass.start", b"FOFF\r"),
    cmd("bypass.stop", b"FON\r"),
    cmd("beeper.enable", b"SS---1,XX\r").addressed(),
    cmd("beeper.disable", b"SS---0,XX\r").addressed(),
    Item::setting("ups.delay.start", b"", Setter::Store(None))
        .flags(Flags::AB)
        .rw(Rw::Range(&[(0, 599_940)]))
        .default("180"),
    Item::setting("ups.delay.shutdown", b"", Setter::Store(None))
        .flags(Flags::AB)
        .rw(Rw::Range(&[(0, 5940)]))
        .default("30"),
];

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "masterguard",
    version: "Masterguard 0.05",
    items: &[&CONSTANTS, &WH_ITEMS, &Q3_ITEMS, &OTHER_QUERIES, &CONTROLS],
    accepted: None,
    rejected: None,
    claim: Claim {
        verify: Some(verify),
        ..Claim::items(&[
            "masterguard.series",
            "device.model",
            "ups.power.nominal",
            "ups.id",
            "masterguard.output_voltages",
        ])
    },
    accepts: Accepts {
        norating: false,
        novendor: false,
        ignoresab: false,
        nooutstats: false,
    },
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Device, block_on};
    use crate::ups::SetOutcome;
    use crate::{Options, Ups};
    use std::vec::Vec;

    const WH_ANSWER: &[u8] = b"(00 10.06 03.09 A  700  + 0 Bat Pack-19        0 230 50.00 012 02.30 006.00 012.00 018 10 40 160 276 47.00 53.00\r";
    const Q3_ANSWER: &[u8] =
        b"(00 225.9 225.9 229.3 043 50.0 02.27 23.4 017.03 100 00000000 00000000\r";

    /// Answers from the masterguard table; anything else is echoed, like NUT's harness.
    fn script() -> Device {
        Device::new(
            &[
                (WH, WH_ANSWER),
                (MSO, b"(220 230 240\r"),
                (Q3, Q3_ANSWER),
                (PNV, b"(PNV=230\r"),
                (b"GS,00\r", b"(00,00 0 1\r"),
            ],
            None,
        )
    }

    /// A claimed masterguard (slave 00, A700-19) with the delays at their defaults.
    fn claimed(options: Options) -> (Ups, bool) {
        let mut ups = Ups::new(&DIALECT, options);
        let ok = block_on(ups.claim(&mut script(), true)).unwrap();
        ups.publish("ups.delay.start", "180").unwrap();
        ups.publish("ups.delay.shutdown", "30").unwrap();
        (ups, ok)
    }

    /// A reply that is neither empty nor the echoed command refuses the command (NUT's
    /// build counted any reply as success here).
    #[test]
    fn masterguard_command_fails_on_a_reply_that_is_not_an_echo() {
        let (mut ups, ok) = claimed(Options::new());
        assert!(ok);
        let mut dev = script();
        dev.table.push((b"FON\r", b"(NAK\r"));
        let got = block_on(ups.instcmd(&mut dev, "bypass.stop", None));
        assert!(got.is_err(), "{got:?}");
        let got = block_on(ups.instcmd(&mut script(), "bypass.stop", None));
        assert!(got.is_ok(), "{got:?}");
    }

    fn sent_by(
        ups: &mut Ups,
        f: impl FnOnce(&mut Ups, &mut Device) -> bool,
    ) -> (bool, Vec<Vec<u8>>) {
        let mut dev = script();
        let ok = f(ups, &mut dev);
        (ok, dev.sent)
    }

    #[test]
    fn accepts_wh_and_q3() {
        let (mut ups, ok) = claimed(Options::new());
        assert!(ok);
        assert_eq!(ups.state().masterguard.slave(), Some(*b"00"));
        assert_eq!(ups.vars().get("device.model"), Some("A700-19"));
        assert_eq!(
            ups.vars().var("ups.id").map(|v| v.rw()),
            Some(Rw::Range(ID_RANGE))
        );
        ups.decode(WH, WH_ANSWER).unwrap();
        assert_eq!(ups.vars().get("battery.voltage.nominal"), Some("27.60"));
        ups.decode(Q3, Q3_ANSWER).unwrap();
        assert_eq!(ups.vars().get("ups.power"), Some("302"));
        assert_eq!(ups.vars().get("output.current"), Some("1.32"));
        assert_eq!(ups.vars().get("battery.voltage"), Some("27.24"));
        assert_eq!(ups.vars().get("battery.runtime"), Some("1023"));
        assert_eq!(ups.vars().get("ups.status"), Some("OL"));
    }

    #[test]
    fn rejects_unknown_models_series_and_bad_bits() {
        let mut bad = WH_ANSWER.to_vec();
        bad[16..22].copy_from_slice(b"X  700");
        let mut ups = Ups::new(&DIALECT, Options::new());
        assert!(ups.decode(WH, &bad).is_err());
        assert_eq!(ups.vars().get("device.model"), None);
        assert_eq!(ups.state().masterguard.series(), None);
        let mut bad = WH_ANSWER.to_vec();
        bad[17..22].copy_from_slice(b" 900 ");
        let mut ups = Ups::new(&DIALECT, Options::new());
        let _ = ups.decode(WH, &bad);
        assert_eq!(ups.vars().get("device.model"), None);
        let (mut ups, _) = claimed(Options::new());
        let mut q3 = Q3_ANSWER.to_vec();
        q3[53] = b'x';
        assert!(ups.decode(Q3, &q3).is_err());
        assert!(ups.decode(Q3, &Q3_ANSWER[..60]).is_err());
        assert!(ups.decode(MSO, b"(220 2x0\r").is_err());
    }

    #[test]
    fn a_configured_slave_address_must_match() {
        let mut o = Options::new();
        o.slave_address = Some(0);
        assert!(claimed(o).1);
        let mut o = Options::new();
        o.slave_address = Some(1);
        assert!(!claimed(o).1);
        let mut o = Options::new();
        o.slave_address = Some(100);
        assert!(!claimed(o).1);
    }

    /// NUT bug §6.10: the integer setters leave the value unformatted and send nothing (or a
    /// bare `240`).
    #[test]
    fn masterguard_integer_setters_work() {
        let (mut ups, _) = claimed(Options::new());
        block_on(ups.init(&mut script(), 0)).unwrap();
        let (ok, sent) = sent_by(&mut ups, |u, d| {
            block_on(u.setvar(d, "output.voltage.nominal", "240")) == Ok(SetOutcome::Sent)
        });
        assert!(ok);
        assert_eq!(sent, [b"PNV=240\r".to_vec()]);
        // A700-19 has no packs; the range comes from the model.
        let (ok, sent) = sent_by(&mut ups, |u, d| {
            block_on(u.setvar(d, "battery.packs", "1")).is_ok()
        });
        assert!(!ok && sent.is_empty());
        let (ok, sent) = sent_by(&mut ups, |u, d| {
            block_on(u.setvar(d, "ups.id", "5")) == Ok(SetOutcome::Sent)
        });
        assert!(ok);
        assert_eq!(sent, [b"SS05--,00\r".to_vec()]);
        // The new ID addresses what follows.
        assert_eq!(ups.state().masterguard.slave(), Some(*b"05"));
        let (_, sent) = sent_by(&mut ups, |u, d| {
            block_on(u.instcmd(d, "beeper.enable", None)).is_ok()
        });
        assert_eq!(sent, [b"SS---1,05\r".to_vec()]);
        let (ok, _) = sent_by(&mut ups, |u, d| {
            block_on(u.setvar(d, "ups.id", "100")).is_ok()
        });
        assert!(!ok);
    }

    #[test]
    fn masterguard_packs_setter_uses_the_model_range() {
        let mut state = super::super::State::default();
        state.masterguard.packs = Some(&[(1, 5)]);
        let vars = crate::nut::vars::Vars::new();
        let ctx = CmdCtx {
            vars: &vars,
            state: &state,
        };
        let mut out = Cmd::new();
        encode_packs(&ctx, "3", &mut out).unwrap();
        assert_eq!(out, b"3");
        assert!(encode_packs(&ctx, "0", &mut Cmd::new()).is_err());
        assert!(encode_packs(&ctx, "6", &mut Cmd::new()).is_err());
    }

    /// NUT bug §6.10: the restart delay went out in seconds (180 s → `R0180`, three hours).
    #[test]
    fn masterguard_restart_delay_in_minutes() {
        let (mut ups, _) = claimed(Options::new());
        let (ok, sent) = sent_by(&mut ups, |u, d| {
            block_on(u.instcmd(d, "shutdown.return", None)).is_ok()
        });
        assert!(ok);
        assert_eq!(sent, [b"S.5R0003\r".to_vec()]);
        ups.publish("ups.delay.start", "599940").unwrap();
        ups.publish("ups.delay.shutdown", "5940").unwrap();
        let (_, sent) = sent_by(&mut ups, |u, d| {
            block_on(u.instcmd(d, "shutdown.return", None)).is_ok()
        });
        assert_eq!(sent, [b"S99R9999\r".to_vec()]);
        ups.publish("ups.delay.shutdown", "5941").unwrap();
        let (ok, sent) = sent_by(&mut ups, |u, d| {
            block_on(u.instcmd(d, "shutdown.stayoff", None)).is_ok()
        });
        assert!(!ok && sent.is_empty());
    }

    /// NUT bug §6.10: the uptime setter was meant to take `TTTT:hh:mm:ss` too.
    #[test]
    fn masterguard_uptime_setter_takes_days_hours_minutes_seconds() {
        let (mut ups, _) = claimed(Options::new());
        for value in ["90061", "0001:01:01:01"] {
            let (ok, sent) = sent_by(&mut ups, |u, d| {
                block_on(u.setvar(d, "device.uptime", value)) == Ok(SetOutcome::Sent)
            });
            assert!(ok, "{value}");
            assert_eq!(sent, [b"SRC0001:01:01:01,00\r".to_vec()]);
        }
        let (ok, _) = sent_by(&mut ups, |u, d| {
            block_on(u.setvar(d, "device.uptime", "1:1")).is_ok()
        });
        assert!(!ok);
    }

    /// Kept from NUT (spec §5.19): the nominal current divides by the measured voltage.
    #[test]
    fn masterguard_output_current_nominal_uses_measured_voltage() {
        let (mut ups, _) = claimed(Options::new());
        ups.decode(WH, WH_ANSWER).unwrap();
        ups.decode(Q3, Q3_ANSWER).unwrap();
        ups.decode(PNV, b"(PNV=230\r").unwrap();
        assert_eq!(ups.vars().get("output.current.nominal"), Some("3.06"));
    }

    #[test]
    fn test_command_needs_ten_seconds_or_whole_minutes() {
        let (mut ups, _) = claimed(Options::new());
        for (arg, want) in [
            (Some("10"), Some(&b"T\r"[..])),
            (Some("240"), Some(b"T04\r")),
            (Some("30"), None),
            (None, None),
        ] {
            let (ok, sent) = sent_by(&mut ups, |u, d| {
                block_on(u.instcmd(d, "test.battery.start", arg)).is_ok()
            });
            assert_eq!(ok, want.is_some(), "{arg:?}");
            assert_eq!(sent.first().map(Vec::as_slice), want, "{arg:?}");
        }
    }
}
