//! The `Q1` status answer (also the answer to `D` and `QS`), spec §3.1–3.2:
//!
//! ```text
//! (215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r
//! ```

use super::{Answer, Check, FrameError, Window};
use crate::number::{Decimal, NumberError};

/// Validation of a Q1-layout answer: 47 bytes, lead `(`.
pub const CHECK: Check = Check::new(47, b'(');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Input voltage `MMM.M`.
    pub const INPUT_VOLTAGE: Window = Window::span(1, 5);
    /// Input fault voltage `NNN.N`.
    pub const INPUT_FAULT_VOLTAGE: Window = Window::span(7, 11);
    /// Output voltage `PPP.P`.
    pub const OUTPUT_VOLTAGE: Window = Window::span(13, 17);
    /// Load in percent `QQQ`.
    pub const LOAD: Window = Window::span(19, 21);
    /// Input frequency `RR.R`.
    pub const INPUT_FREQUENCY: Window = Window::span(23, 26);
    /// Battery voltage (`S.SS` per cell or `SS.S` total).
    pub const BATTERY_VOLTAGE: Window = Window::span(28, 31);
    /// Temperature `TT.T` in °C.
    pub const TEMPERATURE: Window = Window::span(33, 36);
    /// Position of status bit b7 (utility fail); b0 is at `B7 + 7`.
    pub const B7: u16 = 38;
    /// b7: utility fail (on battery).
    pub const UTILITY_FAIL: Window = Window::at(38);
    /// b6: battery low.
    pub const BATTERY_LOW: Window = Window::at(39);
    /// b5: bypass, boost or buck active.
    pub const BYPASS_BOOST_BUCK: Window = Window::at(40);
    /// b4: UPS failed.
    pub const UPS_FAILED: Window = Window::at(41);
    /// b3: UPS type (1 = offline / line interactive).
    pub const UPS_TYPE: Window = Window::at(42);
    /// b2: test in progress.
    pub const TEST_IN_PROGRESS: Window = Window::at(43);
    /// b1: shutdown active.
    pub const SHUTDOWN_ACTIVE: Window = Window::at(44);
    /// b0: beeper on.
    pub const BEEPER_ON: Window = Window::at(45);
}

/// The eight status bits b7..b0 of a Q1 answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Bits(pub u8);

impl Bits {
    /// b7: the utility failed, the UPS runs on battery.
    pub const fn utility_fail(self) -> bool {
        self.0 & 0x80 != 0
    }
    /// b6: battery low.
    pub const fn battery_low(self) -> bool {
        self.0 & 0x40 != 0
    }
    /// b5: bypass, boost or buck active.
    pub const fn bypass_boost_buck(self) -> bool {
        self.0 & 0x20 != 0
    }
    /// b4: the UPS failed.
    pub const fn ups_failed(self) -> bool {
        self.0 & 0x10 != 0
    }
    /// b3: offline / line-interactive (else online).
    pub const fn standby(self) -> bool {
        self.0 & 0x08 != 0
    }
    /// b2: test in progress.
    pub const fn test_in_progress(self) -> bool {
        self.0 & 0x04 != 0
    }
    /// b1: shutdown active.
    pub const fn shutdown_active(self) -> bool {
        self.0 & 0x02 != 0
    }
    /// b0: beeper on.
    pub const fn beeper_on(self) -> bool {
        self.0 & 0x01 != 0
    }
}

/// Why a Q1 answer could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Q1Error {
    /// The frame failed validation.
    Frame(FrameError),
    /// A measurement field is not a number.
    Number(NumberError),
    /// A status bit is not `0` or `1`.
    NotABit {
        /// Offset of the bad byte.
        pos: u16,
        /// The byte found.
        found: u8,
    },
}

impl core::fmt::Display for Q1Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Frame(e) => e.fmt(f),
            Self::Number(e) => e.fmt(f),
            Self::NotABit { pos, found } => {
                write!(f, "status bit at {pos} is 0x{found:02x}, not 0 or 1")
            }
        }
    }
}

impl core::error::Error for Q1Error {}

impl From<FrameError> for Q1Error {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

impl From<NumberError> for Q1Error {
    fn from(e: NumberError) -> Self {
        Self::Number(e)
    }
}

/// A zero-copy view of a validated Q1-layout answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q1Frame<'a>(Answer<'a>);

/// Every value of a Q1 answer, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q1Reading {
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
    /// Battery voltage, V (per cell or total, as the device reports it).
    pub battery_voltage: Decimal,
    /// Temperature, °C.
    pub temperature: Decimal,
    /// Status bits.
    pub bits: Bits,
}

impl<'a> Q1Frame<'a> {
    /// Validates `bytes` as a Q1-layout answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    fn number(&self, w: Window) -> Result<Decimal, NumberError> {
        Decimal::parse_unsigned_field(self.0.field(w))
    }

    /// Input voltage.
    pub fn input_voltage(&self) -> Result<Decimal, NumberError> {
        self.number(field::INPUT_VOLTAGE)
    }
    /// Output voltage.
    pub fn output_voltage(&self) -> Result<Decimal, NumberError> {
        self.number(field::OUTPUT_VOLTAGE)
    }
    /// Battery voltage.
    pub fn battery_voltage(&self) -> Result<Decimal, NumberError> {
        self.number(field::BATTERY_VOLTAGE)
    }

    /// The status bits; each must be `0` or `1`.
    pub fn bits(&self) -> Result<Bits, Q1Error> {
        let mut bits = 0u8;
        for i in 0..8u16 {
            let pos = field::B7 + i;
            let found = self.0.field(Window::at(pos)).first().copied().unwrap_or(0);
            bits <<= 1;
            match found {
                b'1' => bits |= 1,
                b'0' => {}
                _ => return Err(Q1Error::NotABit { pos, found }),
            }
        }
        Ok(Bits(bits))
    }

    /// Every value of the answer.
    pub fn parse(&self) -> Result<Q1Reading, Q1Error> {
        Ok(Q1Reading {
            input_voltage: self.input_voltage()?,
            input_fault_voltage: self.number(field::INPUT_FAULT_VOLTAGE)?,
            output_voltage: self.output_voltage()?,
            load: self.number(field::LOAD)?,
            input_frequency: self.number(field::INPUT_FREQUENCY)?,
            battery_voltage: self.battery_voltage()?,
            temperature: self.number(field::TEMPERATURE)?,
            bits: self.bits()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sample() {
        let f = Q1Frame::new_checked(b"(215.0 195.0 230.0 014 49.0 22.7 30.0 10001001\r").unwrap();
        let r = f.parse().unwrap();
        assert_eq!(r.input_voltage, Decimal::new(2150, 1));
        assert_eq!(r.load, Decimal::new(14, 0));
        assert!(r.bits.utility_fail() && r.bits.standby() && r.bits.beeper_on());
        assert!(!r.bits.battery_low());
    }

    #[test]
    fn rejects_bad_bits_and_short_frames() {
        let f = Q1Frame::new_checked(b"(215.0 195.0 230.0 014 49.0 22.7 30.0 0000x000\r").unwrap();
        assert_eq!(
            f.bits(),
            Err(Q1Error::NotABit {
                pos: 42,
                found: b'x'
            })
        );
        assert!(Q1Frame::new_checked(b"(215.0 195.0\r").is_err());
    }
}
