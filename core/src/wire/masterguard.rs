//! The smaller masterguard answers of spec §5.19 (`GS`, `GBS`, `GSN`, `DRC`, `MSO`, `PNV`,
//! `FLT`) and the time formats they share: `mmm.ss` durations and `TTTT:hh:mm:ss` uptimes.
//! [`super::wh`] and [`super::q3`] hold the two large layouts.

use core::fmt::Write;

use super::{Answer, Check, FrameError, Window};
use crate::number::NumberError;

/// Why a masterguard answer or value could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum MgError {
    /// The frame failed validation.
    Frame(FrameError),
    /// A numeric field is not a number.
    Number(NumberError),
    /// The value does not have the expected form; the text says which check failed.
    Malformed(&'static str),
}

impl core::fmt::Display for MgError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Frame(e) => e.fmt(f),
            Self::Number(e) => e.fmt(f),
            Self::Malformed(what) => write!(f, "malformed: {what}"),
        }
    }
}

impl core::error::Error for MgError {}

impl From<FrameError> for MgError {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

impl From<NumberError> for MgError {
    fn from(e: NumberError) -> Self {
        Self::Number(e)
    }
}

fn digits(value: &[u8]) -> Result<u32, MgError> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(MgError::Malformed("expected digits"));
    }
    value.iter().try_fold(0u32, |n, &d| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u32::from(d - b'0')))
            .ok_or(MgError::Number(NumberError::Overflow))
    })
}

/// `mmm.ss` (minutes and seconds) as seconds: `017.03` is 1023.
pub fn minutes_seconds(value: &[u8]) -> Result<u32, MgError> {
    let bad = MgError::Malformed("duration is not mmm.ss");
    let dot = value.iter().position(|&b| b == b'.').ok_or(bad)?;
    let (m, s) = value.split_at_checked(dot).ok_or(bad)?;
    let s = s.get(1..).ok_or(bad)?;
    let seconds = digits(s)?;
    if s.len() != 2 || seconds > 59 {
        return Err(bad);
    }
    digits(m)?
        .checked_mul(60)
        .and_then(|m| m.checked_add(seconds))
        .ok_or(MgError::Number(NumberError::Overflow))
}

/// `TTTT:hh:mm:ss` (days, hours, minutes, seconds) as seconds: `1869:19:06:37` is 161550397.
pub fn uptime_seconds(value: &[u8]) -> Result<u64, MgError> {
    let bad = MgError::Malformed("uptime is not TTTT:hh:mm:ss");
    let mut parts = value.split(|&b| b == b':');
    let (Some(d), Some(h), Some(m), Some(s), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad);
    };
    if d.len() != 4 || h.len() != 2 || m.len() != 2 || s.len() != 2 {
        return Err(bad);
    }
    let (d, h, m, s) = (digits(d)?, digits(h)?, digits(m)?, digits(s)?);
    if h > 23 || m > 59 || s > 59 {
        return Err(bad);
    }
    Ok(u64::from(d) * 86_400 + u64::from(h) * 3600 + u64::from(m) * 60 + u64::from(s))
}

/// The largest uptime `TTTT:hh:mm:ss` can write: 9999 days, 23:59:59.
pub const MAX_UPTIME: u64 = 9999 * 86_400 + 86_399;

/// Writes `seconds` as `TTTT:hh:mm:ss`; more than [`MAX_UPTIME`] fails.
pub fn write_uptime<W: Write>(seconds: u64, out: &mut W) -> Result<(), MgError> {
    if seconds > MAX_UPTIME {
        return Err(MgError::Malformed("uptime above 9999 days"));
    }
    let (d, rest) = (seconds / 86_400, seconds % 86_400);
    write!(
        out,
        "{d:04}:{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
    .map_err(|_| MgError::Malformed("uptime does not fit"))
}

/// `GS,XX` → `(XX,ii p a\r`: packs and beeper.
pub mod gs {
    use super::{Check, Window};
    /// Validation of the packs field: lead `(` only.
    pub const CHECK: Check = Check::new(0, b'(');
    /// Validation of the beeper field: 11 bytes, lead `(`.
    pub const CHECK_BEEPER: Check = Check::new(11, b'(');
    /// Battery packs.
    pub const PACKS: Window = Window::at(7);
    /// Beeper, `1` enabled.
    pub const BEEPER: Window = Window::at(9);
}

/// `GBS,XX`: battery status.
pub mod gbs {
    use super::{Check, Window};
    /// Validation: 43 bytes, lead `(`.
    pub const CHECK: Check = Check::new(43, b'(');
    /// Battery charge, percent.
    pub const CHARGE: Window = Window::span(4, 6);
    /// Battery ageing factor.
    pub const AGEING: Window = Window::span(18, 21);
    /// Calibration factor.
    pub const CALIBRATION: Window = Window::span(33, 35);
}

/// `GSN,XX`: part and serial numbers.
pub mod gsn {
    use super::{Check, Window};
    /// Validation: 25 bytes, lead `(`.
    pub const CHECK: Check = Check::new(25, b'(');
    /// Part number (space padded).
    pub const PART: Window = Window::span(8, 18);
    /// Serial number.
    pub const SERIAL: Window = Window::span(20, 23);
}

/// `DRC,XX`: uptime.
pub mod drc {
    use super::{Check, Window};
    /// Validation: 17 bytes, lead `(`.
    pub const CHECK: Check = Check::new(17, b'(');
    /// Uptime `TTTT:hh:mm:ss`.
    pub const UPTIME: Window = Window::span(4, 16);
}

/// `MSO`: the output voltages the device offers, space separated.
pub mod mso {
    use super::{Check, Window};
    /// Validation: 5 bytes, lead `(`.
    pub const CHECK: Check = Check::new(5, b'(');
    /// The list.
    pub const LIST: Window = Window::to_eol(1);

    /// The voltages of the list, empty entries skipped.
    pub fn voltages(list: &[u8]) -> impl Iterator<Item = &[u8]> {
        list.split(|&b| b == b' ').filter(|v| !v.is_empty())
    }
}

/// `PNV`: the nominal output voltage.
pub mod pnv {
    use super::{Check, Window};
    /// Validation: 8 bytes, lead `(`.
    pub const CHECK: Check = Check::new(8, b'(');
    /// The voltage.
    pub const VOLTAGE: Window = Window::span(5, 7);
}

/// `FLT,XX`: the last five faults.
pub mod flt {
    use super::{Check, Window};
    /// Validation: 108 bytes, lead `(`.
    pub const CHECK: Check = Check::new(108, b'(');
    /// The five records, each `c vvvv TTTT:hh:mm:ss`.
    pub const RECORDS: [Window; 5] = [
        Window::span(4, 23),
        Window::span(25, 44),
        Window::span(46, 65),
        Window::span(67, 86),
        Window::span(88, 107),
    ];
    /// All five records, for logging.
    pub const ALL: Window = Window::span(4, 107);
}

/// One fault record of `FLT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Fault {
    /// Fault code (`0` = none).
    pub code: u8,
    /// Voltage at the fault.
    pub voltage: u32,
    /// Operating time at the fault, seconds.
    pub when: u64,
}

/// A zero-copy view of a validated `FLT` answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FltFrame<'a>(Answer<'a>);

impl<'a> FltFrame<'a> {
    /// Validates `bytes` as an `FLT` answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        flt::CHECK.validate(bytes, None).map(Self)
    }

    /// The `n`-th record (0..5).
    pub fn fault(&self, n: usize) -> Result<Fault, MgError> {
        let w = flt::RECORDS
            .get(n)
            .copied()
            .ok_or(MgError::Malformed("no such record"))?;
        parse_fault(self.0.field(w))
    }
}

/// Reads one `c vvvv TTTT:hh:mm:ss` fault record.
pub fn parse_fault(record: &[u8]) -> Result<Fault, MgError> {
    let bad = MgError::Malformed("fault record is not c vvvv TTTT:hh:mm:ss");
    match record {
        [c, b' ', v0, v1, v2, v3, b' ', time @ ..] if c.is_ascii_digit() => Ok(Fault {
            code: c - b'0',
            voltage: digits(&[*v0, *v1, *v2, *v3])?,
            when: uptime_seconds(time)?,
        }),
        _ => Err(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(minutes_seconds(b"017.03"), Ok(1023));
        assert_eq!(minutes_seconds(b"006.00"), Ok(360));
        assert!(minutes_seconds(b"017.3").is_err());
        assert!(minutes_seconds(b"017.60").is_err());
        assert!(minutes_seconds(b"01703").is_err());
        assert!(minutes_seconds(b"-17.03").is_err());
    }

    #[test]
    fn uptimes() {
        assert_eq!(uptime_seconds(b"1869:19:06:37"), Ok(161_550_397));
        assert!(uptime_seconds(b"1869:24:06:37").is_err());
        assert!(uptime_seconds(b"869:19:06:37").is_err());
        assert!(uptime_seconds(b"1869:19:06").is_err());
        let mut s = heapless::String::<16>::new();
        write_uptime(90061, &mut s).unwrap();
        assert_eq!(s, "0001:01:01:01");
        assert!(write_uptime(MAX_UPTIME + 1, &mut s).is_err());
    }

    #[test]
    fn faults() {
        let f = FltFrame::new_checked(b"(01,9 0010 1780:14:57:19 7 0046 0000:21:14:41 0 0000 0000:00:00:00 0 0000 0000:00:00:00 0 0000 0000:00:00:00\r").unwrap();
        assert_eq!(
            f.fault(1),
            Ok(Fault {
                code: 7,
                voltage: 46,
                when: 76481
            })
        );
        assert_eq!(f.fault(0).unwrap().when, 153_845_839);
        assert!(f.fault(5).is_err());
        assert!(parse_fault(b"x 0010 1780:14:57:19").is_err());
        assert!(FltFrame::new_checked(b"(01,9 0010\r").is_err());
    }

    #[test]
    fn voltage_list() {
        let v: std::vec::Vec<&[u8]> = mso::voltages(b"220 230  240").collect();
        assert_eq!(v, [&b"220"[..], b"230", b"240"]);
    }
}
