//! The `F` ratings answer, spec §3.7: `#230.0 000 024.0 50.0\r`.

use super::{Answer, Check, FrameError};
use crate::number::{Decimal, NumberError};

/// Validation of an F answer: 22 bytes, lead `#`.
pub const CHECK: Check = Check::new(22, b'#');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Rated voltage.
    pub const VOLTAGE: Window = Window::span(1, 5);
    /// Rated current.
    pub const CURRENT: Window = Window::span(7, 9);
    /// Battery voltage.
    pub const BATTERY_VOLTAGE: Window = Window::span(11, 15);
    /// Frequency.
    pub const FREQUENCY: Window = Window::span(17, 20);
}

/// The ratings, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ratings {
    /// Rated voltage, V.
    pub voltage: Decimal,
    /// Rated current, A.
    pub current: Decimal,
    /// Nominal battery voltage, V.
    pub battery_voltage: Decimal,
    /// Rated frequency, Hz.
    pub frequency: Decimal,
}

/// A zero-copy view of a validated F answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RatingsFrame<'a>(Answer<'a>);

impl<'a> RatingsFrame<'a> {
    /// Validates `bytes` as an F answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    /// Every value of the answer.
    pub fn parse(&self) -> Result<Ratings, NumberError> {
        let n = |w| Decimal::parse_unsigned_field(self.0.field(w));
        Ok(Ratings {
            voltage: n(field::VOLTAGE)?,
            current: n(field::CURRENT)?,
            battery_voltage: n(field::BATTERY_VOLTAGE)?,
            frequency: n(field::FREQUENCY)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_rejects() {
        let r = RatingsFrame::new_checked(b"#230.0 000 024.0 50.0\r")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(r.battery_voltage, Decimal::new(240, 1));
        assert!(RatingsFrame::new_checked(b"(230.0 000 024.0 50.0\r").is_err());
        assert!(
            RatingsFrame::new_checked(b"#230.0 0-0 024.0 50.0\r")
                .unwrap()
                .parse()
                .is_err()
        );
    }
}
