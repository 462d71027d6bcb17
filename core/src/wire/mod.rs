//! The wire layer: a device answer validated once ([`Check`] → [`Answer`]), fixed byte
//! windows inside it ([`Window`]), and zero-copy typed views of the answer layouts that several
//! dialects share ([`q1`], [`ratings`], [`identity`], …).
//!
//! Offsets are 0-based into the raw answer, counting the leading `(` or `#` as position 0, and
//! window ends are inclusive, exactly as in the spec's layout tables.

use core::fmt;

pub mod ablerex;
pub mod bestups;
pub mod bps;
pub mod identity;
pub mod masterguard;
pub mod omron;
pub mod q1;
pub mod q2;
pub mod q3;
pub mod q4;
pub mod q6;
pub mod ratings;
pub mod wa;
pub mod wh;

/// The largest answer the core keeps, in bytes (spec §1).
pub const MAX_ANSWER: usize = 512;

/// Why an answer was refused before any field was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FrameError {
    /// The device answered nothing (a timeout), where an answer was required.
    NoReply,
    /// The answer equals the dialect's "rejected" string (`NAK\r`, `(NAK\r`).
    Rejected,
    /// Fewer bytes than the layout needs (CR included).
    TooShort {
        /// Bytes the layout needs.
        min: u16,
        /// Bytes received.
        got: u16,
    },
    /// The first byte is not the layout's lead byte.
    BadLead {
        /// The lead byte the layout needs.
        expected: u8,
        /// The byte found instead.
        found: u8,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NoReply => f.write_str("no reply"),
            Self::Rejected => f.write_str("the device rejected the command"),
            Self::TooShort { min, got } => write!(f, "answer too short: {got} bytes, need {min}"),
            Self::BadLead { expected, found } => write!(
                f,
                "answer starts with {:?}, expected {:?}",
                char::from(found),
                char::from(expected)
            ),
        }
    }
}

impl core::error::Error for FrameError {}

/// The validation rules of one answer layout: its minimum length (CR included; 0 = none) and
/// its lead byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Check {
    /// Smallest acceptable answer length, CR included; 0 means no check.
    pub min_len: u16,
    /// Required first byte, if any.
    pub lead: Option<u8>,
}

impl Check {
    /// No requirement at all (free-form answers, command replies).
    pub const NONE: Self = Self {
        min_len: 0,
        lead: None,
    };

    /// An answer of at least `min_len` bytes starting with `lead`.
    pub const fn new(min_len: u16, lead: u8) -> Self {
        Self {
            min_len,
            lead: Some(lead),
        }
    }

    /// An answer of at least `min_len` bytes, any lead byte.
    pub const fn min_len(min_len: u16) -> Self {
        Self {
            min_len,
            lead: None,
        }
    }

    /// Validates `bytes` (spec §2.2 step 5): the dialect's `rejected` string first (compared
    /// ignoring ASCII case), then the length, then the lead byte.
    pub fn validate<'a>(
        &self,
        bytes: &'a [u8],
        rejected: Option<&[u8]>,
    ) -> Result<Answer<'a>, FrameError> {
        if let Some(rejected) = rejected {
            if bytes.eq_ignore_ascii_case(rejected) {
                return Err(FrameError::Rejected);
            }
        }
        let got = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
        if self.min_len > 0 && got < self.min_len {
            return Err(if got == 0 {
                FrameError::NoReply
            } else {
                FrameError::TooShort {
                    min: self.min_len,
                    got,
                }
            });
        }
        if let Some(expected) = self.lead {
            match bytes.first() {
                None => return Err(FrameError::NoReply),
                Some(&found) if found != expected => {
                    return Err(FrameError::BadLead { expected, found });
                }
                Some(_) => {}
            }
        }
        Ok(Answer { bytes })
    }
}

/// Where a value sits in an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Window {
    /// Bytes `from..=to`, cut short at a NUL byte or at the end of the data.
    Span {
        /// First byte.
        from: u16,
        /// Last byte (inclusive).
        to: u16,
    },
    /// From `from` up to, not including, the next CR (or the end of the data).
    ToEol {
        /// First byte.
        from: u16,
    },
}

impl Window {
    /// Bytes `from..=to`.
    pub const fn span(from: u16, to: u16) -> Self {
        Self::Span { from, to }
    }

    /// One byte.
    pub const fn at(pos: u16) -> Self {
        Self::Span { from: pos, to: pos }
    }

    /// From `from` to the end of the line.
    pub const fn to_eol(from: u16) -> Self {
        Self::ToEol { from }
    }

    /// The bytes of this window in `bytes`; empty where the data ends first. Never panics.
    pub fn slice(self, bytes: &[u8]) -> &[u8] {
        match self {
            Self::Span { from, to } => {
                let (from, to) = (usize::from(from), usize::from(to));
                if to < from {
                    return &[];
                }
                let tail = bytes.get(from..).unwrap_or(&[]);
                let field = tail.get(..=to - from).unwrap_or(tail);
                match field.iter().position(|&b| b == 0) {
                    Some(nul) => field.get(..nul).unwrap_or(&[]),
                    None => field,
                }
            }
            Self::ToEol { from } => {
                let tail = bytes.get(usize::from(from)..).unwrap_or(&[]);
                match tail.iter().position(|&b| b == b'\r') {
                    Some(cr) => tail.get(..cr).unwrap_or(&[]),
                    None => tail,
                }
            }
        }
    }
}

/// A validated answer: a view over the caller's bytes whose accessors cannot panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Answer<'a> {
    bytes: &'a [u8],
}

impl<'a> Answer<'a> {
    /// The raw bytes, CR included.
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes of `window`.
    pub fn field(&self, window: Window) -> &'a [u8] {
        window.slice(self.bytes)
    }
}

/// Removes leading and trailing spaces and `#` (the `TR` flag; nothing else, not even CR).
pub fn trim_field(mut field: &[u8]) -> &[u8] {
    while let [b' ' | b'#', rest @ ..] = field {
        field = rest;
    }
    while let [rest @ .., b' ' | b'#'] = field {
        field = rest;
    }
    field
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_order() {
        let q1 = Check::new(47, b'(');
        assert_eq!(q1.validate(b"", None), Err(FrameError::NoReply));
        assert_eq!(
            q1.validate(b"Q1\r", None),
            Err(FrameError::TooShort { min: 47, got: 3 })
        );
        assert_eq!(
            Check::new(3, b'(').validate(b"#12\r", None),
            Err(FrameError::BadLead {
                expected: b'(',
                found: b'#'
            })
        );
        assert_eq!(
            Check::NONE.validate(b"(nak\r", Some(b"(NAK\r")),
            Err(FrameError::Rejected)
        );
        assert!(Check::NONE.validate(b"", None).is_ok());
    }

    #[test]
    fn windows_never_overrun() {
        let a = Check::NONE.validate(b"(12 3\0x\r", None).unwrap();
        assert_eq!(a.field(Window::span(1, 2)), b"12");
        assert_eq!(a.field(Window::span(4, 9)), b"3");
        assert_eq!(a.field(Window::span(40, 90)), b"");
        assert_eq!(a.field(Window::span(3, 1)), b"");
        assert_eq!(a.field(Window::to_eol(1)), b"12 3\0x");
        assert_eq!(a.field(Window::to_eol(100)), b"");
    }

    #[test]
    fn trims_spaces_and_hashes_only() {
        assert_eq!(trim_field(b" #ab c# \r"), b"ab c# \r");
        assert_eq!(trim_field(b"  TESTING   "), b"TESTING");
        assert_eq!(trim_field(b"###"), b"");
    }
}
