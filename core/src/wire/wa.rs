//! The `WA` output-statistics answer of the three-phase dialects (q2, q6, innovart31/33),
//! spec §5.16:
//!
//! ```text
//! (001.4 000.0 000.0 001.4 000.0 000.0 001.4 001.4 006.5 000.0 000.0 007 00000000\r
//! ```

use super::{Answer, Check, FrameError};
use crate::number::{Decimal, NumberError};

/// Validation of a WA answer: 80 bytes, lead `(`.
pub const CHECK: Check = Check::new(80, b'(');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Real power per phase L1/L2/L3, kW.
    pub const REALPOWER: [Window; 3] = [
        Window::span(1, 5),
        Window::span(7, 11),
        Window::span(13, 17),
    ];
    /// Apparent power per phase L1/L2/L3, kVA.
    pub const POWER: [Window; 3] = [
        Window::span(19, 23),
        Window::span(25, 29),
        Window::span(31, 35),
    ];
    /// Total real power, kW.
    pub const TOTAL_REALPOWER: Window = Window::span(37, 41);
    /// Total apparent power, kVA.
    pub const TOTAL_POWER: Window = Window::span(43, 47);
    /// Current per phase L1/L2/L3, A.
    pub const CURRENT: [Window; 3] = [
        Window::span(49, 53),
        Window::span(55, 59),
        Window::span(61, 65),
    ];
    /// Load, percent.
    pub const LOAD: Window = Window::span(67, 69);
    /// Status bits (not mapped by any dialect).
    pub const BITS: Window = Window::span(71, 78);
}

/// Every value of a WA answer, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WaReading {
    /// Real power per phase, kW.
    pub realpower: [Decimal; 3],
    /// Apparent power per phase, kVA.
    pub power: [Decimal; 3],
    /// Total real power, kW.
    pub total_realpower: Decimal,
    /// Total apparent power, kVA.
    pub total_power: Decimal,
    /// Current per phase, A.
    pub current: [Decimal; 3],
    /// Load, percent.
    pub load: Decimal,
}

/// A zero-copy view of a validated WA answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WaFrame<'a>(Answer<'a>);

impl<'a> WaFrame<'a> {
    /// Validates `bytes` as a WA answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    fn number(&self, w: super::Window) -> Result<Decimal, NumberError> {
        Decimal::parse_unsigned_field(self.0.field(w))
    }

    fn phases(&self, w: [super::Window; 3]) -> Result<[Decimal; 3], NumberError> {
        let [a, b, c] = w;
        Ok([self.number(a)?, self.number(b)?, self.number(c)?])
    }

    /// Every value of the answer.
    pub fn parse(&self) -> Result<WaReading, NumberError> {
        Ok(WaReading {
            realpower: self.phases(field::REALPOWER)?,
            power: self.phases(field::POWER)?,
            total_realpower: self.number(field::TOTAL_REALPOWER)?,
            total_power: self.number(field::TOTAL_POWER)?,
            current: self.phases(field::CURRENT)?,
            load: self.number(field::LOAD)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] =
        b"(001.4 000.0 000.0 001.4 000.0 000.0 001.4 001.4 006.5 000.0 000.0 007 00000000\r";

    #[test]
    fn reads_the_sample() {
        let r = WaFrame::new_checked(SAMPLE).unwrap().parse().unwrap();
        assert_eq!(r.realpower[0], Decimal::new(14, 1));
        assert_eq!(r.total_power, Decimal::new(14, 1));
        assert_eq!(
            r.current,
            [Decimal::new(65, 1), Decimal::new(0, 1), Decimal::new(0, 1)]
        );
        assert_eq!(r.load, Decimal::new(7, 0));
    }

    #[test]
    fn rejects_short_and_signed_answers() {
        assert!(WaFrame::new_checked(b"(001.4 000.0\r").is_err());
        let signed =
            b"(001.4 000.0 000.0 001.4 000.0 000.0 -01.4 001.4 006.5 000.0 000.0 007 00000000\r";
        assert!(WaFrame::new_checked(signed).unwrap().parse().is_err());
    }
}
