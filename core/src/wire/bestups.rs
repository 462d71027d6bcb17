//! The bestups answers (spec §5.8): the `ID` identity/ratings answer, which is first normalised
//! to a fixed 28-byte layout, and the one-digit `M` voltage-settings index.
//!
//! ```text
//! FOR,750,120,120,20.0,27.6\r        raw ID answer
//! FOR, 750,120,120,20.0, 27.6\r      normalised (28 bytes)
//! 0123456789012345678901234567
//! ```

use super::{Answer, Check, FrameError, Window};
use crate::number::{Decimal, NumberError};

/// Validation of a normalised ID answer: 28 bytes, any lead byte.
pub const ID_CHECK: Check = Check::min_len(ID_LEN as u16);

/// Length of a normalised ID answer, CR included.
pub const ID_LEN: usize = 28;

/// Field positions in the normalised ID answer.
pub mod field {
    use crate::wire::Window;
    /// Three-character model code (`FOR`, `AX1`, `620`, …).
    pub const MODEL: Window = Window::span(0, 2);
    /// Rated power, VA, right-aligned to 4.
    pub const POWER: Window = Window::span(4, 7);
    /// Nominal input voltage.
    pub const INPUT_VOLTAGE: Window = Window::span(9, 11);
    /// Nominal output voltage.
    pub const OUTPUT_VOLTAGE: Window = Window::span(13, 15);
    /// Low (cut-off) battery voltage.
    pub const BATTERY_LOW: Window = Window::span(17, 20);
    /// Full battery voltage, right-aligned to 5.
    pub const BATTERY_HIGH: Window = Window::span(22, 26);
}

/// Why an ID answer could not be normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum IdError {
    /// The answer is longer than a normalised answer can be.
    TooLong,
    /// Not exactly six comma-separated fields.
    FieldCount,
    /// The fields do not fill exactly the 28-byte layout.
    Layout,
}

impl core::fmt::Display for IdError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::TooLong => "ID answer longer than 28 bytes",
            Self::FieldCount => "ID answer does not have six fields",
            Self::Layout => "ID answer fields do not fit the 28-byte layout",
        })
    }
}

impl core::error::Error for IdError {}

/// Rewrites the raw ID answer in `buf[..len]` into the fixed layout and returns its length
/// (always [`ID_LEN`]). An empty answer is passed through, to fail validation as "no reply".
///
/// Fields are split on `,` (empty ones dropped); field 2 is right-aligned to 4 and field 6 (CR
/// still attached) to 6. Unlike NUT, a 28-byte raw answer (four-digit VA and a three-digit
/// battery voltage, already in the layout) is accepted: padding never shortens, so any raw
/// answer of at most 28 bytes that normalises to 28 bytes is good.
pub fn normalise_id(buf: &mut [u8], len: usize) -> Result<usize, IdError> {
    if len == 0 {
        return Ok(0);
    }
    let raw = buf.get(..len).ok_or(IdError::TooLong)?;
    if len > ID_LEN {
        return Err(IdError::TooLong);
    }
    let mut out = [b' '; ID_LEN];
    let mut at = 0usize;
    let mut count = 0usize;
    for (n, f) in raw
        .split(|&b| b == b',')
        .filter(|f| !f.is_empty())
        .enumerate()
    {
        count += 1;
        let width: usize = match n {
            1 => 4,
            5 => 6,
            0 | 2..=4 => 0,
            _ => return Err(IdError::FieldCount),
        };
        if n > 0 {
            *out.get_mut(at).ok_or(IdError::Layout)? = b',';
            at += 1;
        }
        // Right-alignment: leading spaces already in `out`.
        at += width.saturating_sub(f.len());
        let dst = out.get_mut(at..at + f.len()).ok_or(IdError::Layout)?;
        dst.copy_from_slice(f);
        at += f.len();
    }
    if count != 6 {
        return Err(IdError::FieldCount);
    }
    if at != ID_LEN {
        return Err(IdError::Layout);
    }
    buf.get_mut(..ID_LEN)
        .ok_or(IdError::Layout)?
        .copy_from_slice(&out);
    Ok(ID_LEN)
}

/// The values of an ID answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IdReading {
    /// Model code.
    pub model: [u8; 3],
    /// Rated power, VA.
    pub power: Decimal,
    /// Nominal input voltage, V.
    pub input_voltage: Decimal,
    /// Nominal output voltage, V.
    pub output_voltage: Decimal,
    /// Low battery voltage, V.
    pub battery_low: Decimal,
    /// Full battery voltage, V.
    pub battery_high: Decimal,
}

/// A zero-copy view of a validated, normalised ID answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IdFrame<'a>(Answer<'a>);

impl<'a> IdFrame<'a> {
    /// Validates `bytes` (already normalised by [`normalise_id`]).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        ID_CHECK.validate(bytes, None).map(Self)
    }

    fn number(&self, w: Window) -> Result<Decimal, NumberError> {
        Decimal::parse_unsigned_field(self.0.field(w))
    }

    /// The three-character model code.
    pub fn model(&self) -> &'a [u8] {
        self.0.field(field::MODEL)
    }

    /// Every value.
    pub fn parse(&self) -> Result<IdReading, NumberError> {
        let mut model = [b' '; 3];
        for (d, s) in model.iter_mut().zip(self.model()) {
            *d = *s;
        }
        Ok(IdReading {
            model,
            power: self.number(field::POWER)?,
            input_voltage: self.number(field::INPUT_VOLTAGE)?,
            output_voltage: self.number(field::OUTPUT_VOLTAGE)?,
            battery_low: self.number(field::BATTERY_LOW)?,
            battery_high: self.number(field::BATTERY_HIGH)?,
        })
    }
}

/// Validation of an `M` answer: a digit and CR.
pub const M_CHECK: Check = Check::min_len(2);

/// The voltage-settings index of an `M` answer value (the bytes before CR): exactly one digit.
pub fn m_index(value: &[u8]) -> Option<u8> {
    match value {
        [d @ b'0'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(raw: &[u8]) -> Result<std::vec::Vec<u8>, IdError> {
        let mut buf = [0u8; 64];
        buf[..raw.len()].copy_from_slice(raw);
        normalise_id(&mut buf, raw.len()).map(|n| buf[..n].to_vec())
    }

    #[test]
    fn normalises_the_sample() {
        assert_eq!(
            normalised(b"FOR,750,120,120,20.0,27.6\r").unwrap(),
            b"FOR, 750,120,120,20.0, 27.6\r"
        );
        let n = normalised(b"FOR,750,120,120,20.0,27.6\r").unwrap();
        let r = IdFrame::new_checked(&n).unwrap().parse().unwrap();
        assert_eq!(&r.model, b"FOR");
        assert_eq!(r.power, Decimal::new(750, 0));
        assert_eq!(r.battery_high, Decimal::new(276, 1));
    }

    #[test]
    fn accepts_28_raw_bytes() {
        let raw = b"FOR,3000,120,120,20.0,100.6\r";
        assert_eq!(raw.len(), 28);
        assert_eq!(normalised(raw).unwrap(), raw);
    }

    #[test]
    fn rejects_bad_answers() {
        assert_eq!(normalised(b"ID\r"), Err(IdError::FieldCount));
        assert_eq!(
            normalised(b"FOR,750,120,120,20.0\r"),
            Err(IdError::FieldCount)
        );
        assert_eq!(
            normalised(b"FOR,750,120,120,20.0,27.6,1\r"),
            Err(IdError::FieldCount)
        );
        assert_eq!(
            normalised(b"FOR,75000,120,120,20.0,27.6\r"),
            Err(IdError::Layout)
        );
        assert_eq!(
            normalised(b"FOR,3000,120,120,20.0,100.6 \r"),
            Err(IdError::TooLong)
        );
        assert_eq!(normalised(b""), Ok(std::vec::Vec::new()));
    }

    #[test]
    fn m_index_is_one_digit() {
        assert_eq!(m_index(b"0"), Some(0));
        assert_eq!(m_index(b"9"), Some(9));
        assert_eq!(m_index(b"10"), None);
        assert_eq!(m_index(b"x"), None);
        assert_eq!(m_index(b""), None);
    }
}
