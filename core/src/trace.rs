//! Captured exchanges as text: one `COMMAND<TAB>ANSWER[<TAB>NOTE]` row per line, control
//! bytes written as escapes (`\r`, `\n`, `\t`, `\0`, `\\`, `\xHH`). This is the format of the
//! specification's vector tables and of `qxups decode`'s arguments; everything here borrows
//! from the caller's text and allocates nothing.

use core::fmt;

/// Escaped text turned back into bytes, one byte at a time: `\r` (CR), `\n` (LF), `\t`, `\0`,
/// `\\` and `\xHH`. A backslash before anything else stays as it is.
#[derive(Clone, Debug)]
pub struct Unescape<'a> {
    rest: &'a [u8],
}

/// The bytes `text` stands for.
pub fn unescape(text: &str) -> Unescape<'_> {
    Unescape {
        rest: text.as_bytes(),
    }
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

impl Iterator for Unescape<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        if b != b'\\' {
            return Some(b);
        }
        let (value, used) = match rest {
            [b'r', ..] => (b'\r', 1),
            [b'n', ..] => (b'\n', 1),
            [b't', ..] => (b'\t', 1),
            [b'0', ..] => (0, 1),
            [b'\\', ..] => (b'\\', 1),
            [b'x', hi, lo, ..] => match (hex(*hi), hex(*lo)) {
                (Some(hi), Some(lo)) => (hi << 4 | lo, 3),
                _ => return Some(b'\\'),
            },
            _ => return Some(b'\\'),
        };
        self.rest = rest.get(used..).unwrap_or(&[]);
        Some(value)
    }
}

/// Bytes written as they are typed: CR as `\r`, LF as `\n`, TAB as `\t`, a backslash as `\\`,
/// other control and non-ASCII bytes as `\xHH`. `unescape` reads it back exactly.
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(pub &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0 {
            match b {
                b'\r' => f.write_str("\\r")?,
                b'\n' => f.write_str("\\n")?,
                b'\t' => f.write_str("\\t")?,
                b'\\' => f.write_str("\\\\")?,
                0x20..=0x7e => fmt::Write::write_char(f, char::from(b))?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        Ok(())
    }
}

/// One captured exchange, still escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Row<'a> {
    /// The command sent.
    pub command: &'a str,
    /// The answer received; empty when the device said nothing.
    pub answer: &'a str,
    /// A free-text note (the vector tables explain each row).
    pub note: &'a str,
}

/// The rows of a capture, skipping blank lines, `#` comments and the vector tables' header
/// row (`command<TAB>answer<TAB>note`).
pub fn rows(text: &str) -> impl Iterator<Item = Row<'_>> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter(|l| !l.starts_with("command\tanswer"))
        .map(|line| {
            let mut cols = line.splitn(3, '\t');
            Row {
                command: cols.next().unwrap_or(""),
                answer: cols.next().unwrap_or(""),
                note: cols.next().unwrap_or(""),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec::Vec;

    #[test]
    fn escapes_read_back() {
        let bytes: Vec<u8> = unescape(r"Q1\r\n\t\0\\\x7f\x41").collect();
        assert_eq!(bytes, b"Q1\r\n\t\0\\\x7fA");
        assert_eq!(Escaped(&bytes).to_string(), r"Q1\r\n\t\x00\\\x7fA");
    }

    #[test]
    fn odd_backslashes_stay() {
        let bytes: Vec<u8> = unescape(r"a\q\x4\xzz\").collect();
        assert_eq!(bytes, br"a\q\x4\xzz\");
    }

    #[test]
    fn rows_skip_header_comments_and_blanks() {
        let text = "command\tanswer\tnote\n# c\n\nQ1\\r\t(215.0\\r\tstatus\nQ\\r\t\n";
        let rows: Vec<Row<'_>> = rows(text).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].command, "Q1\\r");
        assert_eq!(rows[0].note, "status");
        assert_eq!(rows[1].answer, "");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_escape_and_read_back(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let text = Escaped(&bytes).to_string();
            let back: Vec<u8> = unescape(&text).collect();
            proptest::prop_assert_eq!(back, bytes);
        }
    }
}
