//! The `Q6` three-phase status answer (q6, also sent by innovart31/33), spec §5.15:
//!
//! ```text
//! (227.0 225.6 230.0 50.0 229.9 000.0 000.0 49.9 007 000 000 327.8 000.0 23.0 06932 100 32 00000000 00000000 11\r
//! ```
//!
//! Also home of what the Q2 layout ([`super::q2`]) shares with it: the wiring
//! [`Topology`] byte and the [`ReadError`] of a three-phase answer.

use super::{Answer, Check, FrameError, Window};
use crate::number::{Decimal, NumberError};

/// Validation of a Q6 answer: 110 bytes, lead `(`.
pub const CHECK: Check = Check::new(110, b'(');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Input voltage per phase L1/L2/L3 (to neutral).
    pub const INPUT_VOLTAGE: [Window; 3] = [
        Window::span(1, 5),
        Window::span(7, 11),
        Window::span(13, 17),
    ];
    /// Input frequency.
    pub const INPUT_FREQUENCY: Window = Window::span(19, 22);
    /// Output voltage per phase L1/L2/L3 (to neutral); L1 is the only output of a 3/1 unit.
    pub const OUTPUT_VOLTAGE: [Window; 3] = [
        Window::span(24, 28),
        Window::span(30, 34),
        Window::span(36, 40),
    ];
    /// Output frequency.
    pub const OUTPUT_FREQUENCY: Window = Window::span(42, 45);
    /// Load per phase L1/L2/L3, percent.
    pub const LOAD: [Window; 3] = [
        Window::span(47, 49),
        Window::span(51, 53),
        Window::span(55, 57),
    ];
    /// Positive battery voltage.
    pub const BATTERY_VOLTAGE: Window = Window::span(59, 63);
    /// Negative battery voltage (its magnitude).
    pub const BATTERY_VOLTAGE_NEGATIVE: Window = Window::span(65, 69);
    /// Temperature, °C.
    pub const TEMPERATURE: Window = Window::span(71, 74);
    /// Runtime `ttttt` (published as is).
    pub const RUNTIME: Window = Window::span(76, 80);
    /// Battery charge, percent.
    pub const CHARGE: Window = Window::span(82, 84);
    /// `KB` (not mapped).
    pub const KB: Window = Window::span(86, 87);
    /// Fault bits (not mapped).
    pub const FAULT_BITS: Window = Window::span(89, 96);
    /// Warning bits (not mapped).
    pub const WARNING_BITS: Window = Window::span(98, 105);
    /// Input wiring, see [`super::Topology`].
    pub const INPUT_TOPOLOGY: Window = Window::at(107);
    /// Output wiring, see [`super::Topology`].
    pub const OUTPUT_TOPOLOGY: Window = Window::at(108);
}

/// How a three-phase side is wired: one byte, `1` star, `0` delta.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Topology {
    /// `1`: star (wye).
    Star,
    /// `0`: delta.
    Delta,
}

impl Topology {
    /// The byte's meaning; anything but `0` or `1` is `None`.
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            b'1' => Some(Self::Star),
            b'0' => Some(Self::Delta),
            _ => None,
        }
    }

    /// The published name (`star`, `delta`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Star => "star",
            Self::Delta => "delta",
        }
    }
}

/// Why a three-phase answer (Q6 or Q2) could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ReadError {
    /// A measurement field is not a number.
    Number(NumberError),
    /// A topology byte is not `0` or `1`.
    Topology {
        /// Offset of the bad byte.
        pos: u16,
        /// The byte found.
        found: u8,
    },
}

impl core::fmt::Display for ReadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Number(e) => e.fmt(f),
            Self::Topology { pos, found } => {
                write!(f, "topology at {pos} is 0x{found:02x}, not 0 or 1")
            }
        }
    }
}

impl core::error::Error for ReadError {}

impl From<NumberError> for ReadError {
    fn from(e: NumberError) -> Self {
        Self::Number(e)
    }
}

/// Reads numeric fields and topology bytes of a validated three-phase answer.
pub(crate) struct Fields<'a>(pub(crate) Answer<'a>);

impl Fields<'_> {
    pub(crate) fn number(&self, w: Window) -> Result<Decimal, NumberError> {
        Decimal::parse_unsigned_field(self.0.field(w))
    }

    pub(crate) fn phases(&self, w: [Window; 3]) -> Result<[Decimal; 3], NumberError> {
        let [a, b, c] = w;
        Ok([self.number(a)?, self.number(b)?, self.number(c)?])
    }

    pub(crate) fn topology(&self, w: Window) -> Result<Topology, ReadError> {
        let (Window::Span { from: pos, .. } | Window::ToEol { from: pos }) = w;
        let found = self.0.field(w).first().copied().unwrap_or(0);
        Topology::from_byte(found).ok_or(ReadError::Topology { pos, found })
    }
}

/// Every value of a Q6 answer, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q6Reading {
    /// Input voltage per phase, V.
    pub input_voltage: [Decimal; 3],
    /// Input frequency, Hz.
    pub input_frequency: Decimal,
    /// Output voltage per phase, V.
    pub output_voltage: [Decimal; 3],
    /// Output frequency, Hz.
    pub output_frequency: Decimal,
    /// Load per phase, percent.
    pub load: [Decimal; 3],
    /// Positive battery voltage, V.
    pub battery_voltage: Decimal,
    /// Negative battery voltage (magnitude), V.
    pub battery_voltage_negative: Decimal,
    /// Temperature, °C.
    pub temperature: Decimal,
    /// Runtime as the device counts it.
    pub runtime: Decimal,
    /// Battery charge, percent.
    pub charge: Decimal,
    /// Input wiring.
    pub input_topology: Topology,
    /// Output wiring.
    pub output_topology: Topology,
}

/// A zero-copy view of a validated Q6 answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q6Frame<'a>(Answer<'a>);

impl<'a> Q6Frame<'a> {
    /// Validates `bytes` as a Q6 answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    /// Output voltage per phase.
    pub fn output_voltage(&self) -> Result<[Decimal; 3], NumberError> {
        Fields(self.0).phases(field::OUTPUT_VOLTAGE)
    }

    /// Every value of the answer.
    pub fn parse(&self) -> Result<Q6Reading, ReadError> {
        use field::*;
        let f = Fields(self.0);
        Ok(Q6Reading {
            input_voltage: f.phases(INPUT_VOLTAGE)?,
            input_frequency: f.number(INPUT_FREQUENCY)?,
            output_voltage: f.phases(OUTPUT_VOLTAGE)?,
            output_frequency: f.number(OUTPUT_FREQUENCY)?,
            load: f.phases(LOAD)?,
            battery_voltage: f.number(BATTERY_VOLTAGE)?,
            battery_voltage_negative: f.number(BATTERY_VOLTAGE_NEGATIVE)?,
            temperature: f.number(TEMPERATURE)?,
            runtime: f.number(RUNTIME)?,
            charge: f.number(CHARGE)?,
            input_topology: f.topology(INPUT_TOPOLOGY)?,
            output_topology: f.topology(OUTPUT_TOPOLOGY)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"(227.0 225.6 230.0 50.0 229.9 000.0 000.0 49.9 007 000 000 327.8 000.0 23.0 06932 100 32 00000000 00000000 11\r";

    #[test]
    fn reads_the_sample() {
        let r = Q6Frame::new_checked(SAMPLE).unwrap().parse().unwrap();
        assert_eq!(r.input_voltage[1], Decimal::new(2256, 1));
        assert_eq!(r.output_voltage[0], Decimal::new(2299, 1));
        assert_eq!(r.load, [Decimal::new(7, 0), Decimal::ZERO, Decimal::ZERO]);
        assert_eq!(r.runtime, Decimal::new(6932, 0));
        assert_eq!(r.charge, Decimal::new(100, 0));
        assert_eq!(r.input_topology, Topology::Star);
        assert_eq!(r.output_topology.name(), "star");
    }

    #[test]
    fn rejects_short_frames_and_bad_topology() {
        assert!(Q6Frame::new_checked(&SAMPLE[..100]).is_err());
        let mut bad = SAMPLE.to_vec();
        bad[108] = b'x';
        assert_eq!(
            Q6Frame::new_checked(&bad).unwrap().parse(),
            Err(ReadError::Topology {
                pos: 108,
                found: b'x'
            })
        );
    }
}
