//! What the virtual UPS measures and how its battery behaves over time.
//!
//! Every value is an integer in a fixed unit (no floats in the core): volts and hertz in
//! tenths, battery voltage in hundredths, charge in thousandths of a percent, temperature in
//! tenths of a degree Celsius.

/// Milli-percent in 100 %.
pub const FULL_CHARGE: u32 = 100_000;

/// A pending shutdown (`S…`): output off after `off_in_ms`, back on `restart_ms` after mains
/// is present again (`None`: stays off until `C`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shutdown {
    /// Milliseconds until the output goes off (0 once it is off).
    pub off_in_ms: u64,
    /// Milliseconds on mains, after the output went off, before it comes back.
    pub restart_ms: Option<u64>,
}

/// A running battery test (`T`, `TL`, `Tnn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Test {
    /// Runs for this many more milliseconds.
    For(u64),
    /// Runs until the battery is low (`TL`).
    UntilLow,
}

/// The device's state: settable by the caller, changed by commands and by [`UpsState::advance`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpsState {
    /// Input (L1) voltage, 0.1 V.
    pub input_voltage: u32,
    /// Input voltage at the last fault, 0.1 V.
    pub input_fault_voltage: u32,
    /// Output voltage while the output is on, 0.1 V.
    pub output_voltage: u32,
    /// Input frequency, 0.1 Hz.
    pub input_frequency: u32,
    /// Output frequency, 0.1 Hz.
    pub output_frequency: u32,
    /// Load, percent of the rated power.
    pub load: u32,
    /// Temperature, 0.1 °C.
    pub temperature: i32,
    /// Battery voltage (the whole string), 0.01 V. Recomputed from the charge by
    /// [`UpsState::set_charge`] and [`UpsState::advance`].
    pub battery_voltage: u32,
    /// Battery charge, 0.001 % (0..=[`FULL_CHARGE`]).
    pub charge: u32,
    /// Rated voltage, 0.1 V.
    pub nominal_voltage: u32,
    /// Rated current, A.
    pub nominal_current: u32,
    /// Rated battery voltage, 0.1 V (two volts per cell).
    pub nominal_battery_voltage: u32,
    /// Rated frequency, 0.1 Hz.
    pub nominal_frequency: u32,
    /// Rated apparent power, VA.
    pub nominal_power: u32,
    /// Utility failed: running on battery (Q1 b7).
    pub on_battery: bool,
    /// Battery low (Q1 b6). [`UpsState::advance`] sets it below `low_battery_charge` on battery.
    pub low_battery: bool,
    /// Boost / buck / bypass active (Q1 b5).
    pub bypass: bool,
    /// UPS failed (Q1 b4).
    pub failed: bool,
    /// Line-interactive / offline type (Q1 b3); online when false.
    pub line_interactive: bool,
    /// Beeper on (Q1 b0); `Q` toggles it.
    pub beeper: bool,
    /// The output is off (after a shutdown); voltages and load read 0.
    pub output_off: bool,
    /// A battery test in progress (Q1 b2).
    pub test: Option<Test>,
    /// A shutdown pending or done (Q1 b1 while set).
    pub shutdown: Option<Shutdown>,
    /// Runtime from full at 100 % load, seconds (drain rate).
    pub full_load_runtime_s: u32,
    /// Time from empty to full on mains, seconds.
    pub recharge_s: u32,
    /// Charge, percent, under which the battery counts as low on battery.
    pub low_battery_charge: u32,
    /// Manufacturer (identity answers).
    pub manufacturer: &'static str,
    /// Model.
    pub model: &'static str,
    /// Firmware version.
    pub firmware: &'static str,
    /// Serial number.
    pub serial: &'static str,
}

impl Default for UpsState {
    fn default() -> Self {
        Self::new()
    }
}

impl UpsState {
    /// A healthy 230 V / 50 Hz line-interactive unit with a full 24 V battery at 14 % load.
    pub fn new() -> Self {
        let mut s = Self {
            input_voltage: 2150,
            input_fault_voltage: 1950,
            output_voltage: 2300,
            input_frequency: 490,
            output_frequency: 490,
            load: 14,
            temperature: 300,
            battery_voltage: 0,
            charge: FULL_CHARGE,
            nominal_voltage: 2300,
            nominal_current: 4,
            nominal_battery_voltage: 240,
            nominal_frequency: 500,
            nominal_power: 1000,
            on_battery: false,
            low_battery: false,
            bypass: false,
            failed: false,
            line_interactive: true,
            beeper: false,
            output_off: false,
            test: None,
            shutdown: None,
            full_load_runtime_s: 600,
            recharge_s: 3600,
            low_battery_charge: 20,
            manufacturer: "QXUPS",
            model: "VUPS1",
            firmware: "V1.0",
            serial: "QX000001",
        };
        s.set_charge(FULL_CHARGE);
        s
    }

    /// Sets the charge (clamped) and the battery voltage that goes with it: 1.70 V per cell
    /// empty to 2.27 V per cell full, linear.
    pub fn set_charge(&mut self, charge: u32) {
        self.charge = charge.min(FULL_CHARGE);
        let cells = u64::from(self.nominal_battery_voltage / 20);
        let per_cell = 170 + 57 * u64::from(self.charge) / u64::from(FULL_CHARGE);
        self.battery_voltage = u32::try_from(cells * per_cell).unwrap_or(u32::MAX);
    }

    /// The charge in whole percent.
    pub fn charge_percent(&self) -> u32 {
        self.charge / 1000
    }

    /// Mains fails: input 0 V, running on battery.
    pub fn power_fail(&mut self) {
        self.input_fault_voltage = self.input_voltage;
        self.input_voltage = 0;
        self.input_frequency = 0;
        self.on_battery = true;
    }

    /// Mains comes back at the rated voltage and frequency.
    pub fn power_restore(&mut self) {
        self.input_voltage = self.nominal_voltage;
        self.input_frequency = self.nominal_frequency;
        self.on_battery = false;
        self.low_battery = false;
    }

    /// True while the battery feeds the load (on battery, or testing).
    pub fn discharging(&self) -> bool {
        !self.output_off && (self.on_battery || self.test.is_some())
    }

    /// The output voltage as measured: 0 while the output is off.
    pub fn measured_output_voltage(&self) -> u32 {
        if self.output_off {
            0
        } else {
            self.output_voltage
        }
    }

    /// The load as measured: 0 while the output is off.
    pub fn measured_load(&self) -> u32 {
        if self.output_off { 0 } else { self.load }
    }

    /// Estimated runtime at the present load, seconds.
    pub fn runtime_s(&self) -> u32 {
        let load = u64::from(self.measured_load().max(5));
        let full = u64::from(self.full_load_runtime_s) * 100 / load;
        let rt = full * u64::from(self.charge) / u64::from(FULL_CHARGE);
        u32::try_from(rt).unwrap_or(u32::MAX)
    }

    /// Lets `ms` milliseconds pass: the battery drains on battery (faster under more load) and
    /// recharges on mains; tests and shutdowns count down.
    pub fn advance(&mut self, ms: u64) {
        let full = u64::from(FULL_CHARGE);
        if self.discharging() {
            let load = u64::from(self.measured_load().max(5));
            let span = u64::from(self.full_load_runtime_s.max(1)) * 1000 * 100;
            let drop = full.saturating_mul(ms).saturating_mul(load) / span;
            let left = u64::from(self.charge).saturating_sub(drop);
            self.set_charge(u32::try_from(left).unwrap_or(0));
        } else if !self.on_battery {
            let span = u64::from(self.recharge_s.max(1)) * 1000;
            let rise = full.saturating_mul(ms) / span;
            let now = u64::from(self.charge).saturating_add(rise).min(full);
            self.set_charge(u32::try_from(now).unwrap_or(FULL_CHARGE));
        }
        let low = self.charge_percent() < self.low_battery_charge;
        self.low_battery = self.on_battery && low;
        self.test = match self.test {
            Some(Test::For(left)) if left > ms => Some(Test::For(left - ms)),
            Some(Test::UntilLow) if !low => Some(Test::UntilLow),
            _ => None,
        };
        if let Some(mut sd) = self.shutdown {
            if !self.output_off {
                sd.off_in_ms = sd.off_in_ms.saturating_sub(ms);
                if sd.off_in_ms == 0 {
                    self.output_off = true;
                    self.test = None;
                }
                self.shutdown = Some(sd);
            } else if let Some(restart) = sd.restart_ms.filter(|_| !self.on_battery) {
                if restart > ms {
                    sd.restart_ms = Some(restart - ms);
                    self.shutdown = Some(sd);
                } else {
                    self.shutdown = None;
                    self.output_off = false;
                }
            }
        }
        // An empty battery drops the load.
        if self.on_battery && self.charge == 0 {
            self.output_off = true;
        }
    }

    /// The eight Q1 status bits, b7 first, as `0`/`1` characters.
    pub fn q1_bits(&self) -> [u8; 8] {
        let bit = |b: bool| if b { b'1' } else { b'0' };
        [
            bit(self.on_battery),
            bit(self.low_battery),
            bit(self.bypass),
            bit(self.failed),
            bit(self.line_interactive),
            bit(self.test.is_some()),
            bit(self.shutdown.is_some()),
            bit(self.beeper),
        ]
    }
}
