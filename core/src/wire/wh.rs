//! The masterguard `WH` identity and ratings answer, spec §5.19:
//!
//! ```text
//! (00 10.06 03.09 A  700  + 0 Bat Pack-19        0 230 50.00 012 02.30 006.00 012.00 018 10 40 160 276 47.00 53.00\r
//! ```

use super::masterguard::{MgError, minutes_seconds};
use super::{Answer, Check, FrameError};
use crate::number::Decimal;

/// Validation of a `WH` answer: 113 bytes, lead `(`.
pub const CHECK: Check = Check::new(113, b'(');

/// Field positions.
pub mod field {
    use crate::wire::Window;
    /// Slave address, two characters.
    pub const ID: Window = Window::span(1, 2);
    /// Firmware version.
    pub const FIRMWARE: Window = Window::span(4, 8);
    /// Auxiliary firmware version.
    pub const FIRMWARE_AUX: Window = Window::span(10, 14);
    /// Series letter, `A` or `E`.
    pub const SERIES: Window = Window::at(16);
    /// Model text (series, power, options).
    pub const MODEL: Window = Window::span(16, 45);
    /// Battery packs (unused: `GS` reports them).
    pub const PACKS: Window = Window::at(47);
    /// Nominal input voltage.
    pub const INPUT_VOLTAGE_NOMINAL: Window = Window::span(49, 51);
    /// Nominal input frequency.
    pub const INPUT_FREQUENCY_NOMINAL: Window = Window::span(53, 57);
    /// Number of battery cells.
    pub const CELLS: Window = Window::span(59, 61);
    /// Nominal cell voltage.
    pub const CELL_VOLTAGE: Window = Window::span(63, 67);
    /// Runtime at half load, `mmm.ss`.
    pub const RUNTIME_HALF: Window = Window::span(69, 74);
    /// Runtime at full load, `mmm.ss`.
    pub const RUNTIME_FULL: Window = Window::span(76, 81);
    /// Recharge time, hours.
    pub const RECHARGE: Window = Window::span(83, 85);
    /// Lowest ambient temperature, °C.
    pub const AMBIENT_LOW: Window = Window::span(87, 88);
    /// Highest ambient temperature, °C.
    pub const AMBIENT_HIGH: Window = Window::span(90, 91);
    /// Lowest input voltage.
    pub const INPUT_VOLTAGE_LOW: Window = Window::span(93, 95);
    /// Highest input voltage.
    pub const INPUT_VOLTAGE_HIGH: Window = Window::span(97, 99);
    /// Lowest input frequency.
    pub const INPUT_FREQUENCY_LOW: Window = Window::span(101, 105);
    /// Highest input frequency.
    pub const INPUT_FREQUENCY_HIGH: Window = Window::span(107, 111);
}

/// The series a masterguard UPS belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Series {
    /// A series.
    A,
    /// E series.
    E,
}

impl Series {
    /// The series of a `WH` series byte.
    pub fn from_field(value: &[u8]) -> Result<Self, MgError> {
        match value {
            b"A" => Ok(Self::A),
            b"E" => Ok(Self::E),
            _ => Err(MgError::Malformed("series is not A or E")),
        }
    }
}

/// The two-character slave address of a `WH` (or any `(XX,…`) answer.
pub fn slave_id(value: &[u8]) -> Result<[u8; 2], MgError> {
    match *value {
        [a, b] => Ok([a, b]),
        _ => Err(MgError::Malformed("slave address is not two characters")),
    }
}

/// The values of a `WH` answer that the dialect keeps, by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WhReading {
    /// Slave address.
    pub id: [u8; 2],
    /// Series.
    pub series: Series,
    /// Nominal input voltage.
    pub input_voltage_nominal: Decimal,
    /// Nominal input frequency.
    pub input_frequency_nominal: Decimal,
    /// Battery cells.
    pub cells: Decimal,
    /// Nominal cell voltage.
    pub cell_voltage: Decimal,
    /// Runtime at half load, seconds.
    pub runtime_half: u32,
    /// Runtime at full load, seconds.
    pub runtime_full: u32,
    /// Recharge time, seconds.
    pub recharge: u32,
}

/// A zero-copy view of a validated `WH` answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WhFrame<'a>(Answer<'a>);

impl<'a> WhFrame<'a> {
    /// Validates `bytes` as a `WH` answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    /// The bytes of `window`.
    pub fn field(&self, window: super::Window) -> &'a [u8] {
        self.0.field(window)
    }

    fn number(&self, w: super::Window) -> Result<Decimal, MgError> {
        Ok(Decimal::parse_unsigned_field(self.field(w))?)
    }

    /// The model text.
    pub fn model(&self) -> &'a [u8] {
        self.field(field::MODEL)
    }

    /// Every value the dialect keeps.
    pub fn parse(&self) -> Result<WhReading, MgError> {
        let recharge = u32::try_from(self.number(field::RECHARGE)?.trunc())
            .ok()
            .and_then(|h| h.checked_mul(3600))
            .ok_or(MgError::Malformed("recharge time"))?;
        Ok(WhReading {
            id: slave_id(self.field(field::ID))?,
            series: Series::from_field(self.field(field::SERIES))?,
            input_voltage_nominal: self.number(field::INPUT_VOLTAGE_NOMINAL)?,
            input_frequency_nominal: self.number(field::INPUT_FREQUENCY_NOMINAL)?,
            cells: self.number(field::CELLS)?,
            cell_voltage: self.number(field::CELL_VOLTAGE)?,
            runtime_half: minutes_seconds(self.field(field::RUNTIME_HALF))?,
            runtime_full: minutes_seconds(self.field(field::RUNTIME_FULL))?,
            recharge,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"(00 10.06 03.09 A  700  + 0 Bat Pack-19        0 230 50.00 012 02.30 006.00 012.00 018 10 40 160 276 47.00 53.00\r";

    #[test]
    fn reads_the_sample() {
        let f = WhFrame::new_checked(SAMPLE).unwrap();
        let r = f.parse().unwrap();
        assert_eq!(r.id, *b"00");
        assert_eq!(r.series, Series::A);
        assert_eq!(r.cells, Decimal::new(12, 0));
        assert_eq!(r.cell_voltage, Decimal::new(230, 2));
        assert_eq!(
            (r.runtime_half, r.runtime_full, r.recharge),
            (360, 720, 64800)
        );
        assert_eq!(f.field(field::INPUT_FREQUENCY_HIGH), b"53.00");
        assert!(f.model().starts_with(b"A  700"));
    }

    #[test]
    fn rejects_short_and_bad_series() {
        assert!(WhFrame::new_checked(&SAMPLE[..100]).is_err());
        let mut bad = SAMPLE.to_vec();
        bad[16] = b'X';
        assert!(WhFrame::new_checked(&bad).unwrap().parse().is_err());
    }
}
