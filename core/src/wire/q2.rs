//! The `Q2` three-phase status answer of the q2 dialect, spec §5.14:
//!
//! ```text
//! (226.6 224.3 228.0 226.6 229.9 000.0 000.0 000 000 000 49.9 327.6 18.0 00000000 999.24 100 02 00 00 00 00 00000000 11\r
//! ```
//!
//! The same values as [`super::q6`] at other offsets, plus the input fault voltage; the
//! runtime is in minutes (`ttt.tt`).

use super::q6::{Fields, ReadError, Topology};
use super::{Answer, Check, FrameError};
use crate::number::Decimal;

/// Validation of a Q2 answer: 118 bytes, lead `(`.
pub const CHECK: Check = Check::new(118, b'(');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Input voltage per phase L1/L2/L3 (to neutral).
    pub const INPUT_VOLTAGE: [Window; 3] = [
        Window::span(1, 5),
        Window::span(7, 11),
        Window::span(13, 17),
    ];
    /// Input fault voltage.
    pub const INPUT_FAULT_VOLTAGE: Window = Window::span(19, 23);
    /// Output voltage per phase L1/L2/L3 (to neutral).
    pub const OUTPUT_VOLTAGE: [Window; 3] = [
        Window::span(25, 29),
        Window::span(31, 35),
        Window::span(37, 41),
    ];
    /// Load per phase L1/L2/L3, percent.
    pub const LOAD: [Window; 3] = [
        Window::span(43, 45),
        Window::span(47, 49),
        Window::span(51, 53),
    ];
    /// Input frequency.
    pub const INPUT_FREQUENCY: Window = Window::span(55, 58);
    /// Battery voltage.
    pub const BATTERY_VOLTAGE: Window = Window::span(60, 64);
    /// Temperature, °C.
    pub const TEMPERATURE: Window = Window::span(66, 69);
    /// Status bits (not mapped).
    pub const STATUS_BITS: Window = Window::span(71, 78);
    /// Runtime `ttt.tt`, minutes.
    pub const RUNTIME_MINUTES: Window = Window::span(80, 85);
    /// Battery charge, percent.
    pub const CHARGE: Window = Window::span(87, 89);
    /// `BB` (not mapped).
    pub const BB: Window = Window::span(91, 92);
    /// Four `ff` fields (not mapped).
    pub const FF: Window = Window::span(94, 104);
    /// Warning bits (not mapped).
    pub const WARNING_BITS: Window = Window::span(106, 113);
    /// Input wiring, see [`crate::wire::q6::Topology`].
    pub const INPUT_TOPOLOGY: Window = Window::at(115);
    /// Output wiring, see [`crate::wire::q6::Topology`].
    pub const OUTPUT_TOPOLOGY: Window = Window::at(116);
}

/// Every value of a Q2 answer, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q2Reading {
    /// Input voltage per phase, V.
    pub input_voltage: [Decimal; 3],
    /// Input fault voltage, V.
    pub input_fault_voltage: Decimal,
    /// Output voltage per phase, V.
    pub output_voltage: [Decimal; 3],
    /// Load per phase, percent.
    pub load: [Decimal; 3],
    /// Input frequency, Hz.
    pub input_frequency: Decimal,
    /// Battery voltage, V.
    pub battery_voltage: Decimal,
    /// Temperature, °C.
    pub temperature: Decimal,
    /// Runtime, minutes.
    pub runtime_minutes: Decimal,
    /// Battery charge, percent.
    pub charge: Decimal,
    /// Input wiring.
    pub input_topology: Topology,
    /// Output wiring.
    pub output_topology: Topology,
}

/// A zero-copy view of a validated Q2 answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q2Frame<'a>(Answer<'a>);

impl<'a> Q2Frame<'a> {
    /// Validates `bytes` as a Q2 answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    /// Every value of the answer.
    pub fn parse(&self) -> Result<Q2Reading, ReadError> {
        use field::*;
        let f = Fields(self.0);
        Ok(Q2Reading {
            input_voltage: f.phases(INPUT_VOLTAGE)?,
            input_fault_voltage: f.number(INPUT_FAULT_VOLTAGE)?,
            output_voltage: f.phases(OUTPUT_VOLTAGE)?,
            load: f.phases(LOAD)?,
            input_frequency: f.number(INPUT_FREQUENCY)?,
            battery_voltage: f.number(BATTERY_VOLTAGE)?,
            temperature: f.number(TEMPERATURE)?,
            runtime_minutes: f.number(RUNTIME_MINUTES)?,
            charge: f.number(CHARGE)?,
            input_topology: f.topology(INPUT_TOPOLOGY)?,
            output_topology: f.topology(OUTPUT_TOPOLOGY)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"(226.6 224.3 228.0 226.6 229.9 000.0 000.0 000 000 000 49.9 327.6 18.0 00000000 999.24 100 02 00 00 00 00 00000000 11\r";

    #[test]
    fn reads_the_sample() {
        let r = Q2Frame::new_checked(SAMPLE).unwrap().parse().unwrap();
        assert_eq!(r.input_fault_voltage, Decimal::new(2266, 1));
        assert_eq!(r.input_frequency, Decimal::new(499, 1));
        assert_eq!(r.runtime_minutes, Decimal::new(99924, 2));
        assert_eq!(r.charge, Decimal::new(100, 0));
        assert_eq!(r.output_topology, Topology::Star);
    }

    #[test]
    fn rejects_q6_answers_and_bad_fields() {
        let q6 = b"(227.0 225.6 230.0 50.0 229.9 000.0 000.0 49.9 007 000 000 327.8 000.0 23.0 06932 100 32 00000000 00000000 11\r";
        assert!(Q2Frame::new_checked(q6).is_err());
        let mut bad = SAMPLE.to_vec();
        bad[2] = b'-';
        assert!(matches!(
            Q2Frame::new_checked(&bad).unwrap().parse(),
            Err(ReadError::Number(_))
        ));
    }
}
