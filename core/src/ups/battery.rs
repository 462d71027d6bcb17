//! Battery charge and runtime when the device does not report them (spec §2.10): the voltage
//! curve between `battery.voltage.low` and `.high`, the pack-count autodetection, and the
//! `runtimecal` model.

use crate::dialect::ConvError;
use crate::dialect::conv::fixed;
use crate::math;
use crate::number::{Decimal, Ratio};
use crate::nut::vars::Vars;
use crate::options::Options;

/// Pack counts tried by the autodetection, largest first.
const PACK_CANDIDATES: [(i64, i64); 17] = [
    (120, 1),
    (100, 1),
    (80, 1),
    (60, 1),
    (48, 1),
    (36, 1),
    (30, 1),
    (24, 1),
    (18, 1),
    (12, 1),
    (8, 1),
    (6, 1),
    (4, 1),
    (3, 1),
    (2, 1),
    (1, 1),
    (1, 2),
];

/// The `runtimecal` model's state.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct RuntimeModel {
    /// Nominal runtime at full charge, seconds.
    nominal: Ratio,
    /// Estimated runtime left, seconds.
    estimate: Ratio,
    exponent: Ratio,
    charge_time: Ratio,
    idle: Ratio,
    /// Effective load of the previous computation.
    effective_load: Ratio,
    last_ms: u64,
}

/// Battery estimation state.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Battery {
    /// The multiplier ran for `battery.voltage` in the current walk.
    pub(crate) multiplier_ran: bool,
    packs: Ratio,
    packs_known: bool,
    one_pack: bool,
    low: Option<Ratio>,
    high: Option<Ratio>,
    nominal: Option<Ratio>,
    /// A charge was reported or computed in the current full walk.
    charge_known: bool,
    /// The device reported `battery.charge` in the current walk.
    pub(crate) reported_charge: bool,
    /// The device reported `battery.runtime` in the current walk.
    pub(crate) reported_runtime: bool,
    model: Option<RuntimeModel>,
}

impl Default for Battery {
    fn default() -> Self {
        Self {
            multiplier_ran: false,
            packs: Ratio::int(1),
            packs_known: false,
            one_pack: false,
            low: None,
            high: None,
            nominal: None,
            charge_known: false,
            reported_charge: false,
            reported_runtime: false,
            model: None,
        }
    }
}

/// Why the battery set-up failed (a configuration the device data cannot support).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BatteryError {
    /// `runtimecal` values out of order or range.
    BadRuntimeCal,
    /// `chargetime` or `idleload` out of range.
    BadOption,
    /// `runtimecal` is set but no charge can be known.
    NoCharge,
    /// A computation failed.
    Conv(ConvError),
}

impl core::fmt::Display for BatteryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadRuntimeCal => f.write_str(
                "runtimecal: need rh,lh,rl,ll with rl >= rh > 0 and 100 >= lh >= ll > 0",
            ),
            Self::BadOption => f.write_str("chargetime must be > 0 and idleload in 1..100"),
            Self::NoCharge => f.write_str("runtimecal set but no battery charge can be known"),
            Self::Conv(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for BatteryError {}

impl From<ConvError> for BatteryError {
    fn from(e: ConvError) -> Self {
        Self::Conv(e)
    }
}

impl From<crate::number::NumberError> for BatteryError {
    fn from(e: crate::number::NumberError) -> Self {
        Self::Conv(e.into())
    }
}

fn read(vars: &Vars, name: &str) -> Option<Ratio> {
    vars.get(name)
        .and_then(|v| Decimal::parse_prefix(v.as_bytes()).ok())
        .map(Decimal::ratio)
}

fn numeric(vars: &Vars, name: &str) -> Option<Ratio> {
    vars.get(name)
        .and_then(|v| Decimal::parse_unsigned_field(v.as_bytes()).ok())
        .map(Decimal::ratio)
}

impl Battery {
    /// The pack count to multiply a one-pack voltage by, when one-pack mode applies.
    pub(crate) fn one_pack_packs(&self) -> Option<Ratio> {
        (self.one_pack && self.packs.cmp_to(Ratio::int(2)).is_ge()).then_some(self.packs)
    }

    /// Start of a full walk.
    pub(crate) fn start_full_walk(&mut self) {
        self.multiplier_ran = false;
        self.charge_known = false;
        self.reported_charge = false;
        self.reported_runtime = false;
    }

    /// The device reported `battery.charge`.
    pub(crate) fn charge_reported(&mut self) {
        self.reported_charge = true;
        self.charge_known = true;
    }

    /// The actual battery voltage: `battery.voltage`, times the pack count unless the
    /// multiplier already applied it.
    fn actual_voltage(&self, vars: &Vars) -> Option<Ratio> {
        let v = read(vars, "battery.voltage")?;
        if self.multiplier_ran {
            Some(v)
        } else {
            v.try_mul(self.packs).ok()
        }
    }

    /// The voltage-based charge (spec §2.10.1). `Ok(false)` when `battery.voltage` is not
    /// published.
    fn voltage_charge(&mut self, vars: &mut Vars) -> Result<bool, ConvError> {
        let Some(va) = self.actual_voltage(vars) else {
            return Ok(false);
        };
        if let (false, Some(low), Some(high)) = (self.charge_known, self.low, self.high) {
            if low.is_positive() && high.cmp_to(low).is_gt() {
                let c = va
                    .try_sub(low)?
                    .try_div(high.try_sub(low)?)?
                    .try_mul(Ratio::int(100))?;
                let c = c.clamp(Ratio::ZERO, Ratio::int(100));
                vars.set("battery.charge", &fixed(c, 0)?)?;
                self.charge_known = true;
            }
        }
        Ok(true)
    }

    /// Set-up after the initialisation walk (spec §2.10).
    pub(crate) fn setup(
        &mut self,
        vars: &mut Vars,
        options: &Options,
        now_ms: u64,
    ) -> Result<(), BatteryError> {
        self.high = read(vars, "battery.voltage.high");
        self.low = read(vars, "battery.voltage.low");
        self.nominal = read(vars, "battery.voltage.nominal");
        if let Some(n) = self.nominal {
            // NUT replaces both when either is unknown, losing a configured
            // `default.battery.voltage.high`; only the unknown one is derived here.
            if self.low.is_none() {
                let low = n.try_mul(Ratio::frac(104, 120))?;
                vars.set("battery.voltage.low", &fixed(low, 2)?)
                    .map_err(ConvError::from)?;
                self.low = Some(low);
            }
            if self.high.is_none() {
                let high = n.try_mul(Ratio::frac(130, 120))?;
                vars.set("battery.voltage.high", &fixed(high, 2)?)
                    .map_err(ConvError::from)?;
                self.high = Some(high);
            }
        }
        if let Some(p) = numeric(vars, "battery.packs") {
            self.packs = p;
            self.packs_known = true;
        }
        if options.battery_voltage_reports_one_pack {
            self.one_pack = true;
            if self.multiplier_ran {
                if let (true, Some(v)) = (
                    self.packs_known,
                    self.one_pack_packs().and(read(vars, "battery.voltage")),
                ) {
                    vars.set("battery.voltage", &fixed(v.try_mul(self.packs)?, 2)?)
                        .map_err(ConvError::from)?;
                }
            }
        }
        if vars.contains("battery.charge") && vars.contains("battery.runtime") {
            return Ok(());
        }
        if !self.packs_known && self.voltage_charge(vars)? {
            if let (Some(n), Some(va)) = (self.nominal, self.actual_voltage(vars)) {
                for (a, b) in PACK_CANDIDATES {
                    let p = Ratio::frac(a, b);
                    let pv = p.try_mul(va)?;
                    if pv.cmp_to(n.try_mul(Ratio::frac(125, 100))?).is_gt() {
                        continue;
                    }
                    if pv.cmp_to(n.try_mul(Ratio::frac(80, 100))?).is_ge() {
                        self.packs = p;
                    }
                    break;
                }
            }
        }
        self.voltage_charge(vars)?;
        let Some(cal) = options.runtimecal else {
            return Ok(());
        };
        let (rh, lh, rl, ll) = (
            cal.runtime_high.ratio(),
            cal.load_high.ratio(),
            cal.runtime_low.ratio(),
            cal.load_low.ratio(),
        );
        if rl.cmp_to(rh).is_lt()
            || !rh.is_positive()
            || lh.cmp_to(Ratio::int(100)).is_gt()
            || ll.cmp_to(lh).is_gt()
            || !ll.is_positive()
        {
            return Err(BatteryError::BadRuntimeCal);
        }
        let exponent = math::ln(rl.try_div(rh)?)?.try_div(math::ln(lh.try_div(ll)?)?)?;
        let nominal = rh.try_mul(math::pow(lh.try_div(Ratio::int(100))?, exponent)?)?;
        if !vars.contains("battery.charge") {
            if let Some(n) = self.nominal {
                self.low = Some(n);
                self.high = Some(n.try_mul(Ratio::frac(115, 100))?);
                self.voltage_charge(vars)?;
            }
        }
        let charge = read(vars, "battery.charge").ok_or(BatteryError::NoCharge)?;
        let charge_time = match options.chargetime {
            Some(0) => return Err(BatteryError::BadOption),
            Some(t) => Ratio::int(i64::from(t)),
            None => Ratio::int(43_200),
        };
        let idle = match options.idleload {
            Some(0) => return Err(BatteryError::BadOption),
            Some(x) if x > 100 => return Err(BatteryError::BadOption),
            Some(x) => Ratio::frac(i64::from(x), 100),
            None => Ratio::frac(10, 100),
        };
        self.model = Some(RuntimeModel {
            nominal,
            estimate: nominal.try_mul(charge)?.try_div(Ratio::int(100))?,
            exponent,
            charge_time,
            idle,
            effective_load: Ratio::int(1),
            last_ms: now_ms,
        });
        Ok(())
    }

    /// After a successful full walk (spec §2.10): estimate what the device did not report.
    pub(crate) fn after_full_walk(
        &mut self,
        vars: &mut Vars,
        on_line: bool,
        now_ms: u64,
    ) -> Result<(), ConvError> {
        if self.reported_charge && self.reported_runtime {
            return Ok(());
        }
        // Without a model from the set-up (NUT's quirk runs it with a nominal of -1), only the
        // voltage curve applies.
        let Some(mut m) = self.model else {
            self.voltage_charge(vars)?;
            return Ok(());
        };
        let dt =
            Ratio::new(i128::from(now_ms.saturating_sub(m.last_ms)), 1000).unwrap_or(Ratio::ZERO);
        m.estimate = if on_line {
            m.nominal.min(
                m.estimate
                    .try_add(m.nominal.try_mul(dt)?.try_div(m.charge_time)?)?,
            )
        } else {
            Ratio::ZERO.max(m.estimate.try_sub(m.effective_load.try_mul(dt)?)?)
        };
        if let (Some(va), Some(low), Some(high)) = (self.actual_voltage(vars), self.low, self.high)
        {
            if va.is_positive() && low.is_positive() && high.cmp_to(low).is_gt() {
                let f = va
                    .try_sub(low)?
                    .try_div(high.try_sub(low)?)?
                    .clamp(Ratio::ZERO, Ratio::int(1));
                if f.cmp_to(m.estimate.try_div(m.nominal)?).is_lt() {
                    m.estimate = f.try_mul(m.nominal)?;
                }
            }
        }
        if !self.reported_charge {
            vars.set(
                "battery.charge",
                &fixed(m.estimate.try_mul(Ratio::int(100))?.try_div(m.nominal)?, 0)?,
            )?;
        }
        if !self.reported_runtime {
            if let Some(load) = read(vars, "ups.load") {
                m.effective_load =
                    math::pow(load.try_div(Ratio::int(100))?, m.exponent)?.max(m.idle);
                vars.set(
                    "battery.runtime",
                    &fixed(m.estimate.try_div(m.effective_load)?, 0)?,
                )?;
            }
        }
        m.last_ms = now_ms;
        self.model = Some(m);
        Ok(())
    }
}
