//! The `BPS` bypass answer of innovart31/33, spec §5.17: `(230.4 000.0 000.0 49.9\r`.

use super::{Answer, Check, FrameError};
use crate::number::{Decimal, NumberError};

/// Validation of a BPS answer: 24 bytes, lead `(`.
pub const CHECK: Check = Check::new(24, b'(');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Bypass voltage per phase L1/L2/L3.
    pub const VOLTAGE: [Window; 3] = [
        Window::span(1, 5),
        Window::span(7, 11),
        Window::span(13, 17),
    ];
    /// Bypass frequency.
    pub const FREQUENCY: Window = Window::span(19, 22);
}

/// Every value of a BPS answer, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BpsReading {
    /// Bypass voltage per phase, V.
    pub voltage: [Decimal; 3],
    /// Bypass frequency, Hz.
    pub frequency: Decimal,
}

/// A zero-copy view of a validated BPS answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BpsFrame<'a>(Answer<'a>);

impl<'a> BpsFrame<'a> {
    /// Validates `bytes` as a BPS answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    /// Every value of the answer.
    pub fn parse(&self) -> Result<BpsReading, NumberError> {
        let n = |w| Decimal::parse_unsigned_field(self.0.field(w));
        let [a, b, c] = field::VOLTAGE;
        Ok(BpsReading {
            voltage: [n(a)?, n(b)?, n(c)?],
            frequency: n(field::FREQUENCY)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sample() {
        let r = BpsFrame::new_checked(b"(230.4 000.0 000.0 49.9\r")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(r.voltage[0], Decimal::new(2304, 1));
        assert_eq!(r.frequency, Decimal::new(499, 1));
    }

    #[test]
    fn rejects_short_or_unframed_answers() {
        assert!(BpsFrame::new_checked(b"(230.4 000.0\r").is_err());
        assert!(BpsFrame::new_checked(b"#230.4 000.0 000.0 49.9\r").is_err());
    }
}
