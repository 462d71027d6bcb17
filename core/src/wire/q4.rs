//! The gtec `Q4` status answer, spec §5.10:
//!
//! ```text
//! (236.7 243.2 212.1 220.1 230.4 002 001 50.0 371 372 041.3 22.9 IM\r
//! ```
//!
//! Numeric fields at fixed offsets, then status letters from 63 to the end of the line.

use super::{Answer, Check, FrameError, Window};
use crate::number::{Decimal, NumberError};

/// Validation of a Q4 answer: 64 bytes, lead `(`.
pub const CHECK: Check = Check::new(64, b'(');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Input voltage.
    pub const INPUT_VOLTAGE: Window = Window::span(1, 5);
    /// Two unmapped voltages.
    pub const UNMAPPED_VOLTAGES: [Window; 2] = [Window::span(7, 11), Window::span(13, 17)];
    /// Input fault voltage.
    pub const INPUT_FAULT_VOLTAGE: Window = Window::span(19, 23);
    /// Output voltage.
    pub const OUTPUT_VOLTAGE: Window = Window::span(25, 29);
    /// Unmapped.
    pub const UNMAPPED_31: Window = Window::span(31, 33);
    /// Load, percent.
    pub const LOAD: Window = Window::span(35, 37);
    /// Input frequency.
    pub const INPUT_FREQUENCY: Window = Window::span(39, 42);
    /// Two unmapped fields.
    pub const UNMAPPED_44_48: [Window; 2] = [Window::span(44, 46), Window::span(48, 50)];
    /// Battery voltage (total).
    pub const BATTERY_VOLTAGE: Window = Window::span(52, 56);
    /// Temperature, °C.
    pub const TEMPERATURE: Window = Window::span(58, 61);
    /// Status letters, see [`super::Letter`].
    pub const STATUS_LETTERS: Window = Window::to_eol(63);
}

/// One status letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Letter {
    /// `A`: utility fail, on battery.
    UtilityFail,
    /// `B`: battery low.
    BatteryLow,
    /// `C`: on bypass.
    Bypass,
    /// `D`: UPS failed.
    UpsFailed,
    /// `E`: battery test in progress.
    TestInProgress,
    /// `F`: shutdown active.
    ShutdownActive,
    /// `G`: site fault.
    SiteFault,
    /// `H`: EPROM failure.
    EpromFail,
    /// `I`: battery test passed.
    TestPassed,
    /// `J`: battery test failed.
    TestFailed,
    /// `K`: battery test found the battery disconnected.
    TestBatteryDisconnected,
    /// `L`: battery test status unknown.
    TestUnknown,
    /// `M`: normal mode (on line).
    Normal,
    /// `N`: overload.
    Overload,
    /// `P`: battery disconnected.
    BatteryDisconnected,
}

impl Letter {
    /// The letter `b` stands for; `None` for a byte with no meaning (ignored).
    pub const fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            b'A' => Self::UtilityFail,
            b'B' => Self::BatteryLow,
            b'C' => Self::Bypass,
            b'D' => Self::UpsFailed,
            b'E' => Self::TestInProgress,
            b'F' => Self::ShutdownActive,
            b'G' => Self::SiteFault,
            b'H' => Self::EpromFail,
            b'I' => Self::TestPassed,
            b'J' => Self::TestFailed,
            b'K' => Self::TestBatteryDisconnected,
            b'L' => Self::TestUnknown,
            b'M' => Self::Normal,
            b'N' => Self::Overload,
            b'P' => Self::BatteryDisconnected,
            _ => return None,
        })
    }

    /// The letters of a status field, in order; bytes with no meaning are skipped.
    pub fn parse_all(status: &[u8]) -> impl Iterator<Item = Self> + '_ {
        status.iter().filter_map(|&b| Self::from_byte(b))
    }
}

/// The numeric values of a Q4 answer, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q4Reading {
    /// Input voltage, V.
    pub input_voltage: Decimal,
    /// Input fault voltage, V.
    pub input_fault_voltage: Decimal,
    /// Output voltage, V.
    pub output_voltage: Decimal,
    /// Load, percent.
    pub load: Decimal,
    /// Input frequency, Hz.
    pub input_frequency: Decimal,
    /// Battery voltage (total), V.
    pub battery_voltage: Decimal,
    /// Temperature, °C.
    pub temperature: Decimal,
}

/// A zero-copy view of a validated Q4 answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q4Frame<'a>(Answer<'a>);

impl<'a> Q4Frame<'a> {
    /// Validates `bytes` as a Q4 answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    fn number(&self, w: Window) -> Result<Decimal, NumberError> {
        Decimal::parse_unsigned_field(self.0.field(w))
    }

    /// The status letters, in order.
    pub fn letters(&self) -> impl Iterator<Item = Letter> + 'a {
        Letter::parse_all(self.0.field(field::STATUS_LETTERS))
    }

    /// Every numeric value of the answer.
    pub fn parse(&self) -> Result<Q4Reading, NumberError> {
        use field::*;
        Ok(Q4Reading {
            input_voltage: self.number(INPUT_VOLTAGE)?,
            input_fault_voltage: self.number(INPUT_FAULT_VOLTAGE)?,
            output_voltage: self.number(OUTPUT_VOLTAGE)?,
            load: self.number(LOAD)?,
            input_frequency: self.number(INPUT_FREQUENCY)?,
            battery_voltage: self.number(BATTERY_VOLTAGE)?,
            temperature: self.number(TEMPERATURE)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"(236.7 243.2 212.1 220.1 230.4 002 001 50.0 371 372 041.3 22.9 IM\r";

    #[test]
    fn reads_the_sample() {
        let f = Q4Frame::new_checked(SAMPLE).unwrap();
        let r = f.parse().unwrap();
        assert_eq!(r.input_fault_voltage, Decimal::new(2201, 1));
        assert_eq!(r.load, Decimal::new(1, 0));
        assert_eq!(r.battery_voltage, Decimal::new(413, 1));
        let letters: std::vec::Vec<Letter> = f.letters().collect();
        assert_eq!(letters, [Letter::TestPassed, Letter::Normal]);
    }

    #[test]
    fn rejects_short_frames_and_skips_unknown_letters() {
        assert!(Q4Frame::new_checked(b"(236.7 243.2\r").is_err());
        assert_eq!(
            Letter::parse_all(b"xA?O").collect::<std::vec::Vec<_>>(),
            [Letter::UtilityFail]
        );
    }
}
