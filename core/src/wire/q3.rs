//! The masterguard `Q3` status answer, spec §5.19:
//!
//! ```text
//! (00 225.9 225.9 229.3 043 50.0 02.27 23.4 017.03 100 00000000 00000000\r
//! ```
//!
//! Status bits B7..B0 sit at 53..60, the second byte T7..T0 at 62..69 (T2..T0 together are the
//! test result).

use super::masterguard::{MgError, minutes_seconds};
use super::{Answer, Check, FrameError, Window};
use crate::number::Decimal;

/// Validation of a `Q3` answer: 71 bytes, lead `(`.
pub const CHECK: Check = Check::new(71, b'(');
/// Validation for the T6 bit, which NUT reads from 69 bytes on.
pub const CHECK_T6: Check = Check::new(69, b'(');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Slave address.
    pub const ID: Window = Window::span(1, 2);
    /// Input voltage.
    pub const INPUT_VOLTAGE: Window = Window::span(4, 8);
    /// Input fault voltage.
    pub const INPUT_FAULT_VOLTAGE: Window = Window::span(10, 14);
    /// Output voltage.
    pub const OUTPUT_VOLTAGE: Window = Window::span(16, 20);
    /// Load, percent.
    pub const LOAD: Window = Window::span(22, 24);
    /// Input frequency.
    pub const INPUT_FREQUENCY: Window = Window::span(26, 29);
    /// Battery voltage per cell.
    pub const CELL_VOLTAGE: Window = Window::span(31, 35);
    /// Temperature, °C.
    pub const TEMPERATURE: Window = Window::span(37, 40);
    /// Runtime, `mmm.ss`.
    pub const RUNTIME: Window = Window::span(42, 47);
    /// Battery charge, percent.
    pub const CHARGE: Window = Window::span(49, 51);
    /// B7: utility fail.
    pub const UTILITY_FAIL: Window = Window::at(53);
    /// B6: battery low.
    pub const BATTERY_LOW: Window = Window::at(54);
    /// B5: bypass.
    pub const BYPASS: Window = Window::at(55);
    /// B4: UPS failed.
    pub const UPS_FAILED: Window = Window::at(56);
    /// B3: offline type.
    pub const UPS_TYPE: Window = Window::at(57);
    /// B2: test in progress.
    pub const TEST_IN_PROGRESS: Window = Window::at(58);
    /// B1: shutdown active.
    pub const SHUTDOWN_ACTIVE: Window = Window::at(59);
    /// T6: problems in parallel operation.
    pub const PARALLEL_PROBLEM: Window = Window::at(63);
    /// T4: replace battery.
    pub const REPLACE_BATTERY: Window = Window::at(65);
    /// T3: no battery connected.
    pub const NO_BATTERY: Window = Window::at(66);
    /// T2..T0: test result.
    pub const TEST_RESULT: Window = Window::span(67, 69);
}

/// The test result T2..T0, as NUT's text.
pub fn test_result(bits: &[u8]) -> Result<&'static str, MgError> {
    Ok(match bits {
        b"000" => "no test in progress",
        b"001" => "in progress",
        b"010" => "OK",
        b"011" => "failed",
        b"100" => "not possible",
        b"101" => "aborted",
        b"110" => "autonomy time calibration in progress",
        b"111" => "unknown",
        _ => return Err(MgError::Malformed("test result is not three bits")),
    })
}

/// Measurements and flags of a `Q3` answer, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q3Reading {
    /// Input voltage, V.
    pub input_voltage: Decimal,
    /// Output voltage, V.
    pub output_voltage: Decimal,
    /// Load, percent.
    pub load: Decimal,
    /// Input frequency, Hz.
    pub input_frequency: Decimal,
    /// Battery voltage per cell, V.
    pub cell_voltage: Decimal,
    /// Temperature, °C.
    pub temperature: Decimal,
    /// Runtime, seconds.
    pub runtime: u32,
    /// Battery charge, percent.
    pub charge: Decimal,
    /// B7: on battery.
    pub utility_fail: bool,
    /// B6: battery low.
    pub battery_low: bool,
    /// B5: on bypass.
    pub bypass: bool,
    /// T4: replace battery.
    pub replace_battery: bool,
    /// T2..T0 as text.
    pub test_result: &'static str,
}

/// A zero-copy view of a validated `Q3` answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q3Frame<'a>(Answer<'a>);

impl<'a> Q3Frame<'a> {
    /// Validates `bytes` as a `Q3` answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    fn number(&self, w: Window) -> Result<Decimal, MgError> {
        Ok(Decimal::parse_unsigned_field(self.0.field(w))?)
    }

    fn bit(&self, w: Window) -> Result<bool, MgError> {
        match self.0.field(w) {
            b"1" => Ok(true),
            b"0" => Ok(false),
            _ => Err(MgError::Malformed("status bit is not 0 or 1")),
        }
    }

    /// Every value of the answer.
    pub fn parse(&self) -> Result<Q3Reading, MgError> {
        use field::*;
        Ok(Q3Reading {
            input_voltage: self.number(INPUT_VOLTAGE)?,
            output_voltage: self.number(OUTPUT_VOLTAGE)?,
            load: self.number(LOAD)?,
            input_frequency: self.number(INPUT_FREQUENCY)?,
            cell_voltage: self.number(CELL_VOLTAGE)?,
            temperature: self.number(TEMPERATURE)?,
            runtime: minutes_seconds(self.0.field(RUNTIME))?,
            charge: self.number(CHARGE)?,
            utility_fail: self.bit(UTILITY_FAIL)?,
            battery_low: self.bit(BATTERY_LOW)?,
            bypass: self.bit(BYPASS)?,
            replace_battery: self.bit(REPLACE_BATTERY)?,
            test_result: test_result(self.0.field(TEST_RESULT))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_samples() {
        let r = Q3Frame::new_checked(
            b"(00 225.9 225.9 229.3 043 50.0 02.27 23.4 017.03 100 00000000 00000000\r",
        )
        .unwrap()
        .parse()
        .unwrap();
        assert_eq!(r.output_voltage, Decimal::new(2293, 1));
        assert_eq!(r.runtime, 1023);
        assert_eq!(r.test_result, "no test in progress");
        assert!(!r.utility_fail && !r.bypass);
        let r = Q3Frame::new_checked(
            b"(01 226.9 226.9 226.9 039 50.0 02.30 21.8 000.00 000 01100000 00011000\r",
        )
        .unwrap()
        .parse()
        .unwrap();
        assert!(r.battery_low && r.bypass && r.replace_battery);
    }

    #[test]
    fn rejects_short_and_bad_bits() {
        assert!(Q3Frame::new_checked(b"(00 225.9 225.9\r").is_err());
        let f = Q3Frame::new_checked(
            b"(00 225.9 225.9 229.3 043 50.0 02.27 23.4 017.03 100 0x000000 00000000\r",
        )
        .unwrap();
        assert!(f.parse().is_err());
        assert!(test_result(b"1x1").is_err());
    }
}
