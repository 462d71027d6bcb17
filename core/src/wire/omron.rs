//! The OMRON answers of spec §5.18 that are not Q1: the `UN` ratings
//! (`1125W/1125VA/048V/160W/020W\r`), the `FWV` firmware versions (`M:0.17(S:2.00)\r`), the
//! `BRR` battery date (`20260730\r`), and the "strict decimal" rule of the one-value answers
//! (`Bl ?`, `RTS`, `TPb`, `Lf ?`).

use super::{Answer, Check, FrameError};
use crate::number::{Decimal, NumberError};

/// Why an OMRON answer or value could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum OmronError {
    /// The frame failed validation.
    Frame(FrameError),
    /// A number is out of what the arithmetic holds.
    Number(NumberError),
    /// The value does not have the expected form; the text says which check failed.
    Malformed(&'static str),
}

impl core::fmt::Display for OmronError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Frame(e) => e.fmt(f),
            Self::Number(e) => e.fmt(f),
            Self::Malformed(what) => write!(f, "malformed: {what}"),
        }
    }
}

impl core::error::Error for OmronError {}

impl From<FrameError> for OmronError {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

impl From<NumberError> for OmronError {
    fn from(e: NumberError) -> Self {
        Self::Number(e)
    }
}

/// The "strict decimal" rule: `value` is non-empty, every byte passes `allowed`, and one
/// number (optional sign, digits, optional `.` and digits) spans the whole value.
pub fn strict_decimal(value: &[u8], allowed: fn(u8) -> bool) -> Result<Decimal, OmronError> {
    if value.is_empty() {
        return Err(OmronError::Malformed("empty value"));
    }
    if !value.iter().all(|&b| allowed(b)) {
        return Err(OmronError::Malformed("unexpected character"));
    }
    let body = match value {
        [b'+' | b'-', rest @ ..] => rest,
        _ => value,
    };
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(dot) => (body.get(..dot).unwrap_or(&[]), body.get(dot + 1..)),
        None => (body, None),
    };
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let frac_ok = frac.is_none_or(digits);
    let any_digit = !int.is_empty() || frac.is_some_and(|f| !f.is_empty());
    if !digits(int) || !frac_ok || !any_digit {
        return Err(OmronError::Malformed("not one whole number"));
    }
    Ok(Decimal::parse_prefix(value)?)
}

/// Digits only.
pub fn digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// Digits and `.`.
pub fn unsigned(b: u8) -> bool {
    b.is_ascii_digit() || b == b'.'
}

/// Digits, `.`, `+` and `-`.
pub fn signed(b: u8) -> bool {
    unsigned(b) || b == b'+' || b == b'-'
}

/// The `UN` ratings answer.
pub mod un {
    use super::{Answer, Check, OmronError};

    /// Validation: at least 27 bytes, any lead.
    pub const CHECK: Check = Check::min_len(27);

    /// The answer's shape; `d` stands for a digit.
    pub const TEMPLATE: &[u8; 27] = b"ddddW/ddddVA/dddV/dddW/dddW";

    /// Field positions.
    pub mod field {
        use crate::wire::Window;
        /// Real power, W.
        pub const REALPOWER: Window = Window::span(0, 3);
        /// Apparent power, VA.
        pub const POWER: Window = Window::span(6, 9);
        /// Battery voltage, V.
        pub const BATTERY_VOLTAGE: Window = Window::span(13, 15);
    }

    /// The ratings, by value.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[cfg_attr(feature = "defmt", derive(defmt::Format))]
    pub struct UnReading {
        /// Nominal real power, W.
        pub realpower: u16,
        /// Nominal apparent power, VA.
        pub power: u16,
        /// Nominal battery voltage, V.
        pub battery_voltage: u16,
    }

    /// True when `raw` has the template's shape and then ends or reaches CR.
    pub fn matches_template(raw: &[u8]) -> bool {
        let Some((head, tail)) = raw.split_at_checked(TEMPLATE.len()) else {
            return false;
        };
        let shape = head.iter().zip(TEMPLATE.iter()).all(|(&b, &t)| match t {
            b'd' => b.is_ascii_digit(),
            _ => b == t,
        });
        shape && matches!(tail.first(), None | Some(b'\r'))
    }

    /// A zero-copy view of a validated `UN` answer.
    #[derive(Clone, Copy, Debug)]
    #[cfg_attr(feature = "defmt", derive(defmt::Format))]
    pub struct UnFrame<'a>(Answer<'a>);

    impl<'a> UnFrame<'a> {
        /// Validates `bytes` as a `UN` answer: length, then the template.
        pub fn new_checked(bytes: &'a [u8]) -> Result<Self, OmronError> {
            let answer = CHECK.validate(bytes, None).map_err(OmronError::Frame)?;
            if matches_template(bytes) {
                Ok(Self(answer))
            } else {
                Err(OmronError::Malformed(
                    "UN answer does not match its template",
                ))
            }
        }

        fn number(&self, w: crate::wire::Window) -> u16 {
            self.0
                .field(w)
                .iter()
                .fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'))
        }

        /// Every value of the answer.
        pub fn parse(&self) -> UnReading {
            UnReading {
                realpower: self.number(field::REALPOWER),
                power: self.number(field::POWER),
                battery_voltage: self.number(field::BATTERY_VOLTAGE),
            }
        }
    }
}

/// Validation of the `FWV` answer.
pub const FWV_CHECK: Check = Check::min_len(15);
/// Validation of the `BRR` answer.
pub const BRR_CHECK: Check = Check::min_len(9);
/// Validation of the `PSNR` answer.
pub const PSNR_CHECK: Check = Check::min_len(17);

/// Main and auxiliary firmware versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Firmware {
    /// Main version (`M:`).
    pub main: Decimal,
    /// Auxiliary version (`S:`).
    pub aux: Decimal,
}

/// Reads `M:<num>(S:<num>)`, optionally followed by spaces.
pub fn parse_firmware(value: &[u8]) -> Result<Firmware, OmronError> {
    let bad = OmronError::Malformed("firmware is not M:<n>(S:<n>)");
    if !value
        .iter()
        .all(|&b| b.is_ascii_digit() || b" MS.:()".contains(&b))
    {
        return Err(bad);
    }
    let count = |c: u8| value.iter().filter(|&&b| b == c).count();
    if count(b'(') != 1 || count(b')') != 1 {
        return Err(bad);
    }
    let open = value.iter().position(|&b| b == b'(').ok_or(bad)?;
    let close = value.iter().position(|&b| b == b')').ok_or(bad)?;
    if !value.starts_with(b"M:") || open < 3 || close < open + 4 {
        return Err(bad);
    }
    let main = value.get(2..open).ok_or(bad)?;
    let aux = value
        .get(open + 1..close)
        .and_then(|s| s.strip_prefix(b"S:"))
        .ok_or(bad)?;
    if !value
        .get(close + 1..)
        .unwrap_or(&[])
        .iter()
        .all(|&b| b == b' ')
    {
        return Err(bad);
    }
    Ok(Firmware {
        main: strict_decimal(main, unsigned)?,
        aux: strict_decimal(aux, unsigned)?,
    })
}

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
}

/// Reads exactly eight digits `YYYYMMDD` naming a real (Gregorian) date.
pub fn parse_date(value: &[u8]) -> Result<Date, OmronError> {
    let bad = OmronError::Malformed("date is not YYYYMMDD");
    let [y0, y1, y2, y3, m0, m1, d0, d1] = *value else {
        return Err(bad);
    };
    let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad);
    }
    let n = |s: &[u8]| s.iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
    let year = n(&[y0, y1, y2, y3]);
    let month = n(&[m0, m1]);
    let day = n(&[d0, d1]);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(OmronError::Malformed("month out of range")),
    };
    if day == 0 || day > days {
        return Err(OmronError::Malformed("day out of range"));
    }
    Ok(Date {
        year,
        month: u8::try_from(month).map_err(|_| bad)?,
        day: u8::try_from(day).map_err(|_| bad)?,
    })
}

/// The acknowledgement rule of OMRON command replies: at least two bytes starting with `OK`.
pub fn is_ok(reply: &[u8]) -> bool {
    reply.starts_with(b"OK")
}

#[cfg(test)]
mod tests {
    use super::un::UnFrame;
    use super::*;

    #[test]
    fn reads_un() {
        let r = UnFrame::new_checked(b"1125W/1125VA/048V/160W/020W\r")
            .unwrap()
            .parse();
        assert_eq!((r.realpower, r.power, r.battery_voltage), (1125, 1125, 48));
        assert!(UnFrame::new_checked(b"1125W/1125VA/048V/160W/020W").is_ok());
        assert!(UnFrame::new_checked(b"1125W/1125VA/048V/160W/020Wx\r").is_err());
        assert!(UnFrame::new_checked(b"1125W/1125VA/04xV/160W/020W\r").is_err());
        assert!(UnFrame::new_checked(b"1125W/1125VA\r").is_err());
    }

    #[test]
    fn strict_decimals() {
        assert_eq!(strict_decimal(b"100", digit), Ok(Decimal::new(100, 0)));
        assert_eq!(strict_decimal(b"+22.5", signed), Ok(Decimal::new(225, 1)));
        assert_eq!(strict_decimal(b"-3.", signed), Ok(Decimal::new(-3, 0)));
        assert!(strict_decimal(b"", digit).is_err());
        assert!(strict_decimal(b"1.5", digit).is_err());
        assert!(strict_decimal(b"2+2", signed).is_err());
        assert!(strict_decimal(b"-", signed).is_err());
        assert!(strict_decimal(b"1.2.3", unsigned).is_err());
        assert!(strict_decimal(b"99999999999999999999", digit).is_err());
    }

    #[test]
    fn firmware() {
        let f = parse_firmware(b"M:0.17(S:2.00)  ").unwrap();
        assert_eq!((f.main, f.aux), (Decimal::new(17, 2), Decimal::new(200, 2)));
        assert!(parse_firmware(b"M:0.17(S:2.00)x").is_err());
        assert!(parse_firmware(b"M:(S:2.00)").is_err());
        assert!(parse_firmware(b"M:1(S:)").is_err());
        assert!(parse_firmware(b"M:1((S:2))").is_err());
        assert!(parse_firmware(b"S:1(M:2)").is_err());
        assert!(parse_firmware(b"M:1 (S:2)").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date(b"20260730"),
            Ok(Date {
                year: 2026,
                month: 7,
                day: 30
            })
        );
        assert!(parse_date(b"20240229").is_ok());
        assert!(parse_date(b"19000229").is_err());
        assert!(parse_date(b"20261301").is_err());
        assert!(parse_date(b"2026073").is_err());
        assert!(parse_date(b"2026-7-30").is_err());
    }
}
