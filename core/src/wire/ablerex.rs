//! The ablerex binary answers (spec §5.9): `Q5` (big-endian 16-bit fields after `(`), `At`
//! (a 32-bit runtime after `(`) and `TR` (four characters after `#`).
//!
//! ```text
//! ( FF FF .. .. .. .. VB VB VC VC PW PW EC EC OC OC ...   Q5, at least 22 bytes
//! 0 1  2  3  4  5  6  7  8  9  10 11 12 13 14 15 16
//! ```

use super::{Answer, Check, FrameError};

/// Validation of a Q5 answer: 22 bytes, lead `(`.
pub const Q5_CHECK: Check = Check::new(22, b'(');
/// Validation of an At answer: lead `(`, no length requirement.
pub const AT_CHECK: Check = Check::new(0, b'(');
/// Validation of a TR answer: lead `#`, no length requirement.
pub const TR_CHECK: Check = Check::new(0, b'#');

/// Offsets of the first (high) byte of each big-endian 16-bit Q5 field.
pub mod field {
    /// Output frequency, tenths of Hz.
    pub const OUTPUT_FREQUENCY: usize = 1;
    /// Battery voltage, raw (`Vb`; volts = `Vb·nominal/1200`).
    pub const BATTERY_VOLTAGE: usize = 7;
    /// Battery cut-off voltage, raw (`Vbc`).
    pub const BATTERY_CUTOFF: usize = 9;
    /// Inverter power.
    pub const INVERTER_POWER: usize = 11;
    /// Error code (0 = none).
    pub const ERROR_CODE: usize = 13;
    /// Output current, tenths of A.
    pub const OUTPUT_CURRENT: usize = 15;
}

/// Every value of a Q5 answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q5Reading {
    /// Output frequency, tenths of Hz.
    pub output_frequency_tenths: u16,
    /// Battery voltage, raw.
    pub battery_voltage_raw: u16,
    /// Battery cut-off voltage, raw.
    pub battery_cutoff_raw: u16,
    /// Inverter power.
    pub inverter_power: u16,
    /// Error code.
    pub error_code: u16,
    /// Output current, tenths of A.
    pub output_current_tenths: u16,
}

/// A zero-copy view of a validated Q5 answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Q5Frame<'a>(Answer<'a>);

impl<'a> Q5Frame<'a> {
    /// Validates `bytes` as a Q5 answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        Q5_CHECK.validate(bytes, None).map(Self)
    }

    /// The big-endian 16-bit word at `at` (bytes past the end read as 0; a validated frame
    /// always has them).
    pub fn word(&self, at: usize) -> u16 {
        let b = |i: usize| self.0.bytes().get(i).copied().unwrap_or(0);
        u16::from_be_bytes([b(at), at.checked_add(1).map_or(0, b)])
    }

    /// Every field.
    pub fn parse(&self) -> Q5Reading {
        Q5Reading {
            output_frequency_tenths: self.word(field::OUTPUT_FREQUENCY),
            battery_voltage_raw: self.word(field::BATTERY_VOLTAGE),
            battery_cutoff_raw: self.word(field::BATTERY_CUTOFF),
            inverter_power: self.word(field::INVERTER_POWER),
            error_code: self.word(field::ERROR_CODE),
            output_current_tenths: self.word(field::OUTPUT_CURRENT),
        }
    }
}

/// The runtime of an At answer: the four bytes after `(`, big-endian, read as a signed number
/// the way NUT prints it. Missing bytes read as 0 (NUT does not check the length).
pub fn at_runtime(raw: &[u8]) -> i32 {
    let b = |i: usize| raw.get(i).copied().unwrap_or(0);
    i32::from_be_bytes([b(1), b(2), b(3), b(4)])
}

/// The test result of a TR answer: bytes 1..=4 (fewer when the answer is shorter).
pub fn tr_result(raw: &[u8]) -> &[u8] {
    let tail = raw.get(1..).unwrap_or(&[]);
    tail.get(..4).unwrap_or(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_q5_answer() {
        let mut a = [0u8; 22];
        a[0] = b'(';
        a[1..3].copy_from_slice(&500u16.to_be_bytes());
        a[7..9].copy_from_slice(&1150u16.to_be_bytes());
        a[9..11].copy_from_slice(&1000u16.to_be_bytes());
        a[13..15].copy_from_slice(&7u16.to_be_bytes());
        a[15..17].copy_from_slice(&23u16.to_be_bytes());
        let r = Q5Frame::new_checked(&a).unwrap().parse();
        assert_eq!(r.output_frequency_tenths, 500);
        assert_eq!(r.battery_voltage_raw, 1150);
        assert_eq!(r.battery_cutoff_raw, 1000);
        assert_eq!(r.error_code, 7);
        assert_eq!(r.output_current_tenths, 23);
    }

    #[test]
    fn rejects_short_or_unled_q5() {
        assert!(Q5Frame::new_checked(b"Q5\r").is_err());
        let mut a = [0u8; 22];
        a[0] = b'#';
        assert!(Q5Frame::new_checked(&a).is_err());
    }

    #[test]
    fn at_and_tr() {
        assert_eq!(at_runtime(b"(\x00\x00\x03\x84\r"), 900);
        assert_eq!(at_runtime(b"(\x01"), 0x0100_0000);
        assert_eq!(at_runtime(b"(\xff\xff\xff\xff"), -1);
        assert_eq!(tr_result(b"#PASS\r"), b"PASS");
        assert_eq!(tr_result(b"#OK\r"), b"OK\r");
        assert_eq!(tr_result(b""), b"");
    }
}
