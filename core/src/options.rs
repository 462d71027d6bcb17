//! NUT's driver options that change how answers are read and values estimated, as one struct.
//! The default is the spec's behaviour; each field is named after its `ups.conf` key.

use crate::number::Decimal;
use crate::nut::vars::Text;

/// `runtimecal = rh,lh,rl,ll`: runtime `rh` seconds at load `lh` %, `rl` seconds at `ll` %.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RuntimeCal {
    /// Runtime at the high load, seconds.
    pub runtime_high: Decimal,
    /// The high load, percent.
    pub load_high: Decimal,
    /// Runtime at the low load, seconds.
    pub runtime_low: Decimal,
    /// The low load, percent.
    pub load_low: Decimal,
}

/// Most `default.*` / `override.*` entries kept.
pub const MAX_PRESETS: usize = 8;

/// Driver options (spec §2.10, §3.8 and the per-dialect options).
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Options {
    /// `norating`: never send `F`.
    pub norating: bool,
    /// `novendor`: never send `I` / `FW?`; the claim checks only the status query.
    pub novendor: bool,
    /// `ignoresab`: ignore the "shutdown active" status bit.
    pub ignoresab: bool,
    /// `nooutstats`: never send `WA` (three-phase dialects).
    pub nooutstats: bool,
    /// `battery_voltage_reports_one_pack`: the device reports the voltage of one pack (or cell).
    pub battery_voltage_reports_one_pack: bool,
    /// `runtimecal`: estimate runtime from load.
    pub runtimecal: Option<RuntimeCal>,
    /// `chargetime`: seconds from empty to full (default 43200).
    pub chargetime: Option<u32>,
    /// `idleload`: the load, percent, below which runtime no longer grows (default 10).
    pub idleload: Option<u8>,
    /// `ondelay`: `ups.delay.start`, applied after initialisation.
    pub ondelay: Option<i64>,
    /// `offdelay`: `ups.delay.shutdown`, applied after initialisation.
    pub offdelay: Option<i64>,
    /// `stayoff`: shut down with `shutdown.stayoff` instead of `shutdown.return`.
    pub stayoff: bool,
    /// bestups `pins_shutdown_mode` (0..6), set once at initialisation.
    pub pins_shutdown_mode: Option<u8>,
    /// masterguard `slave_address` (0..99): the address the device must report.
    pub slave_address: Option<u8>,
    /// The USB vendor ID of the device (`ups.vendorid`), when on USB.
    pub usb_vendor: Option<u16>,
    /// `default.NAME = value`: published before the device is read; the device may replace it.
    pub defaults: heapless::Vec<(&'static str, Text), MAX_PRESETS>,
    /// `override.NAME = value`: published and never replaced by the device.
    pub overrides: heapless::Vec<(&'static str, Text), MAX_PRESETS>,
}

impl Options {
    /// The spec's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when `override.NAME` is set.
    pub fn is_overridden(&self, name: &str) -> bool {
        self.overrides.iter().any(|(n, _)| *n == name)
    }
}
